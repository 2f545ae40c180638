import { defineKey, ok, refuse as refuseWith, type Parsed } from './types.js';

const refuse = (reason: string): Parsed<never> => refuseWith(reason, 'PCL_SNIPPET_INVALID');

const GROUP = 'Configuration snippets (only with --allow-config-snippets)';
const MAX_LINES = 200;
const MAX_LINE = 1024;

/** Keywords that open a section: a snippet line starting with one would escape the section it is put in. */
const SECTION_KEYWORDS = new Set([
  'global', 'defaults', 'frontend', 'backend', 'listen', 'peers', 'userlist', 'resolvers', 'mailers', 'program',
  'http-errors', 'ring', 'cache', 'fcgi-app', 'log-forward', 'crt-store', 'traces',
]);

/**
 * Raw HAProxy lines, checked only so they stay inside their section: no control characters but
 * tabs, no section keyword, bounded size. Whether HAProxy accepts them is decided by `haproxy -c`;
 * a snippet it rejects is left out with its object.
 */
function parseSnippet(raw: string): Parsed<string[]> {
  const result: string[] = [];
  const all = raw.split(/\r?\n/);
  for (const [index, line] of all.entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/.test(trimmed)) return refuse(`has control characters on line ${index + 1}`);
    if (trimmed.length > MAX_LINE) return refuse(`has a line longer than ${MAX_LINE} characters (line ${index + 1})`);
    const keyword = trimmed.split(/\s+/)[0].toLowerCase();
    if (SECTION_KEYWORDS.has(keyword)) return refuse(`starts a new section ("${keyword}") on line ${index + 1}`);
    result.push(trimmed);
  }
  if (result.length === 0) return refuse('has no directive');
  return result.length > MAX_LINES ? refuse(`has more than ${MAX_LINES} lines`) : ok(result);
}

export const GLOBAL_CONFIG_SNIPPET = defineKey<string[]>({
  name: 'global-config-snippet',
  scopes: ['configmap'],
  group: GROUP,
  type: 'HAProxy lines',
  doc: 'Lines added to the `global` section.',
  parse: parseSnippet,
});

export const FRONTEND_CONFIG_SNIPPET = defineKey<string[]>({
  name: 'frontend-config-snippet',
  scopes: ['configmap'],
  group: GROUP,
  type: 'HAProxy lines',
  doc: 'Lines added to the HTTP and HTTPS frontends; their request rules run for every request, before routing (routed requests leave the routing rules early).',
  parse: parseSnippet,
});

export const BACKEND_CONFIG_SNIPPET = defineKey<string[]>({
  name: 'backend-config-snippet',
  scopes: ['service', 'ingress', 'configmap'],
  group: GROUP,
  type: 'HAProxy lines',
  doc: 'Lines added to the backend section(s) of the Service, after the controller\'s own rules.',
  parse: parseSnippet,
});

/** Every key of this group, in docs order. */
export const SNIPPET_KEYS = [GLOBAL_CONFIG_SNIPPET, FRONTEND_CONFIG_SNIPPET, BACKEND_CONFIG_SNIPPET];

/** True for the keys that need `--allow-config-snippets`. */
export function isSnippetKey(name: string): boolean {
  return SNIPPET_KEYS.some((key) => key.name === name);
}
