/**
 * Faults in full: the fault tests of test/integration/faults-*.test.js with the durations of
 * issue 14 (a 60 s API server outage instead of the 5 s the test suite uses). Each prints its
 * figures (failed requests, time to apply after the outage) in its output.
 *
 *   node dist/bench/faults.js [--outage 60]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { outage: { type: 'string', default: '60' } } });
const dist = join(dirname(fileURLToPath(import.meta.url)), '..');
const tests = ['faults-controller', 'faults-kube', 'faults-state'].map((name) => join(dist, 'test', 'integration', `${name}.test.js`));
const run = spawnSync(process.execPath, ['--test', '--test-reporter', 'spec', ...tests], {
  env: { ...process.env, PORTCULLIS_FAULT_OUTAGE_MS: String(Number(values.outage) * 1000) },
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
// The figures are the lines the tests log; the access log lines in between are left out.
for (const line of `${run.stdout}${run.stderr}`.split('\n')) {
  if (/requests \(|^\s*[✔✖]|fail|pass/.test(line) && !/ \[\d\d\//.test(line)) console.log(line);
}
process.exitCode = run.status ?? 1;
