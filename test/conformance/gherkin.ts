/**
 * Turns feature files into scenario runs ("pickles") with the same rules as
 * gherkin-go: the Background is prepended to every run, each Examples row of
 * a Scenario Outline becomes its own run with `<placeholders>` replaced, and
 * an Outline without Examples runs once as a plain scenario.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator, type GherkinDocument, type Pickle, type TableRow } from '@cucumber/messages';

/** One step of a run, with its doc string or data table if any. */
export interface RunStep {
  text: string;
  docString?: string;
  table?: string[][];
}

/** One scenario run, ready to execute. */
export interface ScenarioRun {
  /** Feature file name without `.feature`, e.g. `default_backend`. */
  featureFile: string;
  /** The `Feature:` title, e.g. `Default backend`. */
  feature: string;
  name: string;
  /** `column=value` pairs of the Examples row, for Outline runs. */
  example?: string;
  tags: string[];
  steps: RunStep[];
}

function exampleRows(doc: GherkinDocument): Map<string, string> {
  const rows = new Map<string, string>();
  const describe = (header: TableRow, row: TableRow) =>
    row.cells.map((cell, i) => `${header.cells[i]?.value}=${cell.value}`).join(', ');
  for (const child of doc.feature?.children ?? []) {
    for (const examples of child.scenario?.examples ?? []) {
      if (!examples.tableHeader) continue;
      for (const row of examples.tableBody) rows.set(row.id, describe(examples.tableHeader, row));
    }
  }
  return rows;
}

function toRun(pickle: Pickle, featureFile: string, feature: string, rows: Map<string, string>): ScenarioRun {
  const example = pickle.astNodeIds.length > 1 ? rows.get(pickle.astNodeIds[1]) : undefined;
  return {
    featureFile,
    feature,
    name: pickle.name,
    ...(example !== undefined ? { example } : {}),
    tags: pickle.tags.map((t) => t.name),
    steps: pickle.steps.map((step) => {
      const out: RunStep = { text: step.text };
      if (step.argument?.docString) out.docString = step.argument.docString.content;
      if (step.argument?.dataTable) {
        out.table = step.argument.dataTable.rows.map((r) => r.cells.map((c) => c.value));
      }
      return out;
    }),
  };
}

/**
 * Compiles one feature file's text. `uri` names the file (its base name
 * without `.feature` selects the step definitions). Parse errors throw.
 */
export function compileFeature(source: string, uri: string): ScenarioRun[] {
  const newId = IdGenerator.incrementing();
  const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher());
  const doc = parser.parse(source);
  const featureFile = path.basename(uri).replace(/\.feature$/, '');
  const rows = exampleRows(doc);
  return compile(doc, uri, newId).map((p) => toRun(p, featureFile, doc.feature?.name ?? '', rows));
}

/** Compiles every `*.feature` file of a folder, in file-name order. */
export async function loadFeatures(dir: string): Promise<ScenarioRun[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.feature')).sort();
  const runs: ScenarioRun[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    runs.push(...compileFeature(await fs.readFile(full, 'utf8'), full));
  }
  return runs;
}

/**
 * Evaluates a godog (v0.10) tag filter: `,` separates alternatives, `&&`
 * joins requirements, `~` negates. An empty filter accepts everything.
 */
export function matchesTags(filter: string | undefined, tags: readonly string[]): boolean {
  if (!filter || !filter.trim()) return true;
  const has = (tag: string) => tags.includes(tag.startsWith('@') ? tag : `@${tag}`);
  return filter.split('&&').every((group) =>
    group.split(',').some((raw) => {
      const term = raw.trim();
      return term.startsWith('~') ? !has(term.slice(1).trim()) : has(term);
    }),
  );
}
