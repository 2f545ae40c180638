/**
 * Reads the commands a document shows: the lines of its ```sh blocks, split into words the way a
 * shell would for the simple commands the docs use, with the comment that says what to expect.
 */

/** One command line of a ```sh block. */
export interface DocCommand {
  /** 1-based line in the document where the command starts. */
  line: number;
  /** Pipeline stages, each a list of words (quotes removed). */
  stages: string[][];
  /** The words of every stage joined by single spaces, `|` between stages: how the classifier names it. */
  text: string;
  /** Text after `#`, trimmed; '' when there is none. */
  comment: string;
  /** Shell syntax beyond words, quotes and `|` (`;`, `&&`, redirections, substitutions): never run. */
  complex: boolean;
}

/** The command lines of every ```sh block, with `\` continuations joined and blank or comment-only lines left out. */
export function shCommands(markdown: string): DocCommand[] {
  const commands: DocCommand[] = [];
  let inSh = false;
  let pending: { line: number; text: string } | undefined;
  markdown.split('\n').forEach((raw, i) => {
    const fence = /^\s*```(\S*)/.exec(raw);
    if (fence) {
      inSh = !inSh && fence[1] === 'sh';
      return;
    }
    if (!inSh) return;
    const joined = pending ? `${pending.text} ${raw.trim()}` : raw.trim();
    const start = pending?.line ?? i + 1;
    if (joined.endsWith('\\')) {
      pending = { line: start, text: joined.slice(0, -1).trim() };
      return;
    }
    pending = undefined;
    const command = splitShell(joined, start);
    if (command.stages.length > 0) commands.push(command);
  });
  return commands;
}

/** Splits one line into pipeline stages and a trailing comment. */
export function splitShell(line: string, lineNumber = 1): DocCommand {
  const stages: string[][] = [[]];
  let word: string | undefined;
  let complex = false;
  let comment = '';
  const end = () => {
    if (word !== undefined) stages[stages.length - 1].push(word);
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close === -1) throw new Error(`line ${lineNumber}: unterminated quote`);
      word = (word ?? '') + line.slice(i + 1, close);
      i = close;
    } else if (ch === '"') {
      let j = i + 1;
      let text = '';
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && '"\\$`'.includes(line[j + 1] ?? '')) j++;
        else if (line[j] === '$' || line[j] === '`') complex = true;
        text += line[j];
      }
      if (j >= line.length) throw new Error(`line ${lineNumber}: unterminated quote`);
      word = (word ?? '') + text;
      i = j;
    } else if (ch === '\\') {
      word = (word ?? '') + (line[++i] ?? '');
    } else if (/\s/.test(ch)) {
      end();
    } else if (ch === '#' && word === undefined) {
      comment = line.slice(i + 1).trim();
      break;
    } else if (ch === '|' && line[i + 1] !== '|') {
      end();
      stages.push([]);
    } else {
      if (';&<>$`()|'.includes(ch)) complex = true;
      word = (word ?? '') + ch;
    }
  }
  end();
  const kept = stages.filter((s) => s.length > 0);
  return { line: lineNumber, stages: kept, text: kept.map((s) => s.join(' ')).join(' | '), comment, complex };
}

/** What a comment says a request answers: the part before the first `;` (the rest is prose). */
export interface Expectation {
  status: number;
  /** `to URL`: the Location header. */
  location?: string;
  /** `from Service NAME`, `Ingress NAME`, `from pod GLOB`, `path "P"`: fields of the echo's JSON answer. */
  service?: string;
  ingress?: string;
  pod?: string;
  path?: string;
  /** `"key": VALUE` or `"key": > N`: a field anywhere in a JSON answer. */
  fields: { key: string; op: '=' | '>'; value: unknown }[];
}

/**
 * Parses `302 to https://demo.localhost:8443/; prose`, `200 from Service api, Ingress demo; prose`,
 * `200, "reloads": 0, "server": > 0`. A clause it does not know is an error, so every comment a
 * request carries is checked in full.
 */
export function parseExpectation(comment: string): Expectation {
  const checkable = comment.split(';')[0].trim();
  // Clauses end at a comma and a space; a comma alone belongs to a value (`Service app,test-service`).
  const clauses = checkable.split(/,\s+/).map((c) => c.trim()).filter(Boolean);
  const first = /^(\d{3})(?:\s+(.+))?$/.exec(clauses[0] ?? '');
  if (!first) throw new Error(`the comment "# ${comment}" does not start with the expected status (e.g. "# 200 from Service web")`);
  const expected: Expectation = { status: Number(first[1]), fields: [] };
  for (const clause of [first[2], ...clauses.slice(1)].filter((c): c is string => Boolean(c))) {
    let m: RegExpExecArray | null;
    if ((m = /^to (\S+)$/.exec(clause))) expected.location = m[1];
    else if ((m = /^from Service (\S+)$/.exec(clause))) expected.service = m[1];
    else if ((m = /^(?:from )?pod (\S+)$/.exec(clause))) expected.pod = m[1];
    else if ((m = /^Ingress (\S+)$/.exec(clause))) expected.ingress = m[1];
    else if ((m = /^path "([^"]*)"$/.exec(clause))) expected.path = m[1];
    else if ((m = /^"([^"]+)": (>\s*)?(.+)$/.exec(clause))) expected.fields.push({ key: m[1], op: m[2] ? '>' : '=', value: JSON.parse(m[3]) });
    else throw new Error(`cannot check "${clause}" in "# ${comment}"; put prose after a ";"`);
  }
  return expected;
}

/** `*` matches any run of characters; everything else literally. */
export function globMatch(glob: string, value: string): boolean {
  const pattern = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(value);
}

/** Every value of `key` at any depth of a parsed JSON document. */
export function fieldValues(doc: unknown, key: string): unknown[] {
  if (Array.isArray(doc)) return doc.flatMap((d) => fieldValues(d, key));
  if (!doc || typeof doc !== 'object') return [];
  return Object.entries(doc).flatMap(([k, v]) => [...(k === key ? [v] : []), ...fieldValues(v, key)]);
}
