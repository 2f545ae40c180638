import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { compileFeature, loadFeatures, type ScenarioRun } from './gherkin.js';
import { buildRootFrom, findRepoRoot, upstreamFeatures } from './options.js';
import { bindRun, knownFeatures, matchStep, stepsForFeature } from './steps.js';

// The upstream files are optional input: without them these tests are skipped, by name.
const UPSTREAM = upstreamFeatures(findRepoRoot(buildRootFrom(import.meta.url)), process.env.CONFORMANCE_FEATURES);
const FEATURES = 'dir' in UPSTREAM ? UPSTREAM.dir : '';
const SKIP = 'skipped' in UPSTREAM ? UPSTREAM.skipped : false;

describe('step registrations', { skip: SKIP }, () => {
  let runs: ScenarioRun[];
  before(async () => {
    runs = await loadFeatures(FEATURES);
  });

  test('exist for exactly the five upstream feature files', () => {
    assert.deepEqual(knownFeatures().sort(), ['default_backend', 'host_rules', 'ingress_class', 'load_balancing', 'path_rules']);
    assert.deepEqual([...new Set(runs.map((r) => r.featureFile))].sort(), knownFeatures().sort());
  });

  test('match every step of every run with exactly one regex of its own feature', () => {
    let checked = 0;
    for (const run of runs) {
      for (const step of run.steps) {
        const match = matchStep(stepsForFeature(run.featureFile), step.text);
        assert.equal(match.kind, 'matched', `${run.featureFile}: "${step.text}" is ${match.kind}`);
        checked++;
      }
    }
    // 72 default_backend + 43 host_rules + 2 ingress_class + 6 load_balancing + 74 path_rules
    assert.equal(checked, 197);
  });
});

describe('step matching', () => {
  test('leaves steps of other features undefined, as upstream registers per feature', () => {
    assert.equal(matchStep(stepsForFeature('path_rules'), 'I send 100 requests to "http://load-balancing"').kind, 'undefined');
    assert.equal(matchStep(stepsForFeature('path_rules'), 'a new random namespace').kind, 'undefined');
    assert.equal(matchStep(stepsForFeature('ingress_class'), 'the response status-code must be 404').kind, 'undefined');
    assert.equal(matchStep(stepsForFeature('default_backend'), 'I send a "GET" request to "http://x"').kind, 'undefined');
    assert.equal(matchStep(stepsForFeature('unknown_feature'), 'a new random namespace').kind, 'undefined');
  });

  test('capture the arguments the handlers need', () => {
    const args = (feature: string, text: string) => {
      const m = matchStep(stepsForFeature(feature), text);
      assert.equal(m.kind, 'matched', text);
      return m.kind === 'matched' ? m.args : [];
    };
    assert.deepEqual(args('default_backend', 'I send a "PUT" request to http://""/"resource"'), ['PUT', '', 'resource']);
    assert.deepEqual(args('host_rules', 'a self-signed TLS secret named "s" for the "h.test" hostname'), ['s', 'h.test']);
    assert.deepEqual(args('load_balancing', 'The backend deployment "echo-service" for the ingress resource is scaled to 10'), ['echo-service', '10']);
    assert.deepEqual(
      args('load_balancing', 'all the responses status-code must be 200 and the response body should contain the IP address of 10 different Kubernetes pods'),
      ['200', '10'],
    );
    assert.deepEqual(args('path_rules', 'the request path must be "/x"'), ['/x']);
  });

  test('anchor every regex, so a longer text does not match', () => {
    assert.equal(matchStep(stepsForFeature('path_rules'), 'the response status-code must be 200 or so').kind, 'undefined');
    assert.equal(matchStep(stepsForFeature('host_rules'), 'Given a new random namespace').kind, 'undefined');
  });
});

describe('bindRun', () => {
  test('turns each step into the actions of the shared run structure', () => {
    const [run] = compileFeature(
      [
        'Feature: D', '  Scenario: s', '    Given a new random namespace',
        '    Given an Ingress resource named "d" with this spec:', '    """', '    defaultBackend: {service: {name: e, port: {number: 1}}}', '    """',
        '    When I send a "PUT" request to http://""/"resource"',
        '    Then the request path must be ""',
        '    And the response headers must contain <key> with matching <value>', '      | key | value |', '      | Date | * |', '',
      ].join('\n'),
      'default_backend.feature',
    ).map(bindRun);
    assert.equal(run.source, 'upstream');
    assert.deepEqual(run.steps.map((s) => s.actions), [
      [{ do: 'namespace' }],
      [{ do: 'ingress', manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'd' }, spec: { defaultBackend: { service: { name: 'e', port: { number: 1 } } } } } }],
      [{ do: 'send', method: 'PUT', scheme: 'http', host: '', path: '/resource' }],
      [{ do: 'expect-request-path', path: '/' }],
      [{ do: 'expect-response-headers', headers: [['Date', '*']] }],
    ]);
    assert.ok(run.steps.every((s) => s.error === undefined));
  });

  test('keeps undefined and malformed steps as errors that fail when reached', () => {
    const [run] = compileFeature(
      ['Feature: P', '  Scenario: s', '    Given a new random namespace', '    Given an Ingress resource in a new random namespace', ''].join('\n'),
      'path_rules.feature',
    ).map(bindRun);
    assert.match(run.steps[0].error ?? '', /undefined step/);
    assert.equal(run.steps[1].error, 'the step needs a doc string');
  });
});
