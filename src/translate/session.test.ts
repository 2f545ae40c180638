import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalise } from '../sources/normalise.js';
import { Store } from '../store/store.js';
import { SERVICE_NAME_LABEL, type StoreChange } from '../store/types.js';
import { deepFreeze } from '../../test/support/haproxy/model.js';
import { translate } from './index.js';
import { TranslatorSession } from './session.js';
import type { TranslateOptions } from './types.js';
import { baseTranslateOptions } from '../../test/support/fixtures.js';

/** The options every translate table starts from: the cases here differ in objects, not options. */
const OPTIONS: TranslateOptions = baseTranslateOptions();

const meta = (name: string, extra: object = {}) => ({ name, namespace: 'ns', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z', ...extra });

function slice(name: string, service: string, address: string): object {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta(name, { labels: { [SERVICE_NAME_LABEL]: service } }),
    addressType: 'IPv4', endpoints: [{ addresses: [address], conditions: { ready: true } }], ports: [{ name: '', port: 8080 }],
  };
}

/** A store with one Ingress routing two Services, recording every change it emits. */
function setup() {
  const store = new Store();
  const changes: StoreChange[] = [];
  store.on('change', (c: StoreChange) => changes.push(c));
  const add = (raw: object) => store.upsert(normalise(raw)!);
  add({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portcullis' }, spec: { controller: OPTIONS.controllerName } });
  for (const name of ['web', 'api']) add({ apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec: { ports: [{ port: 8080 }] } });
  add({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('one'),
    spec: {
      ingressClassName: 'portcullis',
      rules: [{ host: 'a.example', http: { paths: ['web', 'api'].map((s) => ({ path: `/${s}`, pathType: 'Prefix', backend: { service: { name: s, port: { number: 8080 } } } })) } }],
    },
  });
  add(slice('web-1', 'web', '10.0.0.1'));
  add(slice('api-1', 'api', '10.0.1.1'));
  const session = new TranslatorSession(OPTIONS);
  const take = () => changes.splice(0);
  return { store, add, session, take };
}

describe('TranslatorSession', () => {
  test('the first result is a full translation, whatever the changes say', () => {
    const { store, session, take } = setup();
    const { result, kind } = session.next(store.snapshot(), take());
    assert.equal(kind, 'full');
    assert.deepEqual(result.model, translate(store.snapshot(), { ...OPTIONS, excluded: new Set() }).model);
  });

  const cases: { desc: string; change: (s: ReturnType<typeof setup>) => void; kind: 'full' | 'endpoints'; all?: boolean; excluded?: string[] }[] = [
    { desc: 'only EndpointSlices changed: the backends they feed are patched', change: (s) => s.add(slice('web-1', 'web', '10.0.0.2')), kind: 'endpoints' },
    { desc: 'a new EndpointSlice for a Service: patched', change: (s) => s.add(slice('web-2', 'web', '10.0.0.3')), kind: 'endpoints' },
    { desc: 'an EndpointSlice deleted: patched', change: (s) => s.store.delete('EndpointSlice', 'ns/api-1'), kind: 'endpoints' },
    { desc: 'a Service changed: full', change: (s) => s.add({ apiVersion: 'v1', kind: 'Service', metadata: meta('web', { resourceVersion: '2' }), spec: { ports: [{ port: 8080 }, { port: 9090 }] } }), kind: 'full' },
    { desc: 'an EndpointSlice and an Ingress changed: full', change: (s) => { s.add(slice('web-1', 'web', '10.0.0.9')); s.add({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('two'), spec: { ingressClassName: 'portcullis', defaultBackend: { service: { name: 'web', port: { number: 8080 } } } } }); }, kind: 'full' },
    { desc: 'the caller kept no list of changes: full', change: (s) => s.add(slice('web-1', 'web', '10.0.0.4')), kind: 'full', all: true },
    { desc: 'the exclusions changed: full, with the object left out', change: (s) => s.add(slice('web-1', 'web', '10.0.0.5')), kind: 'full', excluded: ['Ingress/ns/one'] },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const s = setup();
      const first = s.session.next(s.store.snapshot(), s.take());
      deepFreeze(first.result);
      c.change(s);
      const excluded = new Set(c.excluded ?? []);
      const changes = s.take();
      const { result, kind } = s.session.next(s.store.snapshot(), c.all ? 'all' : changes, excluded);
      assert.equal(kind, c.kind);
      const full = translate(s.store.snapshot(), { ...OPTIONS, excluded });
      assert.deepEqual(result.model, full.model);
      assert.deepEqual(result.diagnostics, full.diagnostics);
      if (c.excluded) assert.equal(result.model.routes.length, 0);
    });
  }

  test('with the same exclusions as before, endpoint changes are patched again', () => {
    const s = setup();
    const excluded = new Set(['Ingress/ns/absent']);
    s.session.next(s.store.snapshot(), s.take(), excluded);
    s.add(slice('web-1', 'web', '10.0.0.7'));
    assert.equal(s.session.next(s.store.snapshot(), s.take(), new Set(excluded)).kind, 'endpoints');
  });
});
