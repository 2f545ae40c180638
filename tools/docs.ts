import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIAGNOSTIC_CODES, ERROR_CODES } from '../src/errors.js';

/** The checkout's root, found from wherever the compiled file lives (dist/ or another build folder). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}

/** docs/errors.md, generated from the catalogue in src/errors.ts so the two cannot disagree. */
export function errorsDoc(): string {
  const table = (codes: Record<string, string>) =>
    ['| code | meaning |', '|---|---|', ...Object.entries(codes).sort(([a], [b]) => a.localeCompare(b)).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`)].join('\n');
  return [
    '# Error and diagnostic codes',
    '',
    '<!-- Generated from src/errors.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Codes are stable: logs, Kubernetes Events (as the `reason`), metric labels and tests match on them.',
    '',
    '## Diagnostics',
    '',
    'Problems in Kubernetes objects. Each becomes a log line, a Warning Event on the object and a',
    '`portcullis_diagnostics{code,severity}` gauge; the object (or the part of it at fault) is left out',
    'and everything else keeps working.',
    '',
    table(DIAGNOSTIC_CODES),
    '',
    '## Operational errors',
    '',
    'Failures at the edges (HAProxy, the Kubernetes API, files), logged with their code.',
    '',
    table(ERROR_CODES),
    '',
  ].join('\n');
}
