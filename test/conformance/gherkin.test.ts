import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { compileFeature, loadFeatures, matchesTags, type ScenarioRun } from './gherkin.js';
import { buildRootFrom, findRepoRoot, upstreamFeatures } from './options.js';

// The upstream files are optional input: without them these tests are skipped, by name.
const UPSTREAM = upstreamFeatures(findRepoRoot(buildRootFrom(import.meta.url)), process.env.CONFORMANCE_FEATURES);
const FEATURES = 'dir' in UPSTREAM ? UPSTREAM.dir : '';
const SKIP = 'skipped' in UPSTREAM ? UPSTREAM.skipped : false;

describe('the upstream feature files', { skip: SKIP }, () => {
  let runs: ScenarioRun[];
  before(async () => {
    runs = await loadFeatures(FEATURES);
  });
  const of = (file: string) => runs.filter((r) => r.featureFile === file);

  test('compile to exactly 30 scenario runs, 6+6+1+1+16 per feature', () => {
    assert.equal(runs.length, 30);
    const counts = Object.fromEntries(
      ['default_backend', 'host_rules', 'ingress_class', 'load_balancing', 'path_rules'].map((f) => [f, of(f).length]),
    );
    assert.deepEqual(counts, { default_backend: 6, host_rules: 6, ingress_class: 1, load_balancing: 1, path_rules: 16 });
  });

  test('carry the feature titles and the upstream tags on every run', () => {
    assert.deepEqual([...new Set(runs.map((r) => r.feature))], ['Default backend', 'Host rules', 'Ingress class', 'Load Balancing', 'Path rules']);
    for (const r of runs) assert.deepEqual(r.tags, ['@sig-network', '@conformance', '@release-1.19']);
  });

  test('run each default_backend Examples row with the placeholders filled in', () => {
    const rows = of('default_backend');
    assert.deepEqual(rows.map((r) => r.steps[3].text), [
      'I send a "GET" request to http://"my-host"/""',
      'I send a "GET" request to http://"my-host"/"sub-path"',
      'I send a "POST" request to http://"some-host"/""',
      'I send a "PUT" request to http://""/"resource"',
      'I send a "DELETE" request to http://"some-host"/"resource"',
      'I send a "PATCH" request to http://"my-host"/"resource"',
    ]);
    assert.equal(rows[4].steps[8].text, 'the request method must be "DELETE"');
    assert.equal(rows[1].steps[9].text, 'the request path must be "sub-path"');
    assert.equal(rows[3].example, 'method=PUT, host=, path=resource');
    for (const r of rows) assert.equal(r.name, 'An Ingress with no rules should send all requests to the default backend');
  });

  test('keep <key> and <value>, which are not Examples columns, literal', () => {
    const steps = of('default_backend')[0].steps;
    assert.equal(steps[7].text, 'the response headers must contain <key> with matching <value>');
    assert.deepEqual(steps[7].table, [['key', 'value'], ['Content-Length', '*'], ['Content-Type', '*'], ['Date', '*'], ['Server', '*']]);
    assert.deepEqual(steps[11].table, [['key', 'value'], ['User-Agent', 'Go-http-client/1.1']]);
  });

  test('prepend the Background to every run, doc strings included', () => {
    for (const r of of('host_rules')) {
      assert.deepEqual(r.steps.slice(0, 4).map((s) => s.text), [
        'a new random namespace',
        'a self-signed TLS secret named "conformance-tls" for the "foo.bar.com" hostname',
        'an Ingress resource',
        'The Ingress status shows the IP address or FQDN where it is exposed',
      ]);
      assert.match(r.steps[2].docString ?? '', /^apiVersion: networking.k8s.io\/v1\nkind: Ingress\n/);
    }
    for (const r of of('path_rules')) assert.equal(r.steps[0].text, 'an Ingress resource in a new random namespace');
  });

  test('run the load_balancing Outline without Examples once, with the scale step', () => {
    const [lb] = of('load_balancing');
    assert.equal(lb.example, undefined);
    assert.deepEqual(lb.steps.map((s) => s.text).slice(3), [
      'The backend deployment "echo-service" for the ingress resource is scaled to 10',
      'I send 100 requests to "http://load-balancing"',
      'all the responses status-code must be 200 and the response body should contain the IP address of 10 different Kubernetes pods',
    ]);
  });

  test('name path_rules runs by their titles, descriptions excluded', () => {
    const names = of('path_rules').map((r) => r.name);
    assert.equal(names[0], 'An Ingress with exact path rules should send traffic to the matching backend service');
    assert.equal(names[15], 'An Ingress with a trailing slashes in an exact path rule should not match requests without a trailing slash');
    assert.equal(of('path_rules')[11].steps[2].text, 'I send a "GET" request to "http://prefix-path-rules/foo/"');
  });
});

describe('compileFeature', () => {
  test('expands every Examples table of an Outline and skips header-only tables', () => {
    const runs = compileFeature(
      `Feature: F
  Background:
    Given bg
  Scenario Outline: o <a>
    When x <a> and <b>
    Examples:
      | a | b |
      | 1 | 2 |
    Examples:
      | a | b |
      | 3 | 4 |
      | 5 | 6 |
    Examples:
      | a | b |
`,
      'dir/some_file.feature',
    );
    assert.deepEqual(runs.map((r) => r.name), ['o 1', 'o 3', 'o 5']);
    assert.deepEqual(runs.map((r) => r.steps.map((s) => s.text)), [
      ['bg', 'x 1 and 2'], ['bg', 'x 3 and 4'], ['bg', 'x 5 and 6'],
    ]);
    assert.equal(runs[0].featureFile, 'some_file');
  });

  test('throws on text that is not Gherkin', () => {
    assert.throws(() => compileFeature('Feature: a\n  Scenario: b\n    Given c\n  Nonsense here\n   | x |\n Examples:\n', 'x.feature'));
  });
});

describe('matchesTags', () => {
  const tags = ['@sig-network', '@conformance'];
  test('accepts everything without a filter', () => assert.equal(matchesTags(undefined, tags), true));
  test('treats commas as or and && as and', () => {
    assert.equal(matchesTags('@nope,@conformance', tags), true);
    assert.equal(matchesTags('@nope && @conformance', tags), false);
    assert.equal(matchesTags('@sig-network && @conformance', tags), true);
  });
  test('negates with ~', () => {
    assert.equal(matchesTags('~@conformance', tags), false);
    assert.equal(matchesTags('~@wip', tags), true);
  });
});
