/**
 * Entry point of the Kubernetes Ingress conformance runner
 * (`node <root>/test/conformance/run.js [flags]`, `--help` lists the flags).
 */
import { buildRootFrom } from './options.js';
import { runSuite } from './suite.js';

runSuite(process.argv.slice(2), buildRootFrom(import.meta.url), (line) => process.stdout.write(`${line}\n`)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`conformance: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
