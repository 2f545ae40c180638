import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '../../test/support/kube-api/index.js';
import { Store } from '../store/store.js';
import type { StoreChange } from '../store/types.js';
import { KubeSource } from './kube-source.js';

const running: Array<{ server: KubeApiServer; source: KubeSource }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.source.stop();
    await r.server.close();
  }
});

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function start(seed: (server: KubeApiServer) => void, keepSecrets: string[] = []) {
  const server = await startKubeApiServer();
  seed(server);
  const kc = new k8s.KubeConfig();
  kc.loadFromString(server.kubeConfig());
  const store = new Store();
  const source = new KubeSource({ kubeConfig: kc, store, namespaces: [], gatewayApi: 'off', minBackoffMs: 20, maxBackoffMs: 50, keepSecrets });
  running.push({ server, source });
  await source.start();
  return { server, store, source };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, data: Record<string, string> = { 'tls.crt': b64('cert'), 'tls.key': b64('key') }, type = 'kubernetes.io/tls') => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type, data,
});
/** An Opaque Secret, as auth Secrets and most of a busy cluster's Secrets are. */
const opaque = (name: string, data: Record<string, string> = { auth: b64('user:$1$x$y') }, type = 'Opaque') => secret(name, data, type);
const ingress = (name: string, spec: object, annotations: Record<string, string> = {}) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', annotations }, spec,
});

describe('KubeSource at scale', () => {
  it('reads a list of 2,500 objects in pages of 500', async () => {
    const { server, store } = await start((s) => {
      for (let i = 0; i < 2500; i++) s.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    });
    assert.equal(store.snapshot().services.size, 2500);
    const lists = server.requests.filter((r) => r.path.startsWith('/api/v1/services?') && !r.path.includes('watch=true'));
    assert.equal(lists.length, 5, lists.map((r) => r.path).join('\n'));
    assert.ok(lists.every((r) => r.path.includes('limit=500')));
    assert.equal(lists.filter((r) => r.path.includes('continue=')).length, 4);
  });

  it('keeps the data of referenced Secrets only', async () => {
    const { store } = await start((s) => {
      s.create(secret('tls'));
      s.create(opaque('auth'));
      s.create(secret('default-cert'));
      s.create(secret('unnamed-tls'));
      s.create(opaque('helm-release', { release: b64('x'.repeat(20_000)) }, 'helm.sh/release.v1'));
      s.create(ingress('web', { tls: [{ hosts: ['a.example'], secretName: 'tls' }], rules: [{ host: 'a.example' }] }, { 'haproxy.org/auth-secret': 'auth' }));
    }, ['default/default-cert']);
    const secrets = store.snapshot().secrets;
    assert.deepEqual(Object.keys(secrets.get('default/tls')!.data).sort(), ['tls.crt', 'tls.key']);
    assert.deepEqual(Object.keys(secrets.get('default/auth')!.data), ['auth']);
    assert.deepEqual(Object.keys(secrets.get('default/default-cert')!.data).sort(), ['tls.crt', 'tls.key']);
    // A TLS Secret keeps its data even when nothing names it yet: it must be there the moment
    // something does.
    assert.deepEqual(Object.keys(secrets.get('default/unnamed-tls')!.data).sort(), ['tls.crt', 'tls.key']);
    const helm = secrets.get('default/helm-release')!;
    assert.deepEqual(helm.data, {});
    assert.equal(helm.trimmed, true);
    assert.equal(helm.type, 'helm.sh/release.v1');
  });

  it('fetches the data of a trimmed Secret once something names it, and trims a new unreferenced one', async () => {
    const { server, store } = await start((s) => {
      s.create(opaque('later'));
    });
    assert.equal(store.get('Secret', 'default/later')?.trimmed, true);
    server.create(ingress('web', { rules: [{ host: 'a.example' }] }, { 'haproxy.org/auth-secret': 'later' }));
    await until('the data of the Secret named later', () => store.get('Secret', 'default/later')?.data.auth === b64('user:$1$x$y'));
    assert.equal(store.get('Secret', 'default/later')?.trimmed, undefined);
    assert.ok(server.requests.some((r) => r.method === 'GET' && r.path.startsWith('/api/v1/namespaces/default/secrets/later')));
    // A Secret created after the reference arrives with its data; one nothing names arrives trimmed.
    server.create(ingress('other', { rules: [{ host: 'b.example' }] }, { 'haproxy.org/auth-secret': 'future' }));
    await until('the Ingress named other', () => store.get('Ingress', 'default/other') !== undefined);
    server.create(opaque('future'));
    server.create(opaque('unrelated'));
    await until('both new Secrets', () => store.get('Secret', 'default/unrelated') !== undefined && store.get('Secret', 'default/future') !== undefined);
    assert.equal(store.get('Secret', 'default/future')?.data.auth, b64('user:$1$x$y'));
    assert.equal(store.get('Secret', 'default/unrelated')?.trimmed, true);
  });

  it('relists after 410 Gone in pages, with no change for unchanged objects', async () => {
    const { server, store } = await start((s) => {
      for (let i = 0; i < 1200; i++) s.create(secret(`s-${i}`));
      s.create(ingress('web', { tls: [{ secretName: 's-7' }] }));
    });
    const changes: StoreChange[] = [];
    store.on('change', (c: StoreChange) => changes.push(c));
    const listed = () => server.requests.filter((r) => r.path.startsWith('/api/v1/secrets?') && !r.path.includes('watch=true')).length;
    const before = listed();
    // A write elsewhere, then compaction: the Secret watch resumes from a version now forgotten.
    server.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'default' }, data: {} });
    server.compactHistory();
    server.closeWatches();
    await until('the Secrets listed again', () => listed() >= before + 3);
    server.create(secret('after-relist'));
    await until('a Secret made after the relist', () => store.get('Secret', 'default/after-relist') !== undefined);
    assert.deepEqual(changes.filter((c) => c.kind === 'Secret').map((c) => c.key), ['default/after-relist']);
    assert.equal(store.get('Secret', 'default/s-7')?.data['tls.crt'], b64('cert'));
  });
});
