/**
 * Label and field selectors with kube-apiserver's syntax and matching rules
 * (k8s.io/apimachinery/pkg/labels and pkg/fields). Parse errors become 400
 * BadRequest, as the real server answers a malformed `labelSelector`.
 */
import { badRequest } from './errors.js';
import { isPlainObject, type KubeObject } from './json-value.js';

type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

/** A parsed label selector; the empty selector matches everything. */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
}

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

/** Splits on commas outside parentheses: `a in (x,y),b` is two requirements. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function checkKey(key: string, raw: string): string {
  if (!QUALIFIED_NAME.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}

function checkValue(value: string, raw: string): string {
  if (!LABEL_VALUE.test(value)) throw badRequest(`unable to parse requirement: invalid label value "${value}" in "${raw}"`);
  return value;
}

function parseRequirement(raw: string): LabelRequirement {
  const text = raw.trim();
  const set = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (set) {
    const values = set[3].split(',').map((v) => checkValue(v.trim(), raw));
    return { key: checkKey(set[1], raw), op: set[2] as LabelOperator, values };
  }
  const compare = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(text);
  if (compare) {
    const op = compare[2] === '==' ? '=' : (compare[2] as LabelOperator);
    const value = compare[3].trim();
    if ((op === '>' || op === '<') && !/^-?\d+$/.test(value)) {
      throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer in "${raw}"`);
    }
    return { key: checkKey(compare[1], raw), op, values: [checkValue(value, raw)] };
  }
  if (text.startsWith('!')) return { key: checkKey(text.slice(1).trim(), raw), op: '!', values: [] };
  if (/^\S+$/.test(text)) return { key: checkKey(text, raw), op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt`);
}

/** Parses `labelSelector` syntax: `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, `>`, `<`. */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text || !text.trim()) return { requirements: [] };
  return { requirements: splitTopLevel(text).map(parseRequirement) };
}

function matchesRequirement(labels: Record<string, string>, req: LabelRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case '=': return has && value === req.values[0];
    case '!=': return !has || value !== req.values[0];
    case 'in': return has && req.values.includes(value);
    case 'notin': return !has || !req.values.includes(value);
    case 'exists': return has;
    case '!': return !has;
    case '>': return has && /^-?\d+$/.test(value) && Number(value) > Number(req.values[0]);
    case '<': return has && /^-?\d+$/.test(value) && Number(value) < Number(req.values[0]);
  }
}

/** True when every requirement holds for the object's labels. */
export function matchesLabels(selector: LabelSelector, obj: KubeObject): boolean {
  const labels = obj.metadata.labels ?? {};
  return selector.requirements.every((req) => matchesRequirement(labels, req));
}

interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

/** A parsed field selector; the empty selector matches everything. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
}

/** Splits on an unescaped separator; `\,` `\=` `\\` are literal (fields.EscapeValue). */
function splitEscaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) {
      current += text[i] + text[i + 1];
      i++;
    } else if (text.startsWith(separator, i)) {
      parts.push(current);
      current = '';
      i += separator.length - 1;
    } else {
      current += text[i];
    }
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

function parseFieldRequirement(raw: string, allowed: readonly string[]): FieldRequirement {
  for (const [operator, negate] of [['!=', true], ['==', false], ['=', false]] as const) {
    const parts = splitEscaped(raw, operator);
    if (parts.length !== 2) continue;
    const field = parts[0].trim();
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, negate, value: unescape(parts[1].trim()) };
  }
  throw badRequest(`invalid selector: '${raw}'; can't understand '${raw}'`);
}

/** Parses `fieldSelector` syntax (`f=v`, `f==v`, `f!=v`), rejecting fields the type does not index. */
export function parseFieldSelector(text: string | null | undefined, extraFields: readonly string[] = []): FieldSelector {
  if (!text || !text.trim()) return { requirements: [] };
  const allowed = ['metadata.name', 'metadata.namespace', ...extraFields];
  return { requirements: splitEscaped(text, ',').map((raw) => parseFieldRequirement(raw, allowed)) };
}

function fieldValue(obj: KubeObject, path: string): string {
  let current: unknown = obj;
  for (const segment of path.split('.')) {
    current = isPlainObject(current) ? current[segment] : undefined;
  }
  if (path === 'metadata.namespace' && current === undefined) return '';
  return current === undefined || current === null ? '' : String(current);
}

/** True when every field requirement holds. */
export function matchesFields(selector: FieldSelector, obj: KubeObject): boolean {
  return selector.requirements.every((req) => (fieldValue(obj, req.field) === req.value) !== req.negate);
}

/** The label and field selectors of one list or watch request. */
export interface ObjectFilter {
  namespace?: string;
  labels: LabelSelector;
  fields: FieldSelector;
}

/** True when the object is in scope and matches both selectors. */
export function matchesFilter(filter: ObjectFilter, obj: KubeObject): boolean {
  if (filter.namespace !== undefined && obj.metadata.namespace !== filter.namespace) return false;
  return matchesLabels(filter.labels, obj) && matchesFields(filter.fields, obj);
}
