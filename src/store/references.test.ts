import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATION_KEYS } from '../translate/annotations/registry.js';
import { SECRET_ANNOTATION_KEYS, SecretReferences, secretsReferencedBy } from './references.js';
import type { ConfigMap, Gateway, Ingress, ObjectMeta } from './types.js';

const meta = (name: string, annotations: Record<string, string> = {}): ObjectMeta => ({
  namespace: 'ns', name, uid: '', resourceVersion: '', generation: 0, creationTimestamp: '', labels: {}, annotations,
});
const ingress = (name: string, secretNames: string[], annotations: Record<string, string> = {}): Ingress => ({
  kind: 'Ingress', metadata: meta(name, annotations), spec: { tls: secretNames.map((secretName) => ({ hosts: [], secretName })), rules: [] }, status: { loadBalancer: { ingress: [] } },
});

describe('secretsReferencedBy', () => {
  it('reads Ingress tls entries and Secret annotations of any prefix, bare or namespaced', () => {
    const ing = ingress('web', ['tls-a'], { 'haproxy.org/auth-secret': 'users', 'ingress.kubernetes.io/server-ca': 'other/ca', 'haproxy.org/timeout-server': '5s' });
    assert.deepEqual(secretsReferencedBy(ing).sort(), ['ns/tls-a', 'ns/users', 'other/ca']);
  });

  it('reads ConfigMap keys and Gateway certificateRefs of kind Secret only', () => {
    const cm: ConfigMap = { kind: 'ConfigMap', metadata: meta('portcullis'), data: { 'ssl-certificate': 'certs/default', 'timeout-client': '5s' } };
    assert.deepEqual(secretsReferencedBy(cm), ['certs/default']);
    const refs = [{ group: '', kind: 'Secret', name: 'gw-cert' }, { group: '', kind: 'Secret', name: 'x', namespace: 'certs' }, { group: 'example.com', kind: 'Vault', name: 'v' }];
    const gw = { kind: 'Gateway', metadata: meta('gw'), spec: { gatewayClassName: 'c', addresses: [], listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: refs, options: {} }, allowedRoutes: { namespaces: { from: 'Same' }, kinds: [] } }] } } as unknown as Gateway;
    assert.deepEqual(secretsReferencedBy(gw), ['ns/gw-cert', 'certs/x']);
  });

  it('knows every annotation key translate reads as a Secret', () => {
    const secretKeys = ANNOTATION_KEYS.filter((def) => def.type.startsWith('Secret')).flatMap((def) => [def.name, ...(def.aliases ?? [])]);
    assert.ok(secretKeys.length > 0);
    assert.deepEqual([...secretKeys].sort(), [...SECRET_ANNOTATION_KEYS].sort());
  });
});

describe('SecretReferences', () => {
  it('reports newly referenced Secrets once and keeps a Secret two objects name until both let go', () => {
    const refs = new SecretReferences(['certs/default']);
    const upsert = (object: Ingress) => refs.update({ kind: 'Ingress', key: `ns/${object.metadata.name}`, type: 'upsert', object });
    assert.deepEqual(upsert(ingress('a', ['shared', 'only-a'])), ['ns/shared', 'ns/only-a']);
    assert.deepEqual(upsert(ingress('b', ['shared'])), []);
    assert.deepEqual(upsert(ingress('a', ['shared', 'only-a'])), [], 'an unchanged object names nothing new');
    refs.update({ kind: 'Ingress', key: 'ns/a', type: 'delete' });
    assert.equal(refs.has('ns/only-a'), false);
    assert.equal(refs.has('ns/shared'), true);
    refs.update({ kind: 'Ingress', key: 'ns/b', type: 'delete' });
    assert.equal(refs.has('ns/shared'), false);
    assert.equal(refs.has('certs/default'), true, 'the default certificate is always referenced');
    assert.deepEqual(upsert(ingress('c', ['certs/default'])), [], 'already referenced');
  });
});
