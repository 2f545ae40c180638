/**
 * The lint boundaries, checked on code written for the purpose: each README's "May import:" line
 * admits what it names and refuses the rest.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
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
  // A subfolder's README narrows its folder's: front doors use the shared translate code, never each other.
  { file: 'src/translate/ingress/x.ts', code: "import { BackendTable } from '../backends.js';\nexport const b = BackendTable;\n", refused: false },
  { file: 'src/translate/ingress/x.ts', code: "import { selectIngresses } from './ingress-class.js';\nexport const s = selectIngresses;\n", refused: false },
  { file: 'src/translate/ingress/x.ts', code: "import { gateway } from '../gateway/index.js';\nexport const g = gateway;\n", refused: true },
  { file: 'src/translate/gateway/x.ts', code: "import { claimRoutes } from '../ingress/routes.js';\nexport const c = claimRoutes;\n", refused: true },
  { file: 'src/translate/gateway/x.ts', code: "import { CertificateTable } from '../certificates.js';\nexport const c = CertificateTable;\n", refused: false },
  { file: 'src/translate/ingress/x.ts', code: "import { translate } from '../index.js';\nexport const t = translate;\n", refused: true },
  { file: 'src/translate/ingress/x.ts', code: "import { render } from '../../haproxy/render/config.js';\nexport const r = render;\n", refused: true },
  { file: 'src/translate/x.ts', code: "import { ingressFrontDoor } from './ingress/index.js';\nexport const i = ingressFrontDoor;\n", refused: false },
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

test('a subfolder README narrows its folder boundary and never widens it', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'boundaries-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const readme = (folder: string, text: string) => {
    mkdirSync(join(root, 'src', folder), { recursive: true });
    writeFileSync(join(root, 'src', folder, 'README.md'), text);
  };
  readme('a', 'May import: `b`, `c`.\n');
  readme('a/wide', 'May import: `a`, `b`, `d`.\n');
  readme('a/narrow', 'May import: `a`, `!a/wide`, `b`.\n');
  readme('a/plain', 'No boundary of its own here.\n');
  // The rule is plain JavaScript beside the sources (eslint.config.js loads it), not compiled to dist/.
  const { default: boundaries } = await import(pathToFileURL(join(repoRoot(), 'tools', 'lint', 'boundaries.js')).href);
  const lint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: { plugins: { portcullis: boundaries }, rules: { 'portcullis/boundaries': ['error', { srcRoot: join(root, 'src') }] } },
  });
  const check = async (file: string, spec: string) => {
    const [result] = await lint.lintText(`import x from '${spec}';\nexport default x;\n`, { filePath: join(root, 'src', file) });
    return result.messages.map((m) => m.message);
  };
  assert.deepEqual(await check('a/wide/x.js', '../../b/y.js'), []);
  assert.deepEqual(await check('a/wide/x.js', '../y.js'), []);
  assert.deepEqual(await check('a/wide/x.js', '../../d/y.js'), ["src/a may not import '../../d/y.js': its README allows only b, c"], 'the folder above still binds');
  assert.deepEqual(await check('a/narrow/x.js', '../../c/y.js'), ["src/a/narrow may not import '../../c/y.js': its README allows only a, !a/wide, b"]);
  assert.deepEqual(await check('a/narrow/x.js', '../wide/y.js'), ["src/a/narrow may not import '../wide/y.js': its README allows only a, !a/wide, b"]);
  assert.deepEqual(await check('a/narrow/deeper/x.js', '../../wide/y.js'), ["src/a/narrow may not import '../../wide/y.js': its README allows only a, !a/wide, b"]);
  assert.deepEqual(await check('a/narrow/x.js', '../z.js'), []);
  assert.deepEqual(await check('a/plain/x.js', '../wide/y.js'), [], 'a README without the line adds nothing');
  assert.deepEqual(await check('a/x.js', './narrow/y.js'), [], 'the folder itself reaches into its subfolders');
});
