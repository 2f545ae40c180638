/**
 * The values table of deploy/helm/portcullis/README.md, generated from the comments of the chart's
 * values.yaml, the one place the values are documented. The comment right above a key documents
 * it; a documented key is one row (a map under it, such as `config`, is shown whole); an
 * undocumented map is a group whose keys are documented one by one. An undocumented leaf is an
 * error, so a new value cannot be added without its documentation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML, { isMap, isScalar, type Pair, type YAMLMap } from 'yaml';

export const CHART_DIR = join('deploy', 'helm', 'portcullis');

const BEGIN = '<!-- values: generated from values.yaml by `npm run docs`; do not edit by hand -->';
const END = '<!-- end of values -->';

export interface ValueRow {
  path: string;
  default: unknown;
  doc: string;
}

/** The documented values of a values.yaml text, in file order. Throws on an undocumented value. */
export function valueRows(valuesYaml: string): ValueRow[] {
  const doc = YAML.parseDocument(valuesYaml);
  if (doc.errors.length) throw new Error(`values.yaml: ${doc.errors[0].message}`);
  if (!isMap(doc.contents)) throw new Error('values.yaml: expected a map at the top');
  const rows: ValueRow[] = [];
  walk(doc.contents, '', rows);
  return rows;
}

function walk(map: YAMLMap, prefix: string, rows: ValueRow[]): void {
  map.items.forEach((item, index) => {
    const pair = item as Pair;
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const path = prefix ? `${prefix}.${key}` : key;
    // The parser attaches the comment above a map's first key to the map itself, and the file's
    // header to the first key: the last paragraph documents the key, earlier ones the file.
    const raw = (isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (index === 0 ? map.commentBefore : undefined) ?? '';
    const comment = (index === 0 && !prefix ? raw.split(/\n\s*\n/).at(-1)! : raw).trim();
    const doc = comment.split('\n').map((l) => l.trim()).join(' ');
    if (doc) rows.push({ path, default: YAML.isNode(pair.value) ? pair.value.toJSON() : pair.value, doc });
    else if (isMap(pair.value)) walk(pair.value, path, rows);
    else throw new Error(`values.yaml: ${path} has no comment documenting it`);
  });
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Markdown table of `rows`. */
export function valuesTable(rows: readonly ValueRow[]): string {
  const lines = ['| value | default | meaning |', '|---|---|---|'];
  for (const row of rows) lines.push(`| \`${row.path}\` | \`${cell(JSON.stringify(row.default))}\` | ${cell(row.doc)} |`);
  return lines.join('\n');
}

/** `readme` with its generated section replaced by the table of `valuesYaml`. */
export function withValuesTable(readme: string, valuesYaml: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the chart README needs the lines ${BEGIN} and ${END}`);
  return `${readme.slice(0, start + BEGIN.length)}\n${valuesTable(valueRows(valuesYaml))}\n${readme.slice(end)}`;
}

/** The chart README of the checkout at `root` as it should be. */
export function chartReadme(root: string): string {
  return withValuesTable(readFileSync(join(root, CHART_DIR, 'README.md'), 'utf8'), readFileSync(join(root, CHART_DIR, 'values.yaml'), 'utf8'));
}
