/**
 * Ingress edits through the translator and the planner, as the scale benchmark makes them: which
 * edits are Runtime API map changes and which remove or add a backend (a reload on HAProxy 2.6).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalise } from '../../sources/normalise.js';
import { Store } from '../../store/store.js';
import { translate } from '../../translate/index.js';
import type { TranslateOptions } from '../../translate/types.js';
import { selfSignedCertificate } from '../../../test/support/certs.js';
import { endpointSlice, ingress, ingressClass, service } from '../../../test/support/objects.js';
import { planLayout } from '../render/layout.js';
import type { Applied } from '../types.js';
import { commandLine } from './commands.js';
import { planUpdate } from './plan.js';

const fallback = selfSignedCertificate({ hosts: ['fallback.invalid'] });
const OPTIONS: TranslateOptions = {
  ingressClass: 'portcullis',
  controllerName: 'portcullis.dev/ingress-controller',
  watchIngressWithoutClass: false,
  fallbackCertificate: { pem: fallback.certPem + fallback.keyPem },
  bindAddress: '127.0.0.1',
  httpPort: 80,
  httpsPort: 443,
};

const port = [{ name: 'http', port: 8080 }];
const probe = (svc: string) => ingress('bench', 'probe', [{ host: 'probe.bench.example', paths: [{ service: svc, port: 80 }] }]);
/** An Ingress giving `svc` a host of its own, so its backend exists whichever Service the probe names. */
const own = (svc: string) => ingress('bench', svc, [{ host: `${svc}.bench.example`, paths: [{ service: svc, port: 80 }] }]);

/** The probe names probe-a; `routed` lists the Services that also have a route of their own. */
function cluster(routed: string[]): Store {
  const store = new Store();
  const add = (raw: object) => store.upsert(normalise(raw)!);
  add(ingressClass());
  for (const [svc, address] of [['probe-a', '127.0.61.1'], ['probe-b', '127.0.61.2']]) {
    add(service('bench', svc, [{ name: 'http', port: 80, targetPort: 8080 }]));
    add(endpointSlice('bench', svc, [{ address }], port));
  }
  for (const svc of routed) add(own(svc));
  add(probe('probe-a'));
  return store;
}

function planEdit(routed: string[], edit: object) {
  const store = cluster(routed);
  const before = translate(store.snapshot(), OPTIONS).model;
  store.upsert(normalise(edit)!);
  const after = translate(store.snapshot(), OPTIONS).model;
  const prev: Applied = { model: before, layout: planLayout(undefined, before) };
  const plan = planUpdate(prev, { model: after, layout: planLayout(prev.layout, after, before) });
  return plan.reload ? { reasons: plan.reasons } : { lines: plan.commands.map(commandLine) };
}

const cases: [string, string[], object, { lines: string[] } | { reasons: string[] }][] = [
  ['a path moved between two Services that both keep a route is a map change', ['probe-a', 'probe-b'], probe('probe-b'), {
    lines: ['set map maps/exact.map probe.bench.example/ bench_probe-b_80', 'set map maps/prefix.map probe.bench.example/ bench_probe-b_80'],
  }],
  ['a path moved off the last route of its Service removes that backend', ['probe-b'], probe('probe-b'), {
    reasons: ['backend bench_probe-a_80 removed'],
  }],
  ['a path moved to a Service no route names yet adds its backend', ['probe-a'], probe('probe-b'), {
    reasons: ['backend bench_probe-b_80 added'],
  }],
];

describe('planUpdate after an Ingress edit', () => {
  for (const [name, routed, edit, expected] of cases) test(name, () => assert.deepEqual(planEdit(routed, edit), expected));
});
