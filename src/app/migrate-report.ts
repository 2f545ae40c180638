import type { ConfigMap, Ingress, Snapshot } from '../store/types.js';
import { objectKey } from '../store/types.js';
import { findNginxKey } from '../translate/annotations/nginx/registry.js';
import { SERVED_ELSEWHERE, elsewhere, notServed } from '../translate/annotations/nginx/not-served.js';
import { NGINX_PREFIX } from '../translate/annotations/nginx/types.js';
import { findKey } from '../translate/annotations/registry.js';

/** How Portcullis serves one ingress-nginx key: as is, with a documented difference, or not. */
export type Verdict = 'served' | 'different' | 'not-served';

export interface KeyReport {
  key: string;
  value: string;
  verdict: Verdict;
  /** The difference, or why it is not served and what to use. */
  detail?: string;
}

export interface MigrationReport {
  ingresses: { ingress: string; annotations: KeyReport[] }[];
  configMap?: { name: string; keys: KeyReport[] };
  /** True when every key is served (as is or with a difference). */
  served: boolean;
}

/** The verdict on one ingress-nginx annotation of an Ingress (bare key, value). */
export function judgeAnnotation(bare: string, value: string, ingress: Pick<Ingress, 'metadata'>, snapshot: Snapshot): KeyReport {
  const key = NGINX_PREFIX + bare;
  const lookup = findNginxKey(bare);
  if (lookup) {
    const parsed = lookup.def.parse(value.trim(), { scope: 'ingress', namespace: ingress.metadata.namespace, snapshot, allowCrossNamespaceSecrets: false });
    if (!parsed.ok) return { key, value, verdict: 'not-served', detail: `${JSON.stringify(value)} ${parsed.reason}; the key would be ignored` };
    const served = lookup.def.served;
    return served.as === 'same' ? { key, value, verdict: 'served' } : { key, value, verdict: 'different', detail: served.difference };
  }
  const other = elsewhere(bare);
  if (other) {
    if (!SERVED_ELSEWHERE.has(bare)) return { key, value, verdict: 'not-served', detail: `not served yet; instead: ${other.instead}` };
    // Read through the definition both prefixes share (canary, affinity): its parser decides.
    const shared = findKey(bare);
    const parsed = shared?.def.parse(value.trim(), { scope: 'ingress', namespace: ingress.metadata.namespace, snapshot, allowCrossNamespaceSecrets: false });
    if (parsed && !parsed.ok) return { key, value, verdict: 'not-served', detail: `${JSON.stringify(value)} ${parsed.reason}; the key would be ignored` };
    return { key, value, verdict: 'served' };
  }
  const known = notServed(bare);
  if (known) return { key, value, verdict: 'not-served', detail: `${known.why}; instead: ${known.instead}` };
  return { key, value, verdict: 'not-served', detail: 'unknown to Portcullis; see docs/migrating-from-ingress-nginx.md' };
}

function judgeConfigKey(key: string, value: string): KeyReport {
  const ours = findKey(key);
  if (ours?.def.scopes.includes('configmap')) {
    return { key, value, verdict: 'different', detail: 'read under the same name from the --configmap ConfigMap; check that the value has the format docs/annotations.md gives' };
  }
  return { key, value, verdict: 'not-served', detail: 'no ConfigMap key of this name; see docs/annotations.md for the global settings' };
}

/** The report for every Ingress carrying ingress-nginx annotations, and the ingress-nginx ConfigMap. */
export function migrationReport(snapshot: Snapshot, nginxConfigMap?: string): MigrationReport {
  const ingresses = [...snapshot.ingresses.values()]
    .sort((a, b) => (objectKey(a.metadata) < objectKey(b.metadata) ? -1 : 1))
    .map((ingress) => ({
      ingress: objectKey(ingress.metadata),
      annotations: Object.entries(ingress.metadata.annotations)
        .filter(([k]) => k.startsWith(NGINX_PREFIX))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => judgeAnnotation(k.slice(NGINX_PREFIX.length), v, ingress, snapshot)),
    }));
  const cm: ConfigMap | undefined = nginxConfigMap ? snapshot.configMaps.get(nginxConfigMap) : undefined;
  const configMap = cm
    ? { name: nginxConfigMap!, keys: Object.entries(cm.data).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => judgeConfigKey(k, v)) }
    : undefined;
  const all = [...ingresses.flatMap((i) => i.annotations), ...(configMap?.keys ?? [])];
  return { ingresses, ...(configMap ? { configMap } : {}), served: all.every((r) => r.verdict !== 'not-served') };
}

const LABELS: Record<Verdict, string> = { served: 'served as is', different: 'served with a difference', 'not-served': 'not served' };

/** The report as text, one line per key. */
export function formatReport(report: MigrationReport): string {
  const lines: string[] = [];
  const line = (r: KeyReport) => `  ${r.key}: ${LABELS[r.verdict]}${r.detail ? ` (${r.detail})` : ''}`;
  for (const { ingress, annotations } of report.ingresses) {
    lines.push(`Ingress ${ingress}${annotations.length === 0 ? ': no ingress-nginx annotations' : ''}`, ...annotations.map(line));
  }
  if (report.configMap) lines.push(`ConfigMap ${report.configMap.name}`, ...report.configMap.keys.map(line));
  lines.push(report.served ? 'Everything is served.' : 'Some keys are not served; see above.');
  return `${lines.join('\n')}\n`;
}
