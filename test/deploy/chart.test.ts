import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions } from '../../src/app/options.js';
import { chartReadme, CHART_DIR, valueRows } from '../../tools/chart-doc.js';
import { runTool } from '../support/tools.js';
import { CHART_VALUE_SETS, chartRenderings, find, flagsOf, render, renderChart, repoRoot, workload, type KubeObject, type Overlay } from './render.js';

/** Labels and selector keys only a Helm release has; the overlays have none of them. */
const RELEASE_LABELS = new Set(['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version', 'helm.sh/chart']);

/** `obj` without release labels anywhere and with its arguments sorted, for comparing with an overlay. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (RELEASE_LABELS.has(key)) continue;
    out[key] = key === 'args' && Array.isArray(item) ? [...item].sort() : comparable(item);
  }
  return out;
}

function byName(objects: readonly KubeObject[]): Map<string, unknown> {
  return new Map(objects.filter((o) => o.kind !== 'Namespace').map((o) => [`${o.kind}/${o.metadata.name}`, comparable(o)]));
}

function helm(args: string[], values: object = {}): string {
  return runTool('helm', [...args, join(repoRoot(), CHART_DIR), '--values', '-'], JSON.stringify(values));
}

function argsOf(objects: readonly KubeObject[]): Map<string, string> {
  return flagsOf(workload(objects).spec.template.spec.containers[0].args);
}

test('helm lint --strict passes with the defaults and with every value set', () => {
  for (const { label, values } of CHART_VALUE_SETS) {
    const output = helm(['lint', '--strict'], values);
    assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/, label);
  }
});

test('the chart renders what the overlays render, object for object, apart from release labels', () => {
  const pairs: Array<[Overlay, object]> = [
    ['deployment-loadbalancer', {}],
    ['daemonset-nodeport', { kind: 'DaemonSet', service: { type: 'NodePort', nodePorts: { http: 30080, https: 30443 } } }],
    ['dev', { replicas: 1, logLevel: 'debug', image: { tag: 'dev', pullPolicy: 'Never' } }],
  ];
  for (const [overlay, values] of pairs) {
    const chart = byName(renderChart(values));
    const kustomized = byName(render(overlay));
    assert.deepEqual([...chart.keys()].sort(), [...kustomized.keys()].sort(), `${overlay}: the same objects`);
    for (const [key, obj] of kustomized) assert.deepEqual(chart.get(key), obj, `${overlay}: ${key}`);
  }
});

test('every chart object carries the release labels, and selectors never carry a version', () => {
  for (const { label, objects } of chartRenderings()) {
    for (const obj of objects) {
      assert.equal(obj.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm', `${label}: ${obj.kind}/${obj.metadata.name}`);
    }
    const selector = workload(objects).spec.selector.matchLabels;
    assert.deepEqual(Object.keys(selector).sort(), ['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name'], label);
  }
});

test('metrics: a metrics Service on the health port and HAProxy exporter, scraped by a ServiceMonitor that selects only it', () => {
  const metricsSet = CHART_VALUE_SETS.find((s) => s.label === 'metrics')!;
  const objects = renderChart(metricsSet.values);
  const container = workload(objects).spec.template.spec.containers[0];
  const ports = new Map<string, number>(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
  assert.equal(argsOf(objects).get('stats-port'), '9101');
  assert.equal(ports.get('haproxy-stats'), 9101);
  const service = find(objects, 'Service', 'portcullis-metrics');
  assert.equal(service.spec.type, 'ClusterIP');
  assert.deepEqual(
    service.spec.ports.map((p: { name: string; port: number; targetPort: string }) => [p.name, p.port, ports.get(p.targetPort)]),
    [['metrics', 10254, 10254], ['haproxy-metrics', 9101, 9101]],
  );
  assert.deepEqual(service.spec.selector, workload(objects).spec.selector.matchLabels, 'the metrics Service selects the controller pods');

  const monitor = find(objects, 'ServiceMonitor', 'portcullis');
  assert.equal(monitor.metadata.labels.release, 'prometheus', 'extra labels for the operator');
  assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: ['portcullis'] });
  const selected = objects.filter((o) => o.kind === 'Service' && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
  assert.deepEqual(selected.map((o) => o.metadata.name), ['portcullis-metrics'], 'selects the metrics Service and not the traffic Service');
  const servicePorts = service.spec.ports.map((p: { name: string }) => p.name);
  for (const endpoint of monitor.spec.endpoints) {
    assert.ok(servicePorts.includes(endpoint.port), `endpoint port ${endpoint.port} is a port of the metrics Service`);
    assert.equal(endpoint.path, '/metrics');
  }
  assert.equal(monitor.spec.endpoints.length, 2);

  const plain = renderChart({});
  assert.deepEqual(plain.filter((o) => o.kind === 'ServiceMonitor' || o.metadata.name.endsWith('-metrics')), [], 'nothing of it by default');
  assert.equal(argsOf(plain).get('stats-port'), undefined);
});

test('leader election: the Lease name and timings reach the controller flags and the Role; the defaults stay the controller\'s', () => {
  const set = CHART_VALUE_SETS.find((s) => s.label === 'leader election')!;
  const objects = renderChart(set.values);
  const flags = argsOf(objects);
  assert.equal(flags.get('leader-election-name'), 'edge-status');
  const options = parseOptions(['controller', ...[...flags].filter(([k]) => k.startsWith('leader-election-') && k !== 'leader-election-namespace').map(([k, v]) => `--${k}=${v}`)]);
  assert.deepEqual(options.leaderElection, { leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 4_000 });
  const leaseRule = find(objects, 'Role', 'portcullis').rules.find((r: { resources: string[]; resourceNames?: string[] }) => r.resources.includes('leases') && r.resourceNames);
  assert.deepEqual(leaseRule.resourceNames, ['edge-status']);
  assert.equal(find(objects, 'Deployment', 'portcullis').spec.replicas, 3);
  assert.equal(find(objects, 'PodDisruptionBudget', 'portcullis').spec.minAvailable, 1);

  const defaults = argsOf(renderChart({}));
  assert.deepEqual([...defaults.keys()].filter((k) => /lease-duration|renew-deadline|retry-period/.test(k)), []);
  assert.equal(defaults.get('leader-election-name'), 'portcullis-leader');
});

test('another release and namespace: names follow the release, the namespace is created restricted, values are strings', () => {
  const objects = chartRenderings().find((r) => r.label.includes('own namespace'))!.objects;
  const namespace = find(objects, 'Namespace', 'ingress');
  assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
  const flags = argsOf(objects);
  assert.equal(flags.get('configmap'), 'ingress/edge-portcullis');
  assert.equal(flags.get('publish-service'), 'ingress/edge-portcullis');
  assert.equal(flags.get('leader-election-name'), 'edge-portcullis-leader');
  assert.equal(flags.get('ingress-class'), 'edge');
  assert.equal(flags.get('log-level'), 'debug');
  assert.equal(find(objects, 'IngressClass', 'edge').metadata.annotations['ingressclass.kubernetes.io/is-default-class'], 'true');
  assert.deepEqual(find(objects, 'ConfigMap', 'edge-portcullis').data, { 'ssl-redirect': 'false', 'timeout-server': '2m' });
  assert.equal(objects.filter((o) => o.kind === 'PodDisruptionBudget').length, 0, 'no budget that would block drains of a single replica');
});

test('values the chart cannot render fail with one clear message', () => {
  const cases: Array<[object, RegExp]> = [
    [{ kind: 'StatefulSet' }, /kind must be Deployment or DaemonSet, not StatefulSet/],
    [{ service: { type: 'ExternalName' } }, /service.type must be LoadBalancer, NodePort or ClusterIP/],
    [{ metrics: { serviceMonitor: { enabled: true } } }, /metrics.serviceMonitor.enabled needs metrics.service: true/],
    [{ service: { type: 'ClusterIP', nodePorts: { http: 30080 } } }, /service.nodePorts need service.type NodePort or LoadBalancer/],
  ];
  for (const [values, message] of cases) assert.throws(() => helm(['template', 'portcullis'], values), message);
});

test('every value is documented, and the README table is the one values.yaml generates', () => {
  const root = repoRoot();
  const rows = valueRows(readFileSync(join(root, CHART_DIR, 'values.yaml'), 'utf8'));
  for (const path of ['kind', 'replicas', 'service.type', 'config', 'leaderElection.name', 'metrics.serviceMonitor.enabled', 'podDisruptionBudget.enabled']) {
    assert.ok(rows.some((r) => r.path === path), `${path} is in the table`);
  }
  assert.throws(() => valueRows('# doc\ndocumented: 1\nnested:\n  # doc\n  ok: 1\n  bare: 2\n'), /nested.bare has no comment/);
  assert.throws(() => valueRows('# fine\na: 1\nb: 2\n'), /b has no comment/);
  assert.equal(readFileSync(join(root, CHART_DIR, 'README.md'), 'utf8'), chartReadme(root), 'README.md is out of date: run npm run docs');
});
