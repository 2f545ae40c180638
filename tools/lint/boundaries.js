/**
 * ESLint rule `portcullis/boundaries`: each folder under src/ may import only what the
 * "May import:" line of its README names, so the README and the code cannot disagree.
 *
 * Tokens on that line, each in backticks:
 *   `model`, `store/types`  a folder of src/, or one file of it (without extension)
 *   `errors`                a file directly under src/ (src/errors.ts)
 *   `yaml`, `@scope/name`   an npm package (and its subpaths)
 *   `node:crypto`, `node:*` one Node.js built-in, or all of them
 *   `*`                     everything
 *   `!name`                 an exception to `*`
 * Imports inside the folder itself are always allowed. Tests (*.test.ts) are exempt: they may
 * reach test support and other folders to build their inputs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Parses a README's "May import:" line into the allowed tokens; null when there is none. */
export function parseMayImport(text) {
  const line = text.split('\n').find((l) => l.startsWith('May import:'));
  if (!line) return null;
  return [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

function folderOf(srcRoot, file) {
  const rel = relative(srcRoot, file).split(sep);
  return rel.length > 1 && rel[0] !== '..' ? rel[0] : null;
}

/** What an import specifier names: a src path ('store/types'), a package, or a built-in. */
function target(srcRoot, file, spec) {
  if (spec.startsWith('node:')) return { kind: 'builtin', name: spec };
  if (spec.startsWith('.')) {
    const abs = resolve(dirname(file), spec).replace(/\.js$/, '');
    const rel = relative(srcRoot, abs);
    if (rel.startsWith('..')) return { kind: 'outside', name: relative(join(srcRoot, '..'), abs) };
    return { kind: 'src', name: rel.split(sep).join('/') };
  }
  const parts = spec.split('/');
  return { kind: 'package', name: spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] };
}

function matches(token, t) {
  if (t.kind === 'builtin') return token === 'node:*' || token === t.name;
  if (t.kind === 'package') return token === t.name;
  if (t.kind === 'src') return t.name === token || t.name.startsWith(`${token}/`);
  return false;
}

export function allowed(tokens, t) {
  const exceptions = tokens.filter((x) => x.startsWith('!')).map((x) => x.slice(1));
  if (exceptions.some((x) => matches(x, t))) return false;
  return tokens.some((x) => x === '*' || matches(x, t));
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: "imports stay within what the folder's README allows" },
    schema: [{ type: 'object', properties: { srcRoot: { type: 'string' } }, required: ['srcRoot'] }],
    messages: {
      forbidden: "src/{{folder}} may not import '{{spec}}': its README allows only {{allowed}}",
      noReadme: 'src/{{folder}}/README.md has no "May import:" line',
    },
  },
  create(context) {
    const srcRoot = context.options[0].srcRoot;
    const file = context.filename;
    if (file.endsWith('.test.ts')) return {};
    const folder = folderOf(srcRoot, file);
    if (!folder) return {};
    const readme = join(srcRoot, folder, 'README.md');
    const tokens = existsSync(readme) ? parseMayImport(readFileSync(readme, 'utf8')) : null;
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (!tokens) {
        context.report({ node, messageId: 'noReadme', data: { folder } });
        return;
      }
      const t = target(srcRoot, file, spec);
      if (t.kind === 'src' && (t.name === folder || t.name.startsWith(`${folder}/`))) return;
      if (allowed(tokens, t)) return;
      context.report({ node, messageId: 'forbidden', data: { folder, spec, allowed: tokens.length ? tokens.join(', ') : 'nothing' } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { boundaries: rule } };
