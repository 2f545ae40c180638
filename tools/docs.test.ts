import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DIAGNOSTIC_CODES, ERROR_CODES } from '../src/errors.js';
import { errorsDoc, repoRoot } from './docs.js';

const root = repoRoot();

describe('generated documentation', () => {
  it('docs/errors.md is up to date with src/errors.ts (run npm run docs)', async () => {
    assert.equal(await readFile(join(root, 'docs', 'errors.md'), 'utf8'), errorsDoc());
  });

  it('lists every code exactly once', async () => {
    const doc = await readFile(join(root, 'docs', 'errors.md'), 'utf8');
    for (const code of [...Object.keys(DIAGNOSTIC_CODES), ...Object.keys(ERROR_CODES)]) {
      assert.equal(doc.split(`\`${code}\``).length - 1, 1, code);
    }
  });
});
