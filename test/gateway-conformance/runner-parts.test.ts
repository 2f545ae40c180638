import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { endpointSlicesFor, planReplicaSets, podName, type Replica } from './backends.js';
import { compareRoundTrip } from './checks.js';
import { goHostnameMatches, sendOnce } from './client.js';
import { echoSetHeaders, parseGoDuration, startGatewayEcho } from './echo.js';
import { parseManifests, withGatewayClass } from './manifests.js';
import { conformanceReport, replaceTable, summaryLine, TABLE_BEGIN, TABLE_END, type TestResult } from './report.js';
import { parseScenarioFile } from './scenario.js';
import { gatewayAndRoutesAccepted, noAcceptedParents } from './status.js';

const echo = (over: object = {}) => ({ path: '/', host: 'gw', method: 'GET', headers: {}, namespace: 'ns', pod: 'infra-backend-v1-abc-def', ...over });

test('round trip: status, backend prefix, path with query and joined headers', () => {
  const url = 'http://127.0.2.1/';
  assert.deepEqual(compareRoundTrip({ path: '/' }, { backend: 'infra-backend-v1', namespace: 'ns' }, { status: 200, protocol: 'HTTP/1.1', headers: {}, echo: echo() }, url), []);
  assert.match(compareRoundTrip({ path: '/' }, { backend: 'infra-backend-v2' }, { status: 200, protocol: 'HTTP/1.1', headers: {}, echo: echo() }, url)[0], /expected a pod of infra-backend-v2/);
  assert.match(compareRoundTrip({ path: '/' }, {}, { status: 404, protocol: 'HTTP/1.1', headers: {} }, url)[0], /status 404, expected 200/);
  assert.deepEqual(compareRoundTrip({ path: '/?a=1' }, { seen: { headers: { 'x-a': 'one,two' } } }, { status: 200, protocol: 'HTTP/1.1', headers: {}, echo: echo({ path: '/?a=1', headers: { 'X-A': ['one', 'two'] } }) }, url), []);
  assert.deepEqual(compareRoundTrip({ path: '/' }, { status: [504] }, { status: 408, protocol: 'HTTP/1.1', headers: {} }, url), []);
  assert.match(compareRoundTrip({ path: '/' }, {}, { status: 200, protocol: 'HTTP/1.1', headers: {} }, url)[0], /not the echo JSON/);
});

test('redirects: host, scheme and path defaults, well-known ports', () => {
  const url = 'http://127.0.2.1/hostname-redirect';
  const obs = (location: string) => ({ status: 302, protocol: 'HTTP/1.1', headers: {}, location });
  assert.deepEqual(compareRoundTrip({ path: '/hostname-redirect' }, { status: [302], redirect: { host: 'example.org' } }, obs('http://example.org/hostname-redirect'), url), []);
  assert.deepEqual(compareRoundTrip({ path: '/hostname-redirect' }, { status: [302], redirect: { host: 'example.org' } }, obs('http://example.org:80/hostname-redirect'), url), []);
  assert.match(compareRoundTrip({ path: '/hostname-redirect' }, { status: [302], redirect: { host: 'example.org' } }, obs('http://example.org:8080/hostname-redirect'), url)[0], /port 8080/);
  assert.match(compareRoundTrip({ path: '/x' }, { status: [302], redirect: { port: '8083' } }, obs('/x'), url)[0], /port "", expected 8083/);
});

test('status checks: accepted routes and no accepted parents', () => {
  const gw = { metadata: { name: 'g', namespace: 'n', generation: 2 }, status: { addresses: [{ type: 'IPAddress', value: '127.0.2.1' }], conditions: [{ type: 'Accepted', status: 'True', observedGeneration: 2 }], listeners: [{ name: 'http', conditions: ['ResolvedRefs', 'Accepted', 'Programmed'].map((type) => ({ type, status: 'True' })) }] } };
  const route = (status: string, reason: string) => ({ metadata: { name: 'r', namespace: 'n' }, status: { parents: [{ parentRef: { name: 'g' }, controllerName: 'c', conditions: [{ type: 'Accepted', status, reason }] }] } });
  assert.deepEqual(gatewayAndRoutesAccepted(gw, [route('True', 'Accepted')], 'c'), []);
  assert.match(gatewayAndRoutesAccepted(gw, [route('False', 'NoMatchingParent')], 'c')[0], /Accepted is Accepted=False\/NoMatchingParent/);
  assert.match(gatewayAndRoutesAccepted(gw, [route('True', 'Accepted')], 'other')[0], /no parent status/);
  assert.deepEqual(noAcceptedParents(route('False', 'NoMatchingParent')), []);
  assert.equal(noAcceptedParents(route('True', 'Accepted')).length, 1);
});

test('manifests: every Gateway gets the class, every GatewayClass the controller name, the input is untouched', () => {
  const objects = parseManifests('apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: n}\nspec: {gatewayClassName: "{GATEWAY_CLASS_NAME}"}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: c}\nspec: {controllerName: x}\n', 'inline');
  const out = withGatewayClass(objects, 'gateway-conformance', 'portcullis.dev/gateway-controller');
  assert.equal(out[0].spec?.gatewayClassName, 'gateway-conformance');
  assert.equal(out[1].spec?.controllerName, 'portcullis.dev/gateway-controller');
  assert.equal(objects[0].spec?.gatewayClassName, '{GATEWAY_CLASS_NAME}');
  assert.throws(() => parseManifests('kind: Service\n', 'bad.yaml'), /bad.yaml: document 1/);
});

test('replicas: plans from Deployments, pod names keep the backend prefix, slices name the Service ports', () => {
  const objects = parseManifests(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: v1, namespace: n}\nspec:\n  replicas: 2\n  template:\n    metadata: {labels: {app: v1}}\n    spec: {containers: [{name: v1, env: [{name: POD_NAME}]}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: v1, namespace: n}\nspec:\n  selector: {app: v1}\n  ports: [{name: first-port, port: 8080, targetPort: 3000}, {name: second-port, port: 8081, targetPort: 3001, appProtocol: kubernetes.io/h2c}]\n`, 'inline');
  const [plan] = planReplicaSets(objects);
  assert.deepEqual({ replicas: plan.replicas, labels: plan.labels }, { replicas: 2, labels: { app: 'v1' } });
  assert.match(podName('infra-backend-v1'), /^infra-backend-v1-[a-z0-9]{10}-[a-z0-9]{5}$/);
  const replica = { plan, echo: { host: '127.3.0.1', podName: 'v1-a-b' } } as unknown as Replica;
  const [slice] = endpointSlicesFor(objects, [replica]);
  assert.deepEqual(slice.ports, [{ name: 'first-port', port: 3000, protocol: 'TCP' }, { name: 'second-port', port: 3001, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }]);
  assert.deepEqual((slice.endpoints as Array<{ addresses: string[] }>)[0].addresses, ['127.3.0.1']);
});

test('echo contract helpers: X-Echo-Set-Header items, Go durations, Go hostname wildcards', () => {
  assert.deepEqual(echoSetHeaders(['X-Header-Set-1: a, x-lowercase: b', 'X-Header-Set-1:c', ':dropped']), [['X-Header-Set-1', 'a,c'], ['x-lowercase', 'b']]);
  assert.equal(parseGoDuration('1s'), 1000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('soon'), undefined);
  assert.equal(goHostnameMatches('*.org', 'example.org'), true);
  assert.equal(goHostnameMatches('*.org', 'a.example.org'), false);
});

test('echo replica answers the JSON contract over HTTP/1.1 and h2c, /status/NNN and the h2c port refusal', async () => {
  const replica = await startGatewayEcho({ host: '127.0.0.1', httpPort: 0, h2cPort: 0, podName: 'infra-backend-v1-x-y', namespace: 'gateway-conformance-infra' });
  try {
    const target = { address: '127.0.0.1', port: replica.httpPort };
    const obs = await sendOnce({ path: '/a?b=c', host: 'example.com', headers: { 'x-one': '1' }, echoSetHeaders: { 'X-Back': 'v' } }, target);
    assert.equal(obs.status, 200);
    assert.deepEqual({ path: obs.echo?.path, host: obs.echo?.host, pod: obs.echo?.pod, port: obs.echo?.httpPort }, { path: '/a?b=c', host: 'example.com', pod: 'infra-backend-v1-x-y', port: String(replica.httpPort) });
    assert.deepEqual(obs.echo?.headers['X-One'], ['1']);
    assert.deepEqual(obs.headers['x-back'], ['v']);
    assert.equal((await sendOnce({ path: '/status/418' }, target)).status, 418);
    const h2 = await sendOnce({ path: '/h2', protocol: 'H2C' }, { address: '127.0.0.1', port: replica.h2cPort });
    assert.equal(h2.echo?.proto, 'HTTP/2.0');
    const refused = await new Promise<number>((resolve, reject) => http.get({ host: '127.0.0.1', port: replica.h2cPort, path: '/', agent: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    assert.equal(refused, 400);
  } finally {
    await replica.close();
  }
});

test('report: summary line, YAML report per level, results table between the markers', () => {
  const results: TestResult[] = [
    { name: 'A', level: 'core', features: [], outcome: 'PASS', reason: '' },
    { name: 'B', level: 'core', features: [], outcome: 'FAIL', reason: 'status 404' },
    { name: 'C', level: 'extended', features: ['HTTPRouteMethodMatching'], outcome: 'SKIP', reason: 'later' },
  ];
  assert.equal(summaryLine(results), '1 passed, 1 failed, 1 skipped');
  const yaml = conformanceReport(results, { organization: 'o', project: 'p', url: 'u', version: 'v', contact: [], mode: 'default', gatewayAPIVersion: 'v1.6.1', gatewayAPIChannel: 'standard', date: 'd' });
  assert.match(yaml, /gatewayAPIVersion: v1.6.1/);
  assert.match(yaml, /failedTests:\n\s+- B/);
  const doc = replaceTable(`x\n${TABLE_BEGIN}\nold\n${TABLE_END}\ny`, 'new');
  assert.equal(doc, `x\n${TABLE_BEGIN}\nnew\n${TABLE_END}\ny`);
  assert.throws(() => replaceTable('no markers', 't'), /has no/);
});

test('scenario files: refused with the place of the mistake', () => {
  const ok = parseScenarioFile('tests:\n  - name: T\n    level: core\n    steps:\n      - no-accepted-parents: { route: ns/r }\n', 'f.yaml');
  assert.deepEqual(ok[0].steps[0], { kind: 'no-accepted-parents', route: { namespace: 'ns', name: 'r' } });
  assert.throws(() => parseScenarioFile('tests:\n  - name: T\n    level: core\n    steps:\n      - requests: { gateway: g, cases: [{ request: { path: /, hots: x } }] }\n', 'f.yaml'), /f.yaml: tests\[0\].steps\[0\].requests.cases\[0\].request.hots: is not a request field/);
  assert.throws(() => parseScenarioFile('tests:\n  - name: T\n    level: sometimes\n    steps: []\n', 'f.yaml'), /level: must be core or extended/);
  const apply = parseScenarioFile('tests:\n  - name: T\n    level: core\n    steps:\n      - apply: { manifests: [{ apiVersion: v1, kind: Service, metadata: { name: s } }] }\n', 'f.yaml');
  assert.deepEqual(apply[0].steps[0], { kind: 'apply', manifests: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }] });
  assert.throws(() => parseScenarioFile('tests:\n  - name: T\n    level: core\n    steps:\n      - apply: { manifests: [{ kind: Service }] }\n', 'f.yaml'), /steps\[0\].apply.manifests\[0\]: needs apiVersion, kind and metadata.name/);
});
