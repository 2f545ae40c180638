/**
 * Reads a configuration line the way HAProxy's parser splits it into words (section 2.2 of the
 * manual): blanks separate words; single quotes keep everything literally; double quotes and bare
 * words take backslash escapes (and double quotes would expand `$VAR`); `#` outside quotes starts
 * a comment. The fuzz test uses it to see what HAProxy will see.
 */
export interface Words {
  words: string[];
  /** A `#` outside quotes cut the line. */
  comment: boolean;
  /** Something only HAProxy would interpret: `$` in double quotes, an unclosed quote. */
  suspicious: string[];
}

export function splitWords(line: string): Words {
  const words: string[] = [];
  const suspicious: string[] = [];
  let current: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      current = (current ?? '') + line[++i];
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else {
        if (c === '$') suspicious.push('"$" in double quotes');
        current += c;
      }
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (current !== undefined) words.push(current);
      current = undefined;
      continue;
    }
    if (c === '#') {
      if (current !== undefined) words.push(current);
      return { words, comment: true, suspicious };
    }
    if (c === "'" || c === '"') {
      quote = c;
      current ??= '';
      continue;
    }
    current = (current ?? '') + c;
  }
  if (quote) suspicious.push(`unclosed ${quote}`);
  if (current !== undefined) words.push(current);
  return { words, comment: false, suspicious };
}
