/**
 * Offline schema check of Kubernetes objects against the API models generated into
 * `@kubernetes/client-node`: every generated model class carries a static `attributeTypeMap` (JSON
 * name, type, format), which is enough to reject unknown fields and wrong primitive types the way
 * `kubectl apply --validate=strict` would, without a cluster.
 */
import * as k8s from '@kubernetes/client-node';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

interface ModelClass {
  attributeTypeMap: Attribute[];
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function modelClass(name: string): ModelClass | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[name] as Partial<ModelClass> | undefined;
  return candidate && Array.isArray(candidate.attributeTypeMap) ? (candidate as ModelClass) : undefined;
}

/**
 * The client-node model name for a top-level object: `V1Deployment`, or, where two groups share a
 * kind, the group-qualified one (`CoreV1Event`, `EventsV1Event`). Undefined when client-node has no
 * model for it (a kind this validator cannot check).
 */
export function modelNameFor(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  const groupPrefix = group.split('.')[0].replace(/^./, (c) => c.toUpperCase());
  for (const name of [`${groupPrefix}${v}${kind}`, `${v}${kind}`]) {
    const model = modelClass(name);
    // Only top-level kinds have apiVersion and kind fields; this also rules out same-named parts.
    if (model?.attributeTypeMap.some((a) => a.baseName === 'kind')) return name;
  }
  return undefined;
}

/**
 * Problems of `obj` against the schema of its apiVersion and kind, one line each, as
 * `path: problem` (empty when it conforms). `null` is accepted anywhere, as the API server does
 * for optional fields.
 */
export function validateObject(obj: unknown): string[] {
  const errors: string[] = [];
  const top = obj as { apiVersion?: unknown; kind?: unknown } | null;
  if (typeof top?.apiVersion !== 'string' || typeof top.kind !== 'string') return ['$: apiVersion and kind must be strings'];
  const model = modelNameFor(top.apiVersion, top.kind);
  if (!model) return [`$: no API model for ${top.apiVersion} ${top.kind}`];
  checkValue(obj, model, '', `${top.kind}`, errors);
  return errors;
}

/** Checks one value against a type string of an attributeTypeMap, appending problems to `errors`. */
export function checkValue(value: unknown, type: string, format: string, path: string, errors: string[]): void {
  if (value === null || value === undefined) return;
  const fail = (expected: string): void => {
    errors.push(`${path}: expected ${expected}, got ${describe(value)}`);
  };
  const array = ARRAY.exec(type);
  const map = MAP.exec(type);
  if (array) {
    if (!Array.isArray(value)) return fail('an array');
    value.forEach((item, i) => checkValue(item, array[1], format, `${path}[${i}]`, errors));
  } else if (map) {
    if (!isPlainObject(value)) return fail('an object');
    for (const [key, item] of Object.entries(value)) checkValue(item, map[1], format, `${path}.${key}`, errors);
  } else if (type === 'any') {
    return;
  } else if (type === 'string') {
    if (typeof value !== 'string') return fail('a string');
    if (format === 'byte' && !BASE64.test(value.replace(/\s/g, ''))) fail('base64 data');
  } else if (type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return fail('a number');
    if ((format === 'int32' || format === 'int64') && !Number.isInteger(value)) fail('an integer');
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') fail('a boolean');
  } else if (type === 'Date' || type === 'V1MicroTime') {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) fail('an RFC 3339 time');
  } else if (type === 'IntOrString') {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) fail('an integer or a string');
  } else {
    checkModel(value, type, path, errors);
  }
}

function checkModel(value: unknown, type: string, path: string, errors: string[]): void {
  const model = modelClass(type);
  // A type this walker does not know must fail loudly, never pass unchecked.
  if (!model) {
    errors.push(`${path}: schema type ${type} is not understood by the validator`);
    return;
  }
  if (!isPlainObject(value)) {
    errors.push(`${path}: expected an object (${type}), got ${describe(value)}`);
    return;
  }
  const attributes = new Map(model.attributeTypeMap.map((a) => [a.baseName, a]));
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.get(key);
    if (!attribute) errors.push(`${path}.${key}: unknown field (not in ${type})`);
    else checkValue(item, attribute.type, attribute.format, `${path}.${key}`, errors);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}
