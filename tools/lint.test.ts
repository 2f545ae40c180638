/**
 * The lint boundaries, checked on code written for the purpose: each README's "May import:" line
 * admits what it names and refuses the rest.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from './docs.js';

const eslint = new ESLint({ cwd: repoRoot() });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot(), file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const cases: { file: string; code: string; refused: boolean }[] = [
  { file: 'src/translate/x.ts', code: "import type { Model } from '../model/types.js';\nexport type M = Model;\n", refused: false },
  { file: 'src/translate/annotations/x.ts', code: "import type { Model } from '../../model/types.js';\nexport type M = Model;\n", refused: false },
  { file: 'src/translate/x.ts', code: "import { render } from '../haproxy/render/config.js';\nexport const r = render;\n", refused: true },
  { file: 'src/translate/x.ts', code: "import { Store } from '../store/store.js';\nexport const s = Store;\n", refused: true },
  { file: 'src/translate/x.ts', code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", refused: true },
  { file: 'src/translate/x.ts', code: "import { X509Certificate } from 'node:crypto';\nexport const c = X509Certificate;\n", refused: false },
  { file: 'src/haproxy/render/x.ts', code: "import type { Model } from '../../model/types.js';\nexport type M = Model;\n", refused: false },
  { file: 'src/haproxy/render/x.ts', code: "import type { Snapshot } from '../../store/types.js';\nexport type S = Snapshot;\n", refused: true },
  { file: 'src/haproxy/x.ts', code: "import * as k8s from '@kubernetes/client-node';\nexport const k = k8s;\n", refused: true },
  { file: 'src/app/x.ts', code: "import * as k8s from '@kubernetes/client-node';\nexport const k = k8s;\n", refused: true },
  { file: 'src/app/x.ts', code: "import { HAProxyDriver } from '../haproxy/index.js';\nexport const d = HAProxyDriver;\n", refused: false },
  { file: 'src/sources/x.ts', code: "import * as k8s from '@kubernetes/client-node';\nexport const k = k8s;\n", refused: false },
  { file: 'src/status/x.ts', code: "import type { Model } from '../model/types.js';\nexport type M = Model;\n", refused: true },
  { file: 'src/model/x.ts', code: "import { EventEmitter } from 'node:events';\nexport const e = EventEmitter;\n", refused: true },
  { file: 'src/store/x.ts', code: "import { EventEmitter } from 'node:events';\nexport const e = EventEmitter;\n", refused: false },
  // Tests build their inputs from anywhere.
  { file: 'src/translate/x.test.ts', code: "import { Store } from '../store/store.js';\nexport const s = Store;\n", refused: false },
];

for (const c of cases) {
  test(`${c.file}: ${c.code.split('\n')[0]} is ${c.refused ? 'refused' : 'allowed'}`, async () => {
    const found = (await problems(c.file, c.code)).filter((p) => p.startsWith('portcullis/boundaries'));
    assert.equal(found.length, c.refused ? 1 : 0, found.join('\n'));
  });
}

test('module-level mutable state is refused in src/, allowed in tests', async () => {
  assert.deepEqual(await problems('src/store/x.ts', 'export let counter = 0;\nexport const next = () => ++counter;\n'), [
    'no-restricted-syntax: no module-level mutable state: keep it in an instance',
  ]);
  assert.deepEqual(await problems('src/store/x.test.ts', 'let counter = 0;\nexport const next = () => ++counter;\n'), []);
});

test('every folder of src/ states what it may import', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const src = join(repoRoot(), 'src');
  for (const name of readdirSync(src)) {
    if (!statSync(join(src, name)).isDirectory()) continue;
    const readme = readFileSync(join(src, name, 'README.md'), 'utf8');
    assert.match(readme, /^May import: /m, `src/${name}/README.md`);
  }
});
