import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptySnapshot, type Condition as StoredCondition, type Gateway, type GatewayClass, type HTTPRoute, type RouteParentStatus, type Snapshot } from '../store/types.js';
import type { Condition, GatewayApiReport, ParentRef } from '../translate/gateway-report.js';
import { planGatewayStatus, type GatewayStatusWrite } from './gateway.js';

const OURS = 'portcullis.dev/gateway-controller';
const OTHER = 'example.com/other-controller';
const T0 = '2024-01-01T00:00:00Z';
const NOW = '2025-06-01T12:00:00Z';
const G = 'gateway.networking.k8s.io';

const meta = (namespace: string, name: string, generation = 1) => ({ namespace, name, uid: `uid-${name}`, resourceVersion: '7', generation, creationTimestamp: T0, labels: {}, annotations: {} });
const cond = (type: string, status: Condition['status'] = 'True', reason = type): Condition => ({ type, status, reason, message: '' });
const stored = (type: string, status: string, generation: number, at = T0, reason = type): StoredCondition => ({ type, status, reason, message: '', observedGeneration: generation, lastTransitionTime: at });
const gwRef = (name: string, extra: Partial<ParentRef> = {}): ParentRef => ({ group: G, kind: 'Gateway', namespace: 'infra', name, ...extra });

const gatewayClass = (conditions: StoredCondition[] = [], features: string[] = [], generation = 1): GatewayClass => ({
  kind: 'GatewayClass', metadata: meta('', 'pc', generation), spec: { controllerName: OURS }, status: { conditions, supportedFeatures: features.map((name) => ({ name })) },
});
const gateway = (status: Partial<Gateway['status']> = {}): Gateway => ({
  kind: 'Gateway', metadata: meta('infra', 'gw'),
  spec: { gatewayClassName: 'pc', listeners: [], addresses: [] },
  status: { addresses: [], conditions: [], listeners: [], ...status },
});
const route = (parents: RouteParentStatus[], generation = 1): HTTPRoute => ({
  kind: 'HTTPRoute', metadata: meta('app', 'r', generation), spec: { parentRefs: [], hostnames: [], rules: [] }, status: { parents },
});
const snap = (o: { classes?: GatewayClass[]; gateways?: Gateway[]; routes?: HTTPRoute[] }): Snapshot => ({
  ...emptySnapshot(),
  gatewayClasses: new Map((o.classes ?? []).map((c) => [c.metadata.name, c])),
  gateways: new Map((o.gateways ?? []).map((g) => [`${g.metadata.namespace}/${g.metadata.name}`, g])),
  httpRoutes: new Map((o.routes ?? []).map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r])),
});
const report = (o: Partial<Omit<GatewayApiReport, 'controllerName'>>): GatewayApiReport => ({ controllerName: OURS, gatewayClasses: [], gateways: [], routes: [], ...o });
const routeReport = (parents: { parentRef: ParentRef; conditions: Condition[] }[], generation = 1) => ({ ref: { kind: 'HTTPRoute' as const, namespace: 'app', name: 'r' }, generation, parents });
const ourParent = (name: string, conditions: StoredCondition[], extra: Partial<ParentRef> = {}): RouteParentStatus => ({ parentRef: { ...gwRef(name), ...extra }, controllerName: OURS, conditions });
const theirParent: RouteParentStatus = { parentRef: { group: G, kind: 'Gateway', namespace: 'infra', name: 'theirs' }, controllerName: OTHER, conditions: [stored('Accepted', 'True', 1)] };

const summary = (writes: GatewayStatusWrite[]) => writes.map((w) => `${w.ref.kind} ${w.ref.namespace}/${w.ref.name}@${w.resourceVersion}`);

describe('Gateway API status planning', () => {
  const accepted = report({ gatewayClasses: [{ name: 'pc', generation: 1, conditions: [cond('Accepted')], supportedFeatures: ['Gateway', 'HTTPRoute'] }] });
  const cases: { name: string; snapshot: Snapshot; report: GatewayApiReport; writes: string[] }[] = [
    { name: 'a class without status gets Accepted and its features', snapshot: snap({ classes: [gatewayClass()] }), report: accepted, writes: ['GatewayClass /pc@7'] },
    {
      name: 'a class already showing exactly that is left alone',
      snapshot: snap({ classes: [gatewayClass([stored('Accepted', 'True', 1)], ['Gateway', 'HTTPRoute'])] }),
      report: accepted, writes: [],
    },
    { name: 'a stale observedGeneration is rewritten', snapshot: snap({ classes: [gatewayClass([stored('Accepted', 'True', 0)], ['Gateway', 'HTTPRoute'])] }), report: accepted, writes: ['GatewayClass /pc@7'] },
    { name: 'a changed feature list is rewritten', snapshot: snap({ classes: [gatewayClass([stored('Accepted', 'True', 1)], ['Gateway'])] }), report: accepted, writes: ['GatewayClass /pc@7'] },
    { name: 'a report older than the object is left for the next pass', snapshot: snap({ classes: [gatewayClass([], [], 2)] }), report: accepted, writes: [] },
    { name: 'an object gone since the report is skipped', snapshot: snap({}), report: accepted, writes: [] },
    {
      name: 'a route not reported keeps other controllers\' entries and loses ours',
      snapshot: snap({ routes: [route([theirParent, ourParent('gw', [stored('Accepted', 'True', 1)])])] }),
      report: report({}), writes: ['HTTPRoute app/r@7'],
    },
    { name: 'a route with only other controllers\' entries is not ours to touch', snapshot: snap({ routes: [route([theirParent])] }), report: report({}), writes: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(summary(planGatewayStatus(c.snapshot, c.report, NOW)), c.writes));
  }

  it('keeps lastTransitionTime while a condition keeps its status, and moves it when the status flips', () => {
    const s = snap({ classes: [gatewayClass([stored('Accepted', 'True', 1, T0, 'Old'), stored('Extra', 'True', 1)], [])] });
    const [same] = planGatewayStatus(s, accepted, NOW);
    assert.deepEqual((same.status as GatewayClass['status']).conditions, [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 1, lastTransitionTime: T0 }], 'reason changed, status kept: time kept; conditions not reported go');
    const flipped = report({ gatewayClasses: [{ name: 'pc', generation: 1, conditions: [cond('Accepted', 'False', 'InvalidParameters')], supportedFeatures: [] }] });
    const [moved] = planGatewayStatus(s, flipped, NOW);
    assert.equal((moved.status as GatewayClass['status']).conditions[0].lastTransitionTime, NOW);
  });

  it('writes Gateway conditions, addresses and listeners, each listener keeping its own transition times', () => {
    const r = report({
      gateways: [{
        ref: { kind: 'Gateway', namespace: 'infra', name: 'gw' }, generation: 1,
        conditions: [cond('Accepted'), cond('Programmed')],
        addresses: [{ type: 'IPAddress', value: '127.0.1.5' }],
        listeners: [
          { name: 'http', attachedRoutes: 2, supportedKinds: [{ group: G, kind: 'HTTPRoute' }], conditions: [cond('Accepted'), cond('Programmed')] },
          { name: 'https', attachedRoutes: 0, supportedKinds: [], conditions: [cond('ResolvedRefs', 'False', 'InvalidCertificateRef')] },
        ],
      }],
    });
    const before = gateway({ listeners: [{ name: 'http', supportedKinds: [], attachedRoutes: 1, conditions: [stored('Accepted', 'True', 1)] }, { name: 'gone', supportedKinds: [], attachedRoutes: 0, conditions: [] }] });
    const [w] = planGatewayStatus(snap({ gateways: [before] }), r, NOW);
    assert.equal(w.ref.kind, 'Gateway');
    const status = w.status as Gateway['status'];
    assert.deepEqual(status.addresses, [{ type: 'IPAddress', value: '127.0.1.5' }]);
    assert.deepEqual(status.conditions.map((c) => `${c.type}=${c.status}@${c.observedGeneration} ${c.lastTransitionTime}`), [`Accepted=True@1 ${NOW}`, `Programmed=True@1 ${NOW}`]);
    assert.deepEqual(status.listeners.map((l) => `${l.name} ${l.attachedRoutes} ${l.conditions.map((c) => `${c.type}=${c.status} ${c.lastTransitionTime}`).join(',')}`), [
      `http 2 Accepted=True ${T0},Programmed=True ${NOW}`,
      `https 0 ResolvedRefs=False ${NOW}`,
    ]);
    assert.deepEqual(planGatewayStatus(snap({ gateways: [{ ...before, status }] }), r, NOW), [], 'once written, the same report plans nothing');
  });

  it('replaces our route parent entries in place, keeps others\', drops parents no longer reported and appends new ones', () => {
    // The stored entry without a namespace names the route's own namespace: a Gateway in `app`.
    const existing = route([
      ourParent('old', [stored('Accepted', 'True', 1)]),
      theirParent,
      { parentRef: { group: G, kind: 'Gateway', name: 'gw' }, controllerName: OURS, conditions: [stored('Accepted', 'True', 1), stored('ResolvedRefs', 'True', 1)] },
    ]);
    const r = report({
      routes: [routeReport([
        { parentRef: gwRef('gw', { namespace: 'app' }), conditions: [cond('Accepted'), cond('ResolvedRefs', 'False', 'BackendNotFound')] },
        { parentRef: gwRef('new', { sectionName: 'http' }), conditions: [cond('Accepted', 'False', 'NoMatchingParent')] },
      ])],
    });
    const [w] = planGatewayStatus(snap({ routes: [existing] }), r, NOW);
    const parents = (w.status as HTTPRoute['status']).parents;
    assert.deepEqual(parents.map((p) => `${p.controllerName === OURS ? 'ours' : 'theirs'} ${p.parentRef.namespace ?? '-'}/${p.parentRef.name}/${p.parentRef.sectionName ?? ''} ${p.conditions.map((c) => `${c.type}=${c.status}:${c.reason}@${c.lastTransitionTime}`).join(',')}`), [
      `theirs infra/theirs/ Accepted=True:Accepted@${T0}`,
      `ours app/gw/ Accepted=True:Accepted@${T0},ResolvedRefs=False:BackendNotFound@${NOW}`,
      `ours infra/new/http Accepted=False:NoMatchingParent@${NOW}`,
    ]);
    assert.deepEqual(parents[0], theirParent, 'another controller\'s entry is kept exactly');
    assert.deepEqual(planGatewayStatus(snap({ routes: [route(parents)] }), r, NOW), [], 'a second identical pass writes nothing');
  });

  it('sets observedGeneration of route parent conditions to the route generation it was planned from', () => {
    const r = report({ routes: [routeReport([{ parentRef: gwRef('gw'), conditions: [cond('Accepted')] }], 3)] });
    const [w] = planGatewayStatus(snap({ routes: [route([ourParent('gw', [stored('Accepted', 'True', 2)])], 3)] }), r, NOW);
    const [parent] = (w.status as HTTPRoute['status']).parents;
    assert.deepEqual(parent.conditions, [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 3, lastTransitionTime: T0 }]);
    assert.deepEqual(planGatewayStatus(snap({ routes: [route([ourParent('gw', [stored('Accepted', 'True', 2)])], 4)] }), r, NOW), [], 'a newer route waits for its pass');
  });
});
