import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventually } from '../../test/support/eventually.js';
import { Store } from '../store/store.js';
import { ManifestSource, type ManifestError } from './manifest-source.js';

const svc = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: n}\nspec: {ports: [{port: 80}]}\n`;

describe('ManifestSource', () => {
  it('loads multi-document files and List kinds, and follows edits, additions and deletions', async () => {
    await withSource(async ({ dir, store, source, errors }) => {
      await writeFile(join(dir, 'a.yaml'), `${svc('one')}---\n${svc('two')}`);
      await writeFile(join(dir, 'b.json'), JSON.stringify({ kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'n' }, data: {} }] }));
      await source.start();
      assert.ok(store.isSynced());
      assert.deepEqual(store.list('Service').map((s) => s.metadata.name).sort(), ['one', 'two']);
      assert.equal(store.list('ConfigMap').length, 1);

      await writeFile(join(dir, 'a.yaml'), svc('one'));
      await writeFile(join(dir, 'c.yml'), svc('three'));
      await unlink(join(dir, 'b.json'));
      await waitFor(() => store.list('Service').length === 2 && store.list('ConfigMap').length === 0 && !!store.get('Service', 'n/three'));
      assert.deepEqual(errors, [], 'a file deleted while the folder is read is not an error');
    });
  });

  it('loads Gateway API objects and Namespaces with the schema defaults, and follows their edits', async () => {
    const gateway = `apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {team: a}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: portcullis}
spec: {controllerName: portcullis.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: n}
spec:
  gatewayClassName: portcullis
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: a}}}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: team-a}
spec:
  parentRefs: [{name: gw, namespace: n}]
  hostnames: [a.example]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g, namespace: n}
spec: {parentRefs: [{name: gw}]}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: allow, namespace: n}
spec: {from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: team-a}], to: [{group: '', kind: Service}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: tls, namespace: n}
spec: {targetRefs: [{group: '', kind: Service, name: web}], validation: {hostname: web.example, wellKnownCACertificates: System}}
`;
    await withSource(async ({ dir, store, source, errors }) => {
      await writeFile(join(dir, 'gateway.yaml'), gateway);
      await source.start();
      assert.ok(store.isSynced());
      const s = store.snapshot();
      assert.deepEqual([s.gatewayClasses.size, s.gateways.size, s.httpRoutes.size, s.grpcRoutes.size, s.referenceGrants.size, s.backendTLSPolicies.size, s.namespaces.size], [1, 1, 1, 1, 1, 1, 1]);
      assert.deepEqual(s.namespaces.get('team-a')?.metadata.labels, { team: 'a' });
      assert.deepEqual(s.httpRoutes.get('team-a/r')?.spec.rules[0].matches, [{ path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }]);
      assert.deepEqual(s.httpRoutes.get('team-a/r')?.spec.rules[0].backendRefs[0], { group: '', kind: 'Service', name: 'web', port: 80, weight: 1, filters: [] });
      assert.equal(s.gateways.get('n/gw')?.spec.listeners[0].allowedRoutes.namespaces.selector?.matchLabels.team, 'a');

      await writeFile(join(dir, 'gateway.yaml'), gateway.replace('hostnames: [a.example]', 'hostnames: [b.example]'));
      await waitFor(() => store.get('HTTPRoute', 'team-a/r')?.spec.hostnames[0] === 'b.example', 'the edited HTTPRoute');
      assert.deepEqual(errors, []);
    });
  });

  it('follows files replaced by a new inode (as cp and editors do) every time, and new subfolders', async () => {
    await withSource(async ({ dir, store, source, errors }) => {
      const replace = async (name: string) => {
        await writeFile(join(dir, '.next'), svc(name));
        await rename(join(dir, '.next'), join(dir, 'a.yaml'));
        await waitFor(() => store.list('Service').map((s) => s.metadata.name).join() === name, `replaced by ${name}`);
      };
      await writeFile(join(dir, 'a.yaml'), svc('v0'));
      await source.start();
      for (const name of ['v1', 'v2', 'v3', 'v1']) await replace(name);
      await unlink(join(dir, 'a.yaml'));
      await waitFor(() => store.list('Service').length === 0, 'file deleted');
      await mkdir(join(dir, 'team', 'app'), { recursive: true });
      await writeFile(join(dir, 'team', 'app', 'svc.yaml'), svc('nested'));
      await waitFor(() => !!store.get('Service', 'n/nested'), 'file in a new subfolder');
      await writeFile(join(dir, 'team', 'app', 'svc.yaml'), svc('nested-edited'));
      await waitFor(() => !!store.get('Service', 'n/nested-edited'), 'file in the subfolder edited');
      await rm(join(dir, 'team'), { recursive: true });
      await waitFor(() => store.list('Service').length === 0, 'subfolder removed');
      assert.deepEqual(errors, []);
    });
  });

  it('reads a mounted ConfigMap volume (files linked through ..data) once, and follows its atomic swap', async () => {
    await withSource(async ({ dir, store, source }) => {
      // The layout the kubelet writes: a timestamped hidden folder, `..data` pointing at it, and
      // one visible symlink per key through `..data`; an update swaps `..data` by a rename.
      const version = async (name: string, service: string) => {
        await mkdir(join(dir, name));
        await writeFile(join(dir, name, 'svc.yaml'), svc(service));
      };
      await version('..2026_01', 'first');
      await symlink('..2026_01', join(dir, '..data'));
      await symlink('..data/svc.yaml', join(dir, 'svc.yaml'));
      await source.start();
      assert.deepEqual(store.list('Service').map((s) => s.metadata.name), ['first']);
      await version('..2026_02', 'second');
      await symlink('..2026_02', join(dir, '..data_tmp'));
      await rename(join(dir, '..data_tmp'), join(dir, '..data'));
      await waitFor(() => store.list('Service').map((s) => s.metadata.name).join() === 'second', 'the swapped version');
    });
  });

  it('keeps the previous objects of a file that stops parsing, and reports it', async () => {
    await withSource(async ({ dir, store, source, errors }) => {
      await writeFile(join(dir, 'a.yaml'), svc('one'));
      await source.start();
      await writeFile(join(dir, 'a.yaml'), 'kind: Service\nmetadata: {name: [unclosed\n');
      await waitFor(() => errors.length > 0);
      assert.equal(errors[0].file, 'a.yaml');
      assert.ok(store.get('Service', 'n/one'), 'the last good objects of the file stay');
    });
  });
});

/** A manifest folder of its own, with its source and the errors it reported; removed afterwards. */
async function withSource(body: (t: { dir: string; store: Store; source: ManifestSource; errors: ManifestError[] }) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'manifests-'));
  const store = new Store();
  const source = new ManifestSource(dir, store, 10);
  const errors: ManifestError[] = [];
  source.on('error', (e: ManifestError) => errors.push(e));
  try {
    await body({ dir, store, source, errors });
  } finally {
    source.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitFor(check: () => boolean, what = 'condition'): Promise<void> {
  await eventually(check, { timeoutMs: 5000, what });
}
