import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ANNOTATION_KEYS } from '../src/translate/annotations/registry.js';
import { NGINX_KEYS } from '../src/translate/annotations/nginx/registry.js';
import { annotationsDoc } from './annotations-doc.js';
import { nginxAnnotationsDoc } from './nginx-annotations-doc.js';
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

describe('generated ingress-nginx annotation documentation', () => {
  it('docs/nginx-annotations.md is up to date with src/translate/annotations/nginx (run npm run docs)', async () => {
    assert.equal(await readFile(join(repoRoot(), 'docs', 'nginx-annotations.md'), 'utf8'), nginxAnnotationsDoc());
  });

  it('documents every ingress-nginx key exactly once', () => {
    const doc = nginxAnnotationsDoc();
    for (const def of NGINX_KEYS) assert.equal(doc.split(`| \`${def.name}\``).length - 1, 1, def.name);
  });
});
