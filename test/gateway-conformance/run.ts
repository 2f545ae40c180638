/**
 * `npm run conformance:gateway`: the Gateway API conformance runner. Runs the project's scenarios
 * (scenarios/*.yaml) against the controller and HAProxy; when the upstream folder is beside the
 * repository (../shared/conformance/gateway, or --upstream DIR) its CRDs, base manifests and test
 * manifests stand in for the project's own, with the same checks. Prints one line per test and
 * last `N passed, N failed[, N skipped]`; exits 1 on any failure. --help lists the flags.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UPSTREAM_CONSISTENCY } from './client.js';
import { CONTROLLER_NAME, startGatewayEnv, type GatewayEnv } from './env.js';
import { runTest, type Timings } from './execute.js';
import { parseManifests, type Manifest } from './manifests.js';
import { conformanceReport, replaceTable, resultLine, resultsTable, summaryLine, type TestResult } from './report.js';
import { loadScenarios, type ScenarioTest } from './scenario.js';
import { CORE_TESTS, UNSUPPORTED_FEATURES } from './profile.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** dist/test/gateway-conformance → the repository root. */
const REPO = path.resolve(HERE, '..', '..', '..');
const SCENARIOS = path.join(REPO, 'test', 'gateway-conformance', 'scenarios');

const USAGE = `usage: bash scripts/gateway-conformance.sh [flags]
  --upstream DIR          upstream suite folder (default ../shared/conformance/gateway when present; "none" to ignore it)
  --name TEXT             run only tests whose name contains TEXT
  --report-output FILE    write the YAML conformance report there
  --docs FILE             rewrite the results table of FILE (docs/gateway-api.md)
  --status-timeout MS     longest wait for a status check (default 60000, the suite's)
  --consistency-timeout MS  longest wait for 3 consecutive good answers (default 30000, the suite's)
  --ready-timeout MS      longest wait for the controller to be ready (default 30000)
  --controller-log FILE   keep the controller's log there
  --unwritten fail|skip   how Core tests with no scenario yet count (default fail; npm test uses skip)`;

function upstreamDir(given: string | undefined): string | undefined {
  if (given === 'none') return undefined;
  const dir = given ?? path.join(REPO, '..', 'shared', 'conformance', 'gateway');
  if (fs.existsSync(path.join(dir, 'manifests', 'base', 'manifests.yaml'))) return dir;
  if (given) throw new Error(`--upstream ${given}: no manifests/base/manifests.yaml there`);
  return undefined;
}

function readManifests(file: string): Manifest[] {
  return parseManifests(fs.readFileSync(file, 'utf8'), file);
}

/** The manifests a test applies: the upstream files when there is a copy, else its own. */
function manifestsOf(test: ScenarioTest, upstream: string | undefined): Manifest[] {
  if (upstream && test.upstream.length) return test.upstream.flatMap((f) => readManifests(path.join(upstream, 'manifests', f)));
  return test.manifests;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: {
    upstream: { type: 'string' }, name: { type: 'string' }, 'report-output': { type: 'string' }, docs: { type: 'string' },
    'status-timeout': { type: 'string', default: '60000' }, 'consistency-timeout': { type: 'string', default: '30000' },
    'ready-timeout': { type: 'string', default: '30000' }, 'controller-log': { type: 'string' }, help: { type: 'boolean' },
    unwritten: { type: 'string', default: 'fail' },
  } });
  if (values.unwritten !== 'fail' && values.unwritten !== 'skip') throw new Error(`--unwritten must be fail or skip, not "${values.unwritten}"`);
  if (values.help) return console.log(USAGE), 0;
  const upstream = upstreamDir(values.upstream);
  const tests = loadScenarios(SCENARIOS).filter((t) => !values.name || t.name.includes(values.name));
  const timings: Timings = { statusMs: Number(values['status-timeout']), consistency: { ...UPSTREAM_CONSISTENCY, timeoutMs: Number(values['consistency-timeout']) } };
  console.log(`manifests: ${upstream ? `upstream (${upstream})` : 'the project\'s scenarios (upstream folder not present)'}`);
  const base = upstream ? readManifests(path.join(upstream, 'manifests', 'base', 'manifests.yaml')) : readManifests(path.join(SCENARIOS, 'base.yaml'));
  const results: TestResult[] = [];
  let env: GatewayEnv | undefined;
  const stopOnSignal = () => void (env?.stop().finally(() => process.exit(130)) ?? process.exit(130));
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  try {
    env = await startGatewayEnv({ buildRoot: path.join(REPO, 'dist'), readyTimeoutMs: Number(values['ready-timeout']), ...(values['controller-log'] ? { keepLog: values['controller-log'] } : {}), ...(upstream ? { upstreamCrdDir: path.join(upstream, 'crds', 'experimental') } : {}) });
    await env.applyAll(base);
    for (const test of tests) {
      const result: TestResult = { name: test.name, level: test.level, features: test.features, outcome: 'PASS', reason: '' };
      if (test.skip) Object.assign(result, { outcome: 'SKIP', reason: test.skip });
      else {
        const reason = await runTest(env, test, manifestsOf(test, upstream), timings, CONTROLLER_NAME);
        if (reason) Object.assign(result, { outcome: 'FAIL', reason });
      }
      console.log(resultLine(result));
      results.push(result);
    }
  } finally {
    await env?.stop();
  }
  // Core tests of the profile with no scenario yet count as failures, so the total tells the truth;
  // `--unwritten skip` (the test suite's run) names them as skipped, so that it fails only on a
  // scenario that exists and does not pass.
  if (!values.name) {
    for (const name of CORE_TESTS.filter((n) => !tests.some((t) => t.name === n))) {
      const r: TestResult = { name, level: 'core', features: [], outcome: values.unwritten === 'skip' ? 'SKIP' : 'FAIL', reason: 'not yet expressed as a scenario' };
      console.log(resultLine(r));
      results.push(r);
    }
  }
  if (values['report-output']) {
    const version = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    fs.writeFileSync(values['report-output'], conformanceReport(results, {
      organization: 'portcullis', project: 'portcullis', url: 'https://github.com/portcullis/portcullis', version: `v${version}`, contact: [],
      mode: 'default', gatewayAPIVersion: 'v1.6.1', gatewayAPIChannel: upstream ? 'experimental' : 'standard', date: new Date().toISOString(),
    }, UNSUPPORTED_FEATURES));
  }
  if (values.docs) fs.writeFileSync(values.docs, replaceTable(fs.readFileSync(values.docs, 'utf8'), resultsTable(results, `Last run: ${new Date().toISOString().slice(0, 10)}, ${upstream ? 'upstream manifests' : 'the project\'s scenarios'}.`)));
  console.log(summaryLine(results));
  return results.some((r) => r.outcome === 'FAIL') ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`gateway conformance: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
