import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseTranslateOptions, fixturePath, loadObjects, reorderings, snapshotOf } from '../../../test/support/fixtures.js';
import { gatewayListenerName } from '../../model/names.js';
import { listenerName } from '../../haproxy/render/text.js';
import { dumpModel, formatDiagnostic, translate } from '../index.js';
import type { Condition, GatewayApiReport } from '../gateway-report.js';
import type { TranslateOptions } from '../types.js';

const OPTIONS: TranslateOptions = {
  ...baseTranslateOptions(),
  gatewayControllerName: 'portcullis.dev/gateway-controller',
  gatewayAddresses: ['127.0.1.1', '127.0.1.2'],
};

/** The report in one line per Gateway, listener and route parent, conditions as type=status/reason. */
function reportLines(report: GatewayApiReport): string[] {
  const c = (cs: readonly Condition[]) => cs.map((x) => `${x.type}=${x.status}/${x.reason}`).join(' ');
  const lines: string[] = [];
  for (const g of report.gateways) {
    lines.push(`gateway ${g.ref.namespace}/${g.ref.name} ${g.addresses.map((a) => a.value).join(',')} ${c(g.conditions)}`);
    for (const l of g.listeners) lines.push(`  listener ${l.name} routes=${l.attachedRoutes} kinds=${l.supportedKinds.map((k) => k.kind).join(',')} ${c(l.conditions)}`);
  }
  for (const r of report.routes) {
    for (const p of r.parents) lines.push(`route ${r.ref.namespace}/${r.ref.name} -> ${p.parentRef.namespace}/${p.parentRef.name}${p.parentRef.sectionName ? `#${p.parentRef.sectionName}` : ''} ${c(p.conditions)}`);
  }
  return lines;
}

describe('Gateway API front door', () => {
  it('translates listeners, HTTPRoutes and their status, whatever order the objects arrived in', () => {
    const objects = loadObjects(fixturePath('translate-gateway/listeners-routes-and-status.yaml'));
    for (const order of reorderings(objects)) {
      const result = translate(snapshotOf(order.objects), OPTIONS);
      assert.equal(dumpModel(result.model), EXPECTED_MODEL.join('\n'), `model, objects ${order.name}`);
      assert.deepEqual(result.diagnostics.map(formatDiagnostic), EXPECTED_DIAGNOSTICS, `diagnostics, objects ${order.name}`);
      assert.deepEqual(reportLines(result.gatewayApi!), EXPECTED_REPORT, `report, objects ${order.name}`);
      assert.equal(result.gatewayApi!.gatewayClasses.map((g) => `${g.name} ${g.generation}`).join(), 'portcullis 2');
      assert.deepEqual(JSON.parse(JSON.stringify(result.model)), result.model, 'the model is plain JSON data');
    }
  });

  it('does nothing without a gateway controller name, so Ingress-only setups keep their model', () => {
    const objects = loadObjects(fixturePath('translate-gateway/listeners-routes-and-status.yaml'));
    const result = translate(snapshotOf(objects), { ...OPTIONS, gatewayControllerName: undefined });
    assert.equal(result.gatewayApi, undefined);
    assert.equal(result.model.listeners, undefined);
    assert.deepEqual(result.model.routes, []);
  });

  it('rejects a Gateway that asks for parameters, serving none of it, and leaves the others as they were', () => {
    const objects = loadObjects(fixturePath('translate-gateway/listeners-routes-and-status.yaml')).map((o) =>
      o.kind === 'Gateway' && o.metadata.name === 'second' ? { ...o, spec: { ...o.spec, parametersRef: { group: 'example.com', kind: 'Params', name: 'p' } } } : o);
    const result = translate(snapshotOf(objects), OPTIONS);
    const lines = reportLines(result.gatewayApi!);
    assert.equal(lines.find((l) => l.startsWith('gateway infra/second')), 'gateway infra/second  Accepted=False/InvalidParameters Programmed=False/Invalid');
    assert.ok(lines.includes('gateway infra/main 127.0.1.1 Accepted=True/ListenersNotValid Programmed=True/Programmed'));
    assert.ok(!result.model.listeners?.some((l) => l.name === 'infra_second_80'), 'no listener served for it');
    assert.ok(result.diagnostics.map(formatDiagnostic).some((d) => d.includes('Gateway infra/second: infrastructure.parametersRef example.com/Params')));
  });

  it('names listeners of long Gateway names within what HAProxy text allows, and keeps them apart', () => {
    assert.equal(gatewayListenerName('infra', 'main', 80), 'infra_main_80');
    const long = gatewayListenerName('gateway-conformance-infra', 'same-namespace-with-https-listener', 443);
    const other = gatewayListenerName('gateway-conformance-infra', 'same-namespace-with-https-listener2', 443);
    for (const name of [long, other]) assert.equal(listenerName(name), name);
    assert.match(long, /^gateway-conformance-infra_same-namespace-with-_[0-9a-f]{12}_443$/);
    assert.notEqual(long, other);
  });
});

const EXPECTED_MODEL = [
  "global bind=127.0.0.1 http=8080 https=8443 maxconn=0 nbthread=0 hard-stop-after=1800000 server-header=portcullis",
  "timeouts client=50000 connect=5000 server=50000 http-request=5000 http-keep-alive=60000 tunnel=3600000 queue=5000",
  "route (any) / prefix -> infra_v1_8080 on=infra_main_80 (HTTPRoute infra/weights)",
  "route (any) / prefix if method=GET header:version=\"two\" -> infra_v1_8080 on=infra_main_80 (HTTPRoute infra/weights)",
  "route (any) /split prefix -> infra_v1_8080_4b53d49fb8c0 on=infra_main_80 (HTTPRoute infra/weights)",
  "route a.example.com /h2 exact if query:q=\"1\" -> infra_v1_8081_1ea19084f9e8 on=infra_main_80 (HTTPRoute infra/filters)",
  "route a.example.com /h2 exact if query:q=\"1\" -> infra_v1_8081_1ea19084f9e8 on=infra_main_443 (HTTPRoute infra/filters)",
  "route a.example.com /old prefix -> infra_filters_none_970fa1f5a828 on=infra_main_80 (HTTPRoute infra/filters)",
  "route a.example.com /old prefix -> infra_filters_none_970fa1f5a828 on=infra_main_443 (HTTPRoute infra/filters)",
  "route only.example.org / prefix -> apps_web_8080 on=infra_second_80 (HTTPRoute apps/cross)",
  "route only.example.org /gone prefix -> apps_cross_none_7e13f3175eb7 on=infra_second_80 (HTTPRoute apps/cross)",
  "route only.example.org /none exact -> apps_cross_none_7e13f3175eb7 on=infra_second_80 (HTTPRoute apps/cross)",
  "route other.org /h2 exact if query:q=\"1\" -> infra_v1_8081_1ea19084f9e8 on=infra_main_80 (HTTPRoute infra/filters)",
  "route other.org /old prefix -> infra_filters_none_970fa1f5a828 on=infra_main_80 (HTTPRoute infra/filters)",
  "backend apps_cross_none_7e13f3175eb7 (HTTPRoute apps/cross): no servers",
  "  respond 500",
  "backend apps_web_8080 (Service apps/web): 10.0.2.1:3000 ready",
  "backend infra_filters_none_970fa1f5a828 (HTTPRoute infra/filters): no servers",
  "  redirect (same) code=301 scheme=https prefix=/old>/new",
  "backend infra_v1_8080 (Service infra/v1): 10.0.0.1:3000 ready, 10.0.0.2:3000 ready",
  "backend infra_v1_8080_4b53d49fb8c0 (HTTPRoute infra/weights): 10.0.0.1:3000 ready w=256, 10.0.0.2:3000 ready w=256, 10.0.1.1:3000 ready w=219",
  "backend infra_v1_8081_1ea19084f9e8 (HTTPRoute infra/filters): 10.0.0.1:3001 ready w=256, 10.0.0.2:3001 ready w=256",
  "  path-rewrite set /",
  "  set-host internal.example",
  "  request-header X-A \"a\"",
  "  add-request-header X-B \"b\"",
  "  remove-request-headers X-C",
  "  server check=off proto=h2",
  "  timeouts request=500 server=1000",
  "certificate infra_gw-cert *.example.com sha256=f0bba827cfac1417 (Secret infra/gw-cert)",
  "listener infra_main_443 127.0.1.1:443 https certs=infra_gw-cert default=infra_gw-cert wildcard-labels=4 (Gateway infra/main)",
  "listener infra_main_80 127.0.1.1:80 http wildcard-labels=4 (Gateway infra/main)",
  "listener infra_second_80 127.0.1.2:80 http wildcard-labels=4 (Gateway infra/second)",
  "default-certificate default sha256=45975bc32303824f (Secret (generated))",
];

const EXPECTED_DIAGNOSTICS = [
  "error PCL_GATEWAY_NOT_ACCEPTED Gateway infra/main: 2 of 4 listeners are not valid; see the listener conditions",
  "error PCL_GATEWAY_NOT_ACCEPTED Gateway infra/third: no address is left in the --gateway-address pool",
  "error PCL_ROUTE_NOT_ACCEPTED HTTPRoute apps/cross: parent Gateway \"infra/main\": no listener of the Gateway has that sectionName and port",
  "error PCL_ROUTE_REF_UNRESOLVED HTTPRoute apps/cross: Service \"apps/gone\" does not exist",
  "error PCL_ROUTE_REF_UNRESOLVED HTTPRoute apps/cross: Service \"infra/v2\" is in another namespace and no ReferenceGrant allows it",
  "error PCL_ROUTE_REF_UNRESOLVED HTTPRoute apps/cross: backendRef example.com/Thing is not a Service",
  "error PCL_ROUTE_NOT_ACCEPTED HTTPRoute apps/not-allowed: parent Gateway \"infra/third\": no listener allows routes of this kind from this namespace",
  "error PCL_ROUTE_NOT_ACCEPTED HTTPRoute infra/mirror: filter \"RequestMirror\" is not supported",
];

const EXPECTED_REPORT = [
  "gateway infra/main 127.0.1.1 Accepted=True/ListenersNotValid Programmed=True/Programmed",
  "  listener http routes=2 kinds=HTTPRoute Accepted=True/Accepted Conflicted=False/NoConflicts Programmed=True/Programmed ResolvedRefs=True/ResolvedRefs",
  "  listener https routes=1 kinds=HTTPRoute Accepted=True/Accepted Conflicted=False/NoConflicts Programmed=True/Programmed ResolvedRefs=True/ResolvedRefs",
  "  listener dup routes=0 kinds=HTTPRoute Accepted=True/Accepted Conflicted=True/ProtocolConflict Programmed=False/Invalid ResolvedRefs=True/ResolvedRefs",
  "  listener tcp routes=0 kinds= Accepted=False/UnsupportedProtocol Conflicted=False/NoConflicts Programmed=False/Invalid ResolvedRefs=True/ResolvedRefs",
  "gateway infra/second 127.0.1.2 Accepted=True/Accepted Programmed=True/Programmed",
  "  listener http routes=1 kinds=HTTPRoute Accepted=True/Accepted Conflicted=False/NoConflicts Programmed=True/Programmed ResolvedRefs=True/ResolvedRefs",
  "gateway infra/third  Accepted=True/Accepted Programmed=False/AddressNotAssigned",
  "  listener http routes=0 kinds=HTTPRoute Accepted=True/Accepted Conflicted=False/NoConflicts Programmed=False/Pending ResolvedRefs=True/ResolvedRefs",
  "route apps/cross -> infra/second Accepted=True/Accepted ResolvedRefs=False/RefNotPermitted",
  "route apps/cross -> infra/main#nope Accepted=False/NoMatchingParent ResolvedRefs=False/RefNotPermitted",
  "route apps/not-allowed -> infra/third Accepted=False/NotAllowedByListeners ResolvedRefs=True/ResolvedRefs",
  "route infra/filters -> infra/main Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs",
  "route infra/mirror -> infra/third Accepted=False/UnsupportedValue ResolvedRefs=True/ResolvedRefs",
  "route infra/weights -> infra/main#http Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs",
];
