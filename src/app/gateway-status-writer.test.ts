/**
 * Gateway API status end to end through the real client against the test API server: the watch
 * feeds the store, a report written by hand stands in for the translator, the writer patches the
 * status subresources, and the status is read back through the API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { gatewayApiCrds, startKubeApiServer, type KubeApiServer } from '../../test/support/kube-api/index.js';
import { waitFor } from '../../test/support/kube-api/client-fixture.js';
import { KubeSource } from '../sources/kube-source.js';
import { KubeWriter } from '../sources/kube-writer.js';
import { Store } from '../store/store.js';
import type { Snapshot } from '../store/types.js';
import type { Condition, GatewayApiReport } from '../translate/gateway-report.js';
import { DiagnosticReporter } from './diagnostics.js';
import { GatewayStatusWriter } from './gateway-status-writer.js';
import { createLogger } from './logger.js';
import { systemClock } from './scheduler.js';

const G = 'gateway.networking.k8s.io';
const OURS = 'portcullis.dev/gateway-controller';
const OTHER = 'example.com/other-controller';
const THEIR_ENTRY = {
  parentRef: { group: G, kind: 'Gateway', namespace: 'other', name: 'theirs' },
  controllerName: OTHER,
  conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'theirs', observedGeneration: 1, lastTransitionTime: '2024-01-01T00:00:00Z' }],
};

const cond = (type: string, status: Condition['status'] = 'True', reason = type): Condition => ({ type, status, reason, message: `${type} ${status}` });
const report = (resolvedRefs: Condition): GatewayApiReport => ({
  controllerName: OURS,
  gatewayClasses: [{ name: 'portcullis', generation: 1, conditions: [cond('Accepted')], supportedFeatures: ['Gateway', 'HTTPRoute'] }],
  gateways: [{
    ref: { kind: 'Gateway', namespace: 'infra', name: 'gw' }, generation: 1,
    conditions: [cond('Accepted'), cond('Programmed')],
    addresses: [{ type: 'IPAddress', value: '127.0.1.9' }],
    listeners: [{ name: 'http', attachedRoutes: 1, supportedKinds: [{ group: G, kind: 'HTTPRoute' }], conditions: [cond('Accepted'), cond('Programmed'), cond('ResolvedRefs')] }],
  }],
  routes: [{
    ref: { kind: 'HTTPRoute', namespace: 'app', name: 'web' }, generation: 1,
    parents: [{ parentRef: { group: G, kind: 'Gateway', namespace: 'infra', name: 'gw' }, conditions: [cond('Accepted'), resolvedRefs] }],
  }],
});

interface Status { conditions?: { type: string; status: string; reason: string; observedGeneration?: number; lastTransitionTime: string }[] }
interface RouteObject { metadata: { resourceVersion: string }; status: { parents: { controllerName: string; parentRef: { name: string }; conditions: NonNullable<Status['conditions']> }[] } }

describe('Gateway API status through the API', () => {
  let server: KubeApiServer;
  let source: KubeSource;
  let custom: k8s.CustomObjectsApi;
  let core: k8s.CoreV1Api;
  let kube: KubeWriter;
  const store = new Store();
  const warnings: string[] = [];
  const logger = createLogger({ level: 'warn', format: 'text', write: (line) => warnings.push(line) });
  let snapshot: () => Snapshot = () => store.snapshot();
  let writer: GatewayStatusWriter;
  /** The writer's clock for transition times; timers stay real. */
  let nowMs = Date.parse('2025-06-01T12:00:00Z');
  const clock = { ...systemClock, now: () => nowMs };
  const readRoute = async () => (await custom.getNamespacedCustomObject({ group: G, version: 'v1', plural: 'httproutes', namespace: 'app', name: 'web' })) as RouteObject;
  const statusPatches = () => server.requests.filter((r) => r.method === 'PATCH' && r.path.split('?')[0].endsWith('/status')).length;
  /** The store has seen every write made so far (the watch caught up). */
  const caughtUp = async () => {
    const rv = (await readRoute()).metadata.resourceVersion;
    await waitFor('the watch to deliver the route status', () => store.snapshot().httpRoutes.get('app/web')?.metadata.resourceVersion === rv);
  };

  before(async () => {
    server = await startKubeApiServer();
    for (const crd of gatewayApiCrds()) server.create(crd);
    for (const name of ['infra', 'app']) server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    server.create({ apiVersion: `${G}/v1`, kind: 'GatewayClass', metadata: { name: 'portcullis' }, spec: { controllerName: OURS } });
    server.create({ apiVersion: `${G}/v1`, kind: 'Gateway', metadata: { name: 'gw', namespace: 'infra' }, spec: { gatewayClassName: 'portcullis', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
    server.create({ apiVersion: `${G}/v1`, kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'app' }, spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }, { name: 'theirs', namespace: 'other' }] } });
    const kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeConfig());
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    core = kc.makeApiClient(k8s.CoreV1Api);
    // Another controller has already written its entry, through the API as it would.
    await custom.patchNamespacedCustomObjectStatus(
      { group: G, version: 'v1', plural: 'httproutes', namespace: 'app', name: 'web', body: { status: { parents: [THEIR_ENTRY] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    source = new KubeSource({ kubeConfig: kc, store, namespaces: [], minBackoffMs: 20, maxBackoffMs: 50 });
    await source.start();
    await waitFor('the store to list every kind', () => store.isSynced() && store.snapshot().httpRoutes.get('app/web')?.status.parents.length === 1);
    kube = new KubeWriter(kc);
    writer = new GatewayStatusWriter({ write: (w) => kube.writeGatewayApiStatus(w), snapshot: () => snapshot(), controllerName: OURS, logger, retryMs: 20, clock });
  });
  after(async () => {
    writer?.stop();
    source?.stop();
    await server?.close();
  });

  it('writes GatewayClass, Gateway and route status, keeping the other controller\'s parent entry', async () => {
    assert.equal(await writer.update(report(cond('ResolvedRefs'))), 3);
    const gc = (await custom.getClusterCustomObject({ group: G, version: 'v1', plural: 'gatewayclasses', name: 'portcullis' })) as { status: Status & { supportedFeatures: { name: string }[] } };
    assert.deepEqual(gc.status.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}@${c.observedGeneration}`), ['Accepted=True/Accepted@1']);
    assert.deepEqual(gc.status.supportedFeatures, [{ name: 'Gateway' }, { name: 'HTTPRoute' }]);
    const gw = (await custom.getNamespacedCustomObject({ group: G, version: 'v1', plural: 'gateways', namespace: 'infra', name: 'gw' })) as { status: Status & { addresses: unknown[]; listeners: (Status & { name: string; attachedRoutes: number })[] } };
    assert.deepEqual(gw.status.addresses, [{ type: 'IPAddress', value: '127.0.1.9' }]);
    assert.deepEqual(gw.status.conditions?.map((c) => `${c.type}=${c.status}@${c.observedGeneration}`), ['Accepted=True@1', 'Programmed=True@1']);
    assert.deepEqual(gw.status.listeners.map((l) => `${l.name} ${l.attachedRoutes} ${l.conditions?.map((c) => c.type).join(',')}`), ['http 1 Accepted,Programmed,ResolvedRefs']);
    const route = await readRoute();
    assert.deepEqual(route.status.parents.map((p) => `${p.controllerName} ${p.parentRef.name}`), [`${OTHER} theirs`, `${OURS} gw`]);
    assert.deepEqual(route.status.parents[0], THEIR_ENTRY, 'the other controller\'s entry is kept exactly');
    assert.deepEqual(route.status.parents[1].conditions.map((c) => `${c.type}=${c.status}/${c.reason}@${c.observedGeneration}`), ['Accepted=True/Accepted@1', 'ResolvedRefs=True/ResolvedRefs@1']);
  });

  it('writes nothing on a second identical pass', async () => {
    await caughtUp();
    const before = statusPatches();
    assert.equal(await writer.update(report(cond('ResolvedRefs'))), 0);
    assert.equal(statusPatches(), before, 'no PATCH of any status');
  });

  it('a changed condition moves only its own transition time and keeps the other controller\'s entry', async () => {
    const [, ours] = (await readRoute()).status.parents;
    const acceptedAt = ours.conditions.find((c) => c.type === 'Accepted')!.lastTransitionTime;
    const resolvedAt = ours.conditions.find((c) => c.type === 'ResolvedRefs')!.lastTransitionTime;
    nowMs += 60_000;
    assert.equal(await writer.update(report(cond('ResolvedRefs', 'False', 'BackendNotFound'))), 1, 'only the route changed');
    const route = await readRoute();
    assert.deepEqual(route.status.parents[0], THEIR_ENTRY);
    const after = route.status.parents[1].conditions;
    assert.equal(after.find((c) => c.type === 'Accepted')!.lastTransitionTime, acceptedAt);
    const resolved = after.find((c) => c.type === 'ResolvedRefs')!;
    assert.deepEqual([resolved.status, resolved.reason], ['False', 'BackendNotFound']);
    assert.notEqual(resolvedAt, '2025-06-01T12:01:00Z');
    assert.equal(resolved.lastTransitionTime, '2025-06-01T12:01:00Z');
  });

  it('a write planned from an outdated object is refused, and the retry keeps what the other controller wrote meanwhile', async () => {
    await caughtUp();
    const stale = store.snapshot();
    snapshot = () => stale;
    // The other controller adds a condition after our snapshot was taken.
    const theirs = { ...THEIR_ENTRY, conditions: [...THEIR_ENTRY.conditions, { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: '', observedGeneration: 1, lastTransitionTime: '2024-01-02T00:00:00Z' }] };
    const current = (await readRoute()).status.parents;
    await custom.patchNamespacedCustomObjectStatus(
      { group: G, version: 'v1', plural: 'httproutes', namespace: 'app', name: 'web', body: { status: { parents: [theirs, current[1]] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(await writer.update(report(cond('ResolvedRefs'))), 0, 'the write over the newer object conflicts');
    assert.deepEqual((await readRoute()).status.parents[0], theirs, 'their new condition survives');
    assert.ok(!warnings.some((w) => w.includes('PCL_ERR_GATEWAY_STATUS_UPDATE')), 'a conflict is not a failure worth a warning');
    snapshot = () => store.snapshot();
    let route: RouteObject | undefined;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      route = await readRoute();
      if (route.status.parents[1]?.conditions.some((c) => c.type === 'ResolvedRefs' && c.status === 'True')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(route!.status.parents[0], theirs);
    assert.deepEqual(route!.status.parents[1].conditions.map((c) => `${c.type}=${c.status}`), ['Accepted=True', 'ResolvedRefs=True']);
  });

  it('a diagnostic on a route becomes a Warning Event naming the route with its API version and uid', async () => {
    const reporter = new DiagnosticReporter(logger, (event) => kube.recordEvent(event, new Date()));
    const source = { kind: 'HTTPRoute' as const, namespace: 'app', name: 'web' };
    reporter.report([{ severity: 'error', code: 'PCL_ROUTE_CONFLICT', source, message: 'rejected for the test' }], store.snapshot());
    let events: k8s.CoreV1Event[] = [];
    const deadline = Date.now() + 5000;
    while (!events.length && Date.now() < deadline) {
      events = (await core.listNamespacedEvent({ namespace: 'app' })).items;
      if (!events.length) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(events.length, 1);
    const [event] = events;
    assert.deepEqual(
      [event.type, event.reason, event.involvedObject.apiVersion, event.involvedObject.kind, event.involvedObject.name, event.involvedObject.uid],
      ['Warning', 'PCL_ROUTE_CONFLICT', `${G}/v1`, 'HTTPRoute', 'web', store.snapshot().httpRoutes.get('app/web')!.metadata.uid],
    );
  });
});

describe('Gateway status writer', () => {
  it('writes only while this replica leads', async () => {
    const store = new Store();
    store.upsert({ kind: 'GatewayClass', metadata: { namespace: '', name: 'portcullis', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '', labels: {}, annotations: {} }, spec: { controllerName: OURS }, status: { conditions: [], supportedFeatures: [] } });
    const written: string[] = [];
    let leading = false;
    const logger = createLogger({ level: 'error', format: 'text', write: () => {} });
    const writer = new GatewayStatusWriter({ write: async (w) => void written.push(w.ref.name), snapshot: () => store.snapshot(), controllerName: OURS, logger, isLeader: () => leading });
    assert.equal(await writer.update(report(cond('ResolvedRefs'))), 0);
    leading = true;
    assert.equal(await writer.update(report(cond('ResolvedRefs'))), 1);
    assert.deepEqual(written, ['portcullis']);
    writer.stop();
  });
});
