import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLAGS, parseOptions } from '../../src/app/options.js';
import { CONFIG_KEYS } from '../../src/translate/config-map.js';
import { callKey, distinctCalls, findApiCalls, sourceFiles, type ApiCall } from './api-calls.js';
import { allRenderings, find, flagsOf, render, repoRoot, workload, type KubeObject } from './render.js';
import { validateServiceMonitor } from './service-monitor.js';
import { validateObject } from './schema.js';

/** Flags the manifests use before the command line has them (leader election). */
const PENDING_FLAGS = new Set(['leader-election-namespace', 'leader-election-name']);

/** Resources the controller only touches in its own namespace, so a Role grants them, not the ClusterRole. */
const OWN_NAMESPACE_RESOURCES = new Set(['configmaps', 'leases']);

function controllerContainer(objects: readonly KubeObject[]) {
  const pod = workload(objects).spec.template.spec;
  const container = pod.containers.find((c: { name: string }) => c.name === 'controller');
  assert.ok(container, 'a container named controller');
  return { pod, container, flags: flagsOf(container.args) };
}

/** (group, resource, verb) granted by rules, one entry per combination. */
function granted(rules: Array<{ apiGroups?: string[]; resources?: string[]; verbs: string[] }>): ApiCall[] {
  return rules.flatMap((r) => (r.apiGroups ?? []).flatMap((group) => (r.resources ?? []).flatMap((resource) => r.verbs.map((verb) => ({ group, resource, verb })))));
}

test('every overlay and chart value set renders, and every object matches the Kubernetes API schema', () => {
  for (const { label, namespace, objects } of allRenderings()) {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'IngressClass', 'ConfigMap', 'Service']) {
      assert.ok(kinds.has(kind), `${label} renders a ${kind}`);
    }
    workload(objects);
    for (const obj of objects) {
      // The one custom resource: client-node has no model for it, so it gets its own check.
      const problems = obj.kind === 'ServiceMonitor' ? validateServiceMonitor(obj) : validateObject(obj);
      assert.deepEqual(problems, [], `${label}: ${obj.kind}/${obj.metadata.name}`);
      if (obj.kind !== 'Namespace' && !obj.kind.startsWith('Cluster') && obj.kind !== 'IngressClass') {
        assert.equal(obj.metadata.namespace, namespace, `${label}: ${obj.kind}/${obj.metadata.name} is in ${namespace}`);
      }
    }
  }
});

test('the API calls are found in the source, and only sources/ imports the Kubernetes client', () => {
  const root = repoRoot();
  const calls = distinctCalls(findApiCalls(root)).map(callKey);
  // Anchors: if the scan stopped seeing calls, the RBAC comparison below would be vacuous.
  for (const expected of ['networking.k8s.io/ingresses:watch', 'networking.k8s.io/ingresses/status:patch', 'coordination.k8s.io/leases:update']) {
    assert.ok(calls.includes(expected), `found ${expected} (found: ${calls.join(', ')})`);
  }
  const importers = sourceFiles(root).filter((f) => readFileSync(join(root, f), 'utf8').includes("'@kubernetes/client-node'"));
  const outside = importers.filter((f) => !f.startsWith(join('src', 'sources')) && f !== join('src', 'app', 'run-controller.ts'));
  assert.deepEqual(outside, [], 'only src/sources (and the wiring, for KubeConfig) import the client');
});

test('RBAC grants exactly the API calls the controller makes: nothing missing, nothing extra', () => {
  const needed = distinctCalls(findApiCalls(repoRoot()));
  for (const { label: overlay, namespace, name, objects } of allRenderings()) {
    const clusterRules = find(objects, 'ClusterRole', name).rules;
    const role = find(objects, 'Role', name);
    const have = distinctCalls([...granted(clusterRules), ...granted(role.rules)]);
    const needKeys = new Set(needed.map(callKey));
    const haveKeys = new Set(have.map(callKey));
    assert.deepEqual([...needKeys].filter((k) => !haveKeys.has(k)), [], `${overlay}: calls the RBAC does not grant`);
    assert.deepEqual([...haveKeys].filter((k) => !needKeys.has(k)), [], `${overlay}: grants the controller never uses`);
    const wildcards = [...clusterRules, ...role.rules].filter((r) => [r.apiGroups, r.resources, r.verbs].some((l) => l?.includes('*')));
    assert.deepEqual(wildcards, [], 'no wildcards');
    const clusterWide = granted(clusterRules).filter((c) => OWN_NAMESPACE_RESOURCES.has(c.resource));
    assert.deepEqual(clusterWide, [], 'the ConfigMap and the Lease are granted in the controller namespace only');
    assert.equal(role.metadata.namespace, namespace);
  }
});

test('RBAC is bound to the service account the controller runs as, and names its ConfigMap and Lease', () => {
  for (const { namespace, name, objects } of allRenderings()) {
    const { pod, flags } = controllerContainer(objects);
    find(objects, 'ServiceAccount', pod.serviceAccountName);
    for (const [kind, roleKind] of [['ClusterRoleBinding', 'ClusterRole'], ['RoleBinding', 'Role']]) {
      const binding = find(objects, kind, name);
      assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name });
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace }]);
    }
    const rules = find(objects, 'Role', name).rules as Array<{ resources: string[]; resourceNames?: string[]; verbs: string[] }>;
    const namesFor = (resource: string, verb: string) => rules.find((r) => r.resources.includes(resource) && r.verbs.includes(verb))?.resourceNames;
    assert.deepEqual(namesFor('configmaps', 'watch'), [flags.get('configmap')?.split('/')[1]]);
    assert.deepEqual(namesFor('leases', 'update'), [flags.get('leader-election-name')]);
    assert.equal(namesFor('leases', 'create'), undefined, 'create cannot be restricted by name');
  }
});

test('controller flags are real flags whose values parse, and name the objects rendered beside them', () => {
  for (const { label: overlay, objects } of allRenderings()) {
    const { container, flags } = controllerContainer(objects);
    const known = new Set(Object.keys(FLAGS));
    for (const name of flags.keys()) assert.ok(known.has(name) || PENDING_FLAGS.has(name), `${overlay}: --${name} is a controller flag`);
    const options = parseOptions(['controller', ...container.args.filter((a: string) => !PENDING_FLAGS.has(flagsOf([a]).keys().next().value!))]);
    const configMap = find(objects, 'ConfigMap', options.configMap!.split('/')[1]);
    assert.equal(configMap.metadata.namespace, options.configMap!.split('/')[0]);
    const keys = new Set(Object.values(CONFIG_KEYS).map((k) => k.key));
    for (const key of Object.keys(configMap.data)) assert.ok(keys.has(key), `${overlay}: ConfigMap key ${key} is one the controller reads`);
    const service = find(objects, 'Service', options.publishService!.name);
    assert.equal(service.metadata.namespace, options.publishService!.namespace);
    assert.equal(find(objects, 'IngressClass', options.ingressClass).spec.controller, options.controllerName);
    assert.equal(flags.get('leader-election-namespace'), '$(POD_NAMESPACE)');
    const env = new Map(container.env.map((e: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
    assert.equal(env.get('POD_NAME'), 'metadata.name', 'the leader identity is the pod name');
    assert.equal(env.get('POD_NAMESPACE'), 'metadata.namespace');

    const ports = new Map(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    assert.equal(ports.get('http'), options.httpPort);
    assert.equal(ports.get('https'), options.httpsPort);
    assert.equal(ports.get('health'), options.healthPort);
    assert.deepEqual(service.spec.ports.map((p: { targetPort: string }) => p.targetPort).sort(), ['http', 'https']);
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'health' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'health' });
  }
});

test('the pod runs non-root, without capabilities, on a read-only root with its state on a writable volume', () => {
  for (const { label: overlay, objects } of allRenderings()) {
    const { pod, container, flags } = controllerContainer(objects);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.deepEqual(pod.securityContext.sysctls, [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }], 'ports 80 and 443 without capabilities');
    assert.deepEqual(container.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === flags.get('state-dir'));
    assert.ok(mount, `${overlay}: --state-dir is a mounted volume`);
    assert.ok(!mount.readOnly);
    assert.ok(pod.volumes.find((v: { name: string }) => v.name === mount.name).emptyDir, 'the state is an emptyDir');
    assert.ok(container.volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/tmp'), '/tmp is writable');
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory);
  }
});

test('the kubelet waits longer than the preStop pause plus the shutdown grace before killing the pod', () => {
  for (const { label: overlay, objects } of allRenderings()) {
    const { pod, container, flags } = controllerContainer(objects);
    const [command, seconds] = container.lifecycle.preStop.exec.command;
    assert.equal(command, 'sleep');
    const needed = Number(seconds) + Number(flags.get('shutdown-grace'));
    assert.ok(pod.terminationGracePeriodSeconds > needed, `${overlay}: ${pod.terminationGracePeriodSeconds} s > ${needed} s`);
  }
});

test('each overlay is the variant it is named after', () => {
  const lb = render('deployment-loadbalancer');
  assert.equal(find(lb, 'Deployment', 'portcullis').spec.replicas, 2);
  assert.equal(find(lb, 'Service', 'portcullis').spec.type, 'LoadBalancer');
  assert.equal(find(lb, 'PodDisruptionBudget', 'portcullis').spec.minAvailable, 1);

  const ds = render('daemonset-nodeport');
  assert.equal(workload(ds).kind, 'DaemonSet');
  assert.equal(workload(ds).spec.replicas, undefined);
  assert.equal(workload(ds).spec.updateStrategy.type, 'RollingUpdate');
  const nodePort = find(ds, 'Service', 'portcullis').spec;
  assert.equal(nodePort.type, 'NodePort');
  assert.deepEqual(nodePort.ports.map((p: { nodePort: number }) => p.nodePort), [30080, 30443]);

  const dev = render('dev');
  const { container, flags } = controllerContainer(dev);
  assert.equal(find(dev, 'Deployment', 'portcullis').spec.replicas, 1);
  assert.equal(flags.get('log-level'), 'debug');
  assert.equal(container.image, 'portcullis:dev');
  assert.equal(controllerContainer(lb).flags.get('log-format'), 'json');
});

test('the Dockerfile builds in stages and runs HAProxy and the controller as a non-root user', () => {
  const root = repoRoot();
  const lines = readFileSync(join(root, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  assert.ok(stages.length >= 2, 'multi-stage');
  assert.match(lines.find((l) => l.startsWith('ARG NODE_IMAGE')) ?? '', /node:20-bookworm-slim$/);
  const runtime = stages.at(-1)!;
  const build = stages.find((s) => s.some((l) => /tsc/.test(l)));
  assert.ok(build && build !== runtime, 'TypeScript is compiled in a build stage');
  assert.ok(runtime.some((l) => /apt-get install .*\bhaproxy\b/.test(l)), 'the runtime stage installs haproxy');
  assert.ok(!runtime.some((l) => /npm (ci|install)(?!.*--omit=dev)/.test(l)), 'no dev dependencies in the runtime stage');
  const user = runtime.filter((l) => l.startsWith('USER ')).at(-1)?.split(/\s+/)[1] ?? 'root';
  const uid = user.split(':')[0];
  assert.ok(uid !== 'root' && uid !== '0', `runs as ${user}`);
  const { pod } = controllerContainer(render('deployment-loadbalancer'));
  assert.equal(Number(uid), pod.securityContext.runAsUser, 'the manifests run the image as its own user');
  // Only what runs: compiled code, the launcher, production modules and package.json (the version).
  const copied = runtime
    .filter((l) => l.startsWith('COPY '))
    .flatMap((l) => l.split(/\s+/).slice(1).filter((t) => !t.startsWith('--')).slice(0, -1));
  assert.deepEqual(copied.sort(), ['/src/dist', '/src/node_modules', 'bin', 'package.json']);
  assert.ok(runtime.includes('ENTRYPOINT ["node", "bin/portcullis.js", "controller"]'));
  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['node_modules', '.git', 'dist']) assert.ok(ignored.includes(entry), `.dockerignore excludes ${entry}`);
});
