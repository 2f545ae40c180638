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
 *
 * A subfolder may have a README with its own "May import:" line (src/translate/ingress/README.md):
 * its files must then keep to that line and to every one above it, so a subfolder can narrow its
 * folder's boundary (say, one front door may not import another) but never widen it. A subfolder
 * README without the line adds nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Parses a README's "May import:" line into the allowed tokens; null when there is none. */
export function parseMayImport(text) {
  const line = text.split('\n').find((l) => l.startsWith('May import:'));
  if (!line) return null;
  return [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/**
 * The boundaries `file` is inside, outermost first: its folder of src/ (tokens null when its README
 * has no "May import:" line), then each subfolder whose README has one. Null outside src/ folders.
 */
function boundariesOf(srcRoot, file) {
  const rel = relative(srcRoot, file).split(sep);
  if (rel.length < 2 || rel[0] === '..') return null;
  const levels = [];
  for (let depth = 1; depth < rel.length; depth++) {
    const readme = join(srcRoot, ...rel.slice(0, depth), 'README.md');
    const tokens = existsSync(readme) ? parseMayImport(readFileSync(readme, 'utf8')) : null;
    if (depth === 1 || tokens) levels.push({ folder: rel.slice(0, depth).join('/'), tokens });
  }
  return levels;
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
    const levels = boundariesOf(srcRoot, file);
    if (!levels) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      const [top] = levels;
      if (!top.tokens) {
        context.report({ node, messageId: 'noReadme', data: { folder: top.folder } });
        return;
      }
      const t = target(srcRoot, file, spec);
      const inside = (folder) => t.kind === 'src' && (t.name === folder || t.name.startsWith(`${folder}/`));
      // The innermost boundary that refuses the import is the one to name.
      const refusing = levels.findLast(({ folder, tokens }) => !inside(folder) && !allowed(tokens, t));
      if (!refusing) return;
      const { folder, tokens } = refusing;
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
