import { NGINX_KEYS } from '../src/translate/annotations/nginx/registry.js';
import { ELSEWHERE, NOT_SERVED } from '../src/translate/annotations/nginx/not-served.js';
import type { AnyNginxKeyDef } from '../src/translate/annotations/nginx/types.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function row(def: AnyNginxKeyDef): string {
  const aliases = def.aliases?.length ? ` (also ${def.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
  const served = def.served.as === 'same' ? 'as is' : `with a difference: ${def.served.difference}`;
  return `| \`${def.name}\`${aliases} | ${cell(def.type)} | ${cell(def.nginx)} | ${cell(def.doc)} | ${cell(served)} |`;
}

/** docs/nginx-annotations.md, generated from src/translate/annotations/nginx. */
export function nginxAnnotationsDoc(): string {
  const groups = new Map<string, AnyNginxKeyDef[]>();
  for (const def of NGINX_KEYS) groups.set(def.group, [...(groups.get(def.group) ?? []), def]);
  return [
    '# ingress-nginx annotations',
    '',
    '<!-- Generated from src/translate/annotations/nginx/ by `npm run docs`; do not edit by hand. -->',
    '',
    'Portcullis reads `nginx.ingress.kubernetes.io/` annotations on every Ingress it serves. Each sets one or',
    'more of our own keys on the same Ingress ([annotations.md](annotations.md)); our own key, when the Ingress',
    'also sets it, wins. An invalid value is reported and only that key is ignored.',
    '',
    ...[...groups].flatMap(([group, defs]) => [
      `## ${group}`,
      '',
      '| key | value | ingress-nginx | Portcullis | served |',
      '|---|---|---|---|---|',
      ...defs.map(row),
      '',
    ]),
    '## Not served',
    '',
    '| key | why | instead |',
    '|---|---|---|',
    ...[...NOT_SERVED, ...ELSEWHERE].map((e) => `| \`${e.key}\` | ${cell(e.why)} | ${cell(e.instead)} |`),
    '',
  ].join('\n');
}
