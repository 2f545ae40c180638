import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadFeatures } from './gherkin.js';
import { buildRootFrom, defaultScenariosDir, findRepoRoot, upstreamFeatures } from './options.js';
import type { Action, PlannedRun } from './plan.js';
import { compileScenarioFile, loadScenarios, ScenarioFileError } from './scenario-file.js';
import { bindRun } from './steps.js';

const REPO = findRepoRoot(buildRootFrom(import.meta.url));
const UPSTREAM = upstreamFeatures(REPO, process.env.CONFORMANCE_FEATURES);

const INGRESS = `
  ingress:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web}
    spec: {defaultBackend: {service: {name: echo, port: {number: 8080}}}}`;

const SMALL = `title: Small
tags: [one, "@two"]
setup:${INGRESS}
  scale: {service: echo, replicas: 3}
every-case:
  expect:
    status: 200
    backend-saw: {protocol: HTTP/1.1, headers: {User-Agent: Go-http-client/1.1}}
cases:
  - name: first
    request: PUT /thing
    expect:
      backend-saw: {method: PUT, headers: {X-A: "*"}}
  - name: second
    request: GET http://h.test
    times: 5
    expect:
      distinct-pods: {status: 200, count: 3}
`;

describe('compileScenarioFile', () => {
  test('compiles each case to one run: the setup, the request, then the checks in a fixed order', () => {
    const [first] = compileScenarioFile(SMALL.replace(/ {4}times: 5\n {4}expect:\n {6}distinct-pods.*\n/, '    expect: {status: 201}\n'), 'dir/small.yaml');
    assert.deepEqual(
      { source: first.source, featureFile: first.featureFile, feature: first.feature, name: first.name, tags: first.tags },
      { source: 'project', featureFile: 'small', feature: 'Small', name: 'first', tags: ['@one', '@two'] },
    );
    assert.deepEqual(first.steps.map((s) => s.label), [
      'create a fresh namespace',
      'create Ingress web and a backend for every Service it names',
      'wait until the Ingress status publishes an address',
      'run 3 backend replicas for Service echo',
      'send PUT http://<status address>/thing',
      'status is 200',
      'the backend received method PUT',
      'the backend was spoken to over HTTP/1.1',
      'the backend received headers User-Agent: Go-http-client/1.1, X-A',
    ]);
    assert.deepEqual(first.steps.slice(4).flatMap((s) => s.actions), [
      { do: 'send', method: 'PUT', scheme: 'http', host: '', path: '/thing' },
      { do: 'expect-status', code: 200 },
      { do: 'expect-request-method', method: 'PUT' },
      { do: 'expect-request-proto', proto: 'HTTP/1.1' },
      { do: 'expect-request-headers', headers: [['User-Agent', 'Go-http-client/1.1'], ['X-A', '*']] },
    ]);
  });

  test('turns a repeated request into one send-many and its pod check', () => {
    const runs = compileScenarioFile(SMALL.replace(/every-case:\n(?: {2,}.*\n)+/, ''), 'small.yaml');
    assert.deepEqual(runs[1].steps.slice(4).flatMap((s) => s.actions), [
      { do: 'send-many', count: 5, scheme: 'http', host: 'h.test', path: '/' },
      { do: 'expect-distinct-pods', status: 200, pods: 3 },
    ]);
  });

  test('a withheld address is the whole check of a case without request', () => {
    const [run] = compileScenarioFile(`title: C\nsetup:${INGRESS}\n  address: withheld\ncases:\n  - name: none\n`, 'c.yaml');
    assert.deepEqual(run.steps.flatMap((s) => s.actions.map((a) => a.do)), ['namespace', 'ingress', 'address-withheld']);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not YAML', 'title: [', /^b\.yaml: not valid YAML: /],
    ['not a mapping', '- a', /^b\.yaml: top level: must be a mapping, got \["a"\]/],
    ['a misspelt key', `title: T\nsetup:${INGRESS}\ncases:\n  - name: x\n    request: GET http://h\n    expect: {stauts: 200}\n`,
      /^b\.yaml: cases\[0\]\.expect: unknown key "stauts" \(known: status, service, protocol, /],
    ['no title', `setup:${INGRESS}\ncases: []\n`, /^b\.yaml: title: must be a non-empty string, got nothing/],
    ['no cases', `title: T\nsetup:${INGRESS}\ncases: []\n`, /^b\.yaml: cases: must be a non-empty list, got \[\]/],
    ['not an Ingress', 'title: T\nsetup:\n  ingress: {apiVersion: v1, kind: Service, metadata: {name: s}, spec: {}}\ncases: [{name: x}]\n',
      /^b\.yaml: setup\.ingress: must be a networking\.k8s\.io\/v1 Ingress, got "v1" "Service"/],
    ['an Ingress without a name', 'title: T\nsetup:\n  ingress: {apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {}, spec: {}}\ncases: [{name: x}]\n',
      /^b\.yaml: setup\.ingress\.metadata\.name: must be a non-empty string/],
    ['a bad request line', `title: T\nsetup:${INGRESS}\ncases:\n  - name: x\n    request: get it\n    expect: {status: 200}\n`,
      /^b\.yaml: cases\[0\]\.request: must be "METHOD URL" or "METHOD \/path", got "get it"/],
    ['a bad scheme', `title: T\nsetup:${INGRESS}\ncases:\n  - name: x\n    request: GET ftp://h/\n    expect: {status: 200}\n`,
      /^b\.yaml: cases\[0\]\.request: the scheme must be http or https, got "ftp"/],
    ['a status that is not a number', `title: T\nsetup:${INGRESS}\ncases:\n  - name: x\n    request: GET http://h\n    expect: {status: ok}\n`,
      /^b\.yaml: cases\[0\]\.expect\.status: must be an integer from 100 to 599, got "ok"/],
    ['a request without checks', `title: T\nsetup:${INGRESS}\ncases:\n  - name: x\n    request: GET http://h\n`, /^b\.yaml: cases\[0\]: has a request but no "expect"/],
    ['a case that checks nothing', `title: T\nsetup:${INGRESS}\ncases:\n  - name: x\n`, /^b\.yaml: cases\[0\]: sends no request, and the setup publishes an address/],
    ['a request with a withheld address', `title: T\nsetup:${INGRESS}\n  address: withheld\ncases:\n  - {name: x, request: GET http://h, expect: {status: 404}}\n`,
      /^b\.yaml: cases\[0\]\.request: no request can be sent: the setup withholds the address/],
    ['an unknown address mode', `title: T\nsetup:${INGRESS}\n  address: maybe\ncases: [{name: x}]\n`, /^b\.yaml: setup\.address: must be "published" or "withheld", got "maybe"/],
    ['pods checked on one request', `title: T\nsetup:${INGRESS}\ncases:\n  - {name: x, request: GET http://h, expect: {distinct-pods: {status: 200, count: 2}}}\n`,
      /^b\.yaml: cases\[0\]\.expect\.distinct-pods: needs repeated requests \("times"\)/],
    ['a repeated POST', `title: T\nsetup:${INGRESS}\ncases:\n  - {name: x, request: POST http://h, times: 3, expect: {distinct-pods: {status: 200, count: 2}}}\n`,
      /^b\.yaml: cases\[0\]\.request: repeated requests are GETs, got POST/],
    ['two cases of one name', `title: T\nsetup:${INGRESS}\ncases:\n  - {name: x, request: GET http://h, expect: {status: 404}}\n  - {name: x, request: GET http://i, expect: {status: 404}}\n`,
      /^b\.yaml: cases\[1\]\.name: "x" is already the name of another case/],
    ['a header value that is not text', `title: T\nsetup:${INGRESS}\ncases:\n  - {name: x, request: GET http://h, expect: {response-headers: {Date: 3}}}\n`,
      /^b\.yaml: cases\[0\]\.expect\.response-headers\.Date: must be a non-empty string, got 3/],
  ];
  for (const [what, source, message] of bad) {
    test(`refuses ${what} with a message naming the place`, () => {
      assert.throws(() => compileScenarioFile(source, 'dir/b.yaml'), (err: unknown) => {
        assert.ok(err instanceof ScenarioFileError, String(err));
        assert.match(err.message, message);
        return true;
      });
    });
  }
});

describe("the project's scenario files", () => {
  test('compile to exactly 30 runs, 6+6+1+1+16 per file, with no step in error', async () => {
    const runs = await loadScenarios(defaultScenariosDir(REPO));
    const counts: Record<string, number> = {};
    for (const r of runs) counts[r.featureFile] = (counts[r.featureFile] ?? 0) + 1;
    assert.deepEqual(counts, { 'default-backend': 6, 'host-rules': 6, 'ingress-class': 1, 'load-balancing': 1, 'path-rules': 16 });
    for (const r of runs) {
      assert.deepEqual(r.steps.filter((s) => s.error !== undefined), [], r.name);
      assert.equal(r.steps[0].actions[0].do, 'namespace', 'every run starts in a fresh namespace');
    }
  });
});

/** A run as a comparable text: the actions up to the first request in order, the checks after it sorted. */
function contract(run: PlannedRun): string {
  const canonical = (a: Action) => JSON.stringify(a, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y))) : v);
  const actions = run.steps.flatMap((s) => s.actions).map(canonical);
  const send = actions.findIndex((a) => a.includes('"do":"send'));
  if (send === -1) return actions.join('\n');
  return [...actions.slice(0, send + 1), ...actions.slice(send + 1).sort()].join('\n');
}

describe('the project scenarios and the upstream features', { skip: 'skipped' in UPSTREAM ? UPSTREAM.skipped : false }, () => {
  test('perform the same actions and checks, run for run', async () => {
    const ours = await loadScenarios(defaultScenariosDir(REPO));
    const theirs = (await loadFeatures('dir' in UPSTREAM ? UPSTREAM.dir : '')).map(bindRun);
    const byFile = (runs: PlannedRun[]) => {
      const out: Record<string, string[]> = {};
      for (const r of runs) (out[r.featureFile.replaceAll('-', '_')] ??= []).push(contract(r));
      for (const list of Object.values(out)) list.sort();
      return out;
    };
    assert.deepEqual(byFile(ours), byFile(theirs));
  });
});
