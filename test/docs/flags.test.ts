/** The README's flags table, the flag definitions and `--help` name the same flags, with the same defaults. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { FLAGS } from '../../src/app/options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Rows of the table under "### Flags": the flags named in the first cell, and the default cell. */
function readmeRows(): { flags: string[]; defaults: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split('\n### Flags\n')[1]?.split('\n## ')[0];
  assert.ok(section, 'README.md has a "### Flags" section');
  return section.split('\n').filter((l) => l.startsWith('| `')).map((line) => {
    const [first, defaults] = line.split(' | ').map((c) => c.replace(/^\| /, ''));
    return { flags: [...first.matchAll(/`--([a-z-]+)/g)].map((m) => m[1]), defaults };
  });
}

describe('the flags the README lists', () => {
  it('are exactly the defined flags', () => {
    const listed = readmeRows().flatMap((r) => r.flags).sort();
    assert.deepEqual(listed, Object.keys(FLAGS).sort());
  });

  it('are exactly the flags --help shows', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'portcullis.js'), '--help']);
    const shown = [...stdout.matchAll(/^\s+--([a-z-]+)/gm)].map((m) => m[1]).sort();
    assert.deepEqual(readmeRows().flatMap((r) => r.flags).sort(), shown);
  });

  it('show each non-empty default the code has', () => {
    for (const row of readmeRows()) {
      for (const flag of row.flags) {
        const spec = FLAGS[flag as keyof typeof FLAGS] as { default?: string | boolean };
        if (typeof spec.default === 'string' && spec.default !== '') assert.ok(row.defaults.includes(spec.default), `--${flag}: the README's default "${row.defaults}" does not show ${spec.default}`);
        if (spec.default === false && flag !== 'help') assert.match(row.defaults, /off/, `--${flag}: a switch that is off by default`);
      }
    }
  });
});
