import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ANNOTATION_KEYS } from '../src/translate/annotations/registry.js';
import { annotationsDoc } from './annotations-doc.js';
import { repoRoot } from './docs.js';

describe('generated annotation documentation', () => {
  it('docs/annotations.md is up to date with src/translate/annotations (run npm run docs)', async () => {
    assert.equal(await readFile(join(repoRoot(), 'docs', 'annotations.md'), 'utf8'), annotationsDoc());
  });

  it('documents every key exactly once, with its old names', () => {
    const doc = annotationsDoc();
    for (const def of ANNOTATION_KEYS) {
      assert.equal(doc.split(`| \`${def.name}\``).length - 1, 1, def.name);
      for (const alias of def.aliases ?? []) assert.ok(doc.includes(`\`${alias}\``), alias);
    }
  });
});
