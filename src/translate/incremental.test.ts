import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalise } from '../sources/normalise.js';
import { Store } from '../store/store.js';
import { SERVICE_NAME_LABEL, type EndpointSlice } from '../store/types.js';
import { patchEndpoints, translate } from './index.js';
import type { TranslateOptions, TranslateResult } from './types.js';
import { deepFreeze } from '../../test/support/haproxy/model.js';
import { baseTranslateOptions } from '../../test/support/fixtures.js';

/** The options every translate table starts from: the cases here differ in objects, not options. */
const OPTIONS: TranslateOptions = baseTranslateOptions();

/** Deterministic pseudo-random numbers (mulberry32), so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const meta = (name: string, extra: object = {}) => ({ name, namespace: 'ns', resourceVersion: '', creationTimestamp: '2026-01-01T00:00:00Z', ...extra });

/** Services with named, unnamed and several ports, an ExternalName one, and Ingresses using them by name and number, one with its own backend settings. */
function cluster(store: Store): void {
  const add = (raw: object) => store.upsert(normalise(raw)!);
  add({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portcullis' }, spec: { controller: OPTIONS.controllerName } });
  add({ apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: { ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] } });
  add({ apiVersion: 'v1', kind: 'Service', metadata: meta('api'), spec: { ports: [{ port: 8080 }] } });
  add({ apiVersion: 'v1', kind: 'Service', metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'example.net', ports: [{ port: 443 }] } });
  const path = (p: string, service: string, port: object) => ({ path: p, pathType: 'Prefix', backend: { service: { name: service, port } } });
  add({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('one'),
    spec: { ingressClassName: 'portcullis', rules: [{ host: 'a.example', http: { paths: [path('/', 'web', { name: 'http' }), path('/m', 'web', { number: 9090 }), path('/api', 'api', { number: 8080 }), path('/ext', 'ext', { number: 443 })] } }] },
  });
  add({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('two', { annotations: { 'haproxy.org/timeout-server': '7s' } }),
    spec: { ingressClassName: 'portcullis', rules: [{ host: 'b.example', http: { paths: [path('/', 'web', { number: 80 }), path('/api', 'api', { number: 8080 })] } }] },
  });
}

/** One random EndpointSlice change: new addresses and conditions, another port name, a relabel, or a deletion. */
function randomSlice(random: () => number, index: number): EndpointSlice | undefined {
  if (random() < 0.15) return undefined;
  const services = ['web', 'api', 'ext', 'gone'];
  const service = services[Math.floor(random() * services.length)];
  const portNames = service === 'web' ? ['http', 'metrics', 'other'] : ['', 'x'];
  const ports = portNames.filter(() => random() < 0.7).map((name, i) => ({ name, port: 8000 + i + Math.floor(random() * 3) }));
  const endpoints = Array.from({ length: Math.floor(random() * 4) }, () => ({
    addresses: [`10.0.0.${1 + Math.floor(random() * 6)}`],
    conditions: { ready: random() < 0.6, serving: random() < 0.7, terminating: random() < 0.4 },
  }));
  return normalise({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: meta(`slice-${index}`, { labels: { [SERVICE_NAME_LABEL]: service } }),
    addressType: random() < 0.9 ? 'IPv4' : 'FQDN', endpoints, ports,
  }) as EndpointSlice;
}

describe('patchEndpoints', () => {
  it('gives exactly what a full translation gives, over a long random sequence of EndpointSlice changes', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = prng(seed);
      const store = new Store();
      cluster(store);
      let patched: TranslateResult = translate(store.snapshot(), OPTIONS);
      let patchedSteps = 0;
      for (let step = 0; step < 150; step++) {
        const index = Math.floor(random() * 3);
        const before = store.get('EndpointSlice', `ns/slice-${index}`);
        const slice = randomSlice(random, index);
        if (slice) store.upsert(slice);
        else store.delete('EndpointSlice', `ns/slice-${index}`);
        const services = new Set<string>();
        for (const s of [before, slice]) if (s) services.add(`ns/${s.metadata.labels[SERVICE_NAME_LABEL] ?? ''}`);
        const full = translate(store.snapshot(), OPTIONS);
        // Frozen: the patch must build new objects, never change the previous result in place.
        const next = patchEndpoints(deepFreeze(patched), store.snapshot(), services);
        assert.ok(next, 'a result with endpoint sources can always be patched');
        assert.deepEqual(next.model, full.model, `seed ${seed} step ${step}: model`);
        assert.deepEqual(next.diagnostics, full.diagnostics, `seed ${seed} step ${step}: diagnostics`);
        if (next !== patched) patchedSteps++;
        patched = next;
      }
      assert.ok(patchedSteps > 20, `seed ${seed}: the sequence changed servers often enough to prove something (${patchedSteps})`);
    }
  });

  it('keeps untouched backends and routes by reference, so the planner can skip them', () => {
    const store = new Store();
    cluster(store);
    const first = translate(store.snapshot(), OPTIONS);
    store.upsert(normalise({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('s', { labels: { [SERVICE_NAME_LABEL]: 'api' } }),
      addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.9'], conditions: { ready: true } }], ports: [{ port: 8080 }],
    })!);
    const next = patchEndpoints(first, store.snapshot(), new Set(['ns/api']))!;
    assert.equal(next.model.routes, first.model.routes);
    const byName = new Map(first.model.backends.map((b) => [b.name, b]));
    for (const backend of next.model.backends) {
      if (backend.name.startsWith('ns_api_')) assert.deepEqual(backend.servers, [{ address: '10.0.0.9', port: 8080, state: 'ready' }]);
      else assert.equal(backend, byName.get(backend.name), `${backend.name} is the same object`);
    }
  });
});
