import { ANNOTATION_KEYS, PREFIXES } from '../src/translate/annotations/registry.js';
import type { AnyAnnotationDef, Scope } from '../src/translate/annotations/types.js';

const SCOPE_LABELS: Record<Scope, string> = { service: 'Service', ingress: 'Ingress', configmap: 'ConfigMap' };
const SCOPE_ORDER: readonly Scope[] = ['service', 'ingress', 'configmap'];

/** Table cells cannot hold '|' unescaped. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function row(def: AnyAnnotationDef): string {
  const aliases = def.aliases?.length ? ` (old name: ${def.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
  const where = SCOPE_ORDER.filter((s) => def.scopes.includes(s)).map((s) => SCOPE_LABELS[s]).join(', ');
  const fallback = def.defaultText === undefined ? '' : `\`${def.defaultText}\``;
  return `| \`${def.name}\`${aliases} | ${where} | ${cell(def.type)} | ${cell(fallback)} | ${cell(def.doc)} |`;
}

function groups(): Map<string, AnyAnnotationDef[]> {
  const byGroup = new Map<string, AnyAnnotationDef[]>();
  for (const def of ANNOTATION_KEYS) byGroup.set(def.group, [...(byGroup.get(def.group) ?? []), def]);
  return byGroup;
}

/** docs/annotations.md, generated from the key definitions in src/translate/annotations so the two cannot disagree. */
export function annotationsDoc(): string {
  const sections = [...groups()].flatMap(([group, defs]) => [
    `## ${group}`,
    '',
    '| key | where | value | default | meaning |',
    '|---|---|---|---|---|',
    ...defs.map(row),
    '',
  ]);
  return [
    '# Annotations and ConfigMap keys',
    '',
    '<!-- Generated from src/translate/annotations/ by `npm run docs`; do not edit by hand. -->',
    '',
    'Portcullis reads the annotations of the HAProxy Technologies ingress controller, so an Ingress keeps',
    'working when it moves over.',
    '',
    `- **Where:** on Ingresses and Services as annotations with the prefix ${PREFIXES.map((p) => `\`${p}\``).join(' or ')}`,
    '  (`haproxy.org/` wins when one object sets both); in the `--configmap` ConfigMap as bare keys.',
    '- **Precedence:** Service > Ingress > ConfigMap > default, per key. ConfigMap values apply to every',
    '  Ingress and Service; an Ingress applies to the routes it defines; a Service to every route to it.',
    '- **Invalid values** are reported (log line, Warning Event, `portcullis_diagnostics` metric; codes in',
    '  [errors.md](errors.md)) and ignored: the next level applies, and everything else keeps working.',
    '- **Route policy** (access control, auth, rate limits, rewrites, headers, CORS) set on an Ingress goes',
    '  into a backend of its own for that Ingress\'s routes, so other routes to the same Service are',
    '  unaffected and each request still costs one map lookup.',
    '- **On a Service**, `path-rewrite` and `set-host` apply to every route that reaches that Service (the',
    '  HAProxy Technologies controller read them there in v1.4.3 to v1.4.8, and its blog posts of that time',
    '  set them there); one Service\'s value does not touch routes of the same Ingress to other Services.',
    '  The other route keys (access lists, auth, rate limits, headers, CORS, redirects) are Ingress and',
    '  ConfigMap keys, as they always were in that controller: on a Service they are reported and ignored.',
    '- **Secrets** named by annotations must be in the object\'s own namespace unless cross-namespace',
    '  Secrets are allowed; the ConfigMap may name any namespace.',
    '- **Values never become configuration text:** each is parsed into typed data and rejected if it',
    '  does not fit; header values, paths and realms are quoted literally (a `%` stays a `%`).',
    '- **Times** are a number with an optional unit (`ms` (the default), `s`, `m`, `h`, `d`); **bools** are',
    '  `"true"` or `"false"` (also, in any case, `on`/`off`, `enabled`/`disabled`, `1`/`0`, `t`/`f`, the spellings',
    '  the HAProxy Technologies controller took); **IP lists** are addresses and CIDRs separated by commas,',
    '  spaces or newlines.',
    '',
    ...sections,
  ].join('\n');
}
