/**
 * Results: the per-test lines and the last "N passed, N failed" line, the YAML conformance
 * report in the shape the upstream suite's `--report-output` writes, and the results table of
 * docs/gateway-api.md, rewritten between its markers.
 */
import { stringify } from 'yaml';
import type { Level } from './scenario.js';

export type Outcome = 'PASS' | 'FAIL' | 'SKIP';

export interface TestResult {
  name: string;
  level: Level;
  features: string[];
  outcome: Outcome;
  /** Why it failed or was skipped; empty on PASS. */
  reason: string;
}

/** One line per test: `PASS name`, `FAIL name: reason`. */
export function resultLine(r: TestResult): string {
  return `${r.outcome} ${r.name}${r.reason ? `: ${r.reason}` : ''}`;
}

/** `N passed, N failed` and `, N skipped` when any was. */
export function summaryLine(results: readonly TestResult[]): string {
  const n = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const skipped = n('SKIP');
  return `${n('PASS')} passed, ${n('FAIL')} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

export interface ReportMeta {
  organization: string;
  project: string;
  url: string;
  version: string;
  contact: string[];
  mode: string;
  gatewayAPIVersion: string;
  gatewayAPIChannel: string;
  date: string;
}

function levelReport(results: readonly TestResult[]) {
  const passed = results.filter((r) => r.outcome === 'PASS').length;
  const failed = results.filter((r) => r.outcome === 'FAIL');
  const skipped = results.filter((r) => r.outcome === 'SKIP');
  return {
    result: failed.length ? 'failure' : skipped.length && !passed ? 'skipped' : 'success',
    statistics: { Failed: failed.length, Passed: passed, Skipped: skipped.length },
    ...(failed.length ? { failedTests: failed.map((r) => r.name) } : {}),
    ...(skipped.length ? { skippedTests: skipped.map((r) => r.name) } : {}),
  };
}

/** The ConformanceReport YAML for the GATEWAY-HTTP profile. */
export function conformanceReport(results: readonly TestResult[], meta: ReportMeta, unsupported: readonly string[] = []): string {
  const extended = results.filter((r) => r.level === 'extended');
  const supported = [...new Set(extended.filter((r) => r.outcome !== 'SKIP').flatMap((r) => r.features))].sort();
  const report = {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'ConformanceReport', date: meta.date,
    gatewayAPIVersion: meta.gatewayAPIVersion, gatewayAPIChannel: meta.gatewayAPIChannel,
    implementation: { organization: meta.organization, project: meta.project, url: meta.url, version: meta.version, contact: meta.contact },
    mode: meta.mode,
    profiles: [{
      name: 'GATEWAY-HTTP',
      core: levelReport(results.filter((r) => r.level === 'core')),
      extended: { ...levelReport(extended), supportedFeatures: supported, ...(unsupported.length ? { unsupportedFeatures: [...unsupported].sort() } : {}) },
    }],
  };
  return stringify(report);
}

export const TABLE_BEGIN = '<!-- gateway-conformance results: begin -->';
export const TABLE_END = '<!-- gateway-conformance results: end -->';

/** The Markdown results table, core tests first. */
export function resultsTable(results: readonly TestResult[], heading: string): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const ordered = [...results].sort((a, b) => (a.level === b.level ? a.name.localeCompare(b.name) : a.level === 'core' ? -1 : 1));
  return [heading, '', `${summaryLine(results)}.`, '', '| test | level | result | why |', '|---|---|---|---|',
    ...ordered.map((r) => `| ${r.name} | ${r.level} | ${r.outcome} | ${esc(r.reason)} |`)].join('\n');
}

/** `doc` with the text between the markers replaced; refuses a document without both markers. */
export function replaceTable(doc: string, table: string): string {
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (begin === -1 || end < begin) throw new Error(`the document has no "${TABLE_BEGIN}" ... "${TABLE_END}" section`);
  return `${doc.slice(0, begin + TABLE_BEGIN.length)}\n${table}\n${doc.slice(end)}`;
}
