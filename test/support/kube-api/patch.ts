/**
 * The three patch formats kube-apiserver accepts for built-in types: JSON
 * merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch.
 * Strategic merge is merge patch plus keyed list merging for the lists that
 * declare a patch merge key in the API types this server serves.
 */
import { ApiError, badRequest, failureStatus } from './errors.js';
import { cloneJson, isPlainObject, jsonEqual, type JsonObject } from './json-value.js';

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const result: JsonObject = isPlainObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * List paths (dotted, `[]` for "any element") whose elements merge by a key
 * under strategic merge patch, from the `patchMergeKey` tags of the Go types.
 * `finalizers` merges as a set of strings.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = Object.freeze({
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers': '',
  'spec.ports': 'port',
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.volumes': 'name',
  'spec.containers[].env': 'name',
  'spec.containers[].ports': 'containerPort',
  'spec.template.spec.containers': 'name',
  'spec.template.spec.initContainers': 'name',
  'spec.template.spec.volumes': 'name',
  'spec.template.spec.containers[].env': 'name',
  'spec.template.spec.containers[].ports': 'containerPort',
  'status.conditions': 'type',
});

function mergeKeyedList(target: unknown[], patch: unknown[], key: string, path: string): unknown[] {
  const result = cloneJson(target);
  for (const item of patch) {
    if (key === '') {
      if (!result.some((existing) => jsonEqual(existing, item))) result.push(cloneJson(item));
      continue;
    }
    if (!isPlainObject(item)) throw badRequest(`strategic merge patch: element of ${path} is not an object`);
    const index = result.findIndex((existing) => isPlainObject(existing) && jsonEqual(existing[key], item[key]));
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMerge(result[index], item, `${path}[]`);
    } else {
      result.push(strategicMerge(undefined, item, `${path}[]`));
    }
  }
  return result;
}

function strategicMerge(target: unknown, patch: unknown, path: string): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  if (patch.$patch === 'delete') return undefined;
  const replace = patch.$patch === 'replace';
  const result: JsonObject = isPlainObject(target) && !replace ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const childPath = path ? `${path}.${key}` : key;
    const mergeKey = MERGE_KEYS[childPath];
    if (value === null) delete result[key];
    else if (mergeKey !== undefined && Array.isArray(value) && Array.isArray(result[key])) {
      result[key] = mergeKeyedList(result[key] as unknown[], value, mergeKey, childPath);
    } else {
      const merged = strategicMerge(result[key], value, childPath);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
}

/** Strategic merge patch for the served types: merge patch with keyed list merging and `$patch` directives. */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  return strategicMerge(target, patch, '');
}

/** 422 for a JSON patch that decodes but cannot be applied (failed test, missing path). */
function patchFailed(message: string): ApiError {
  return new ApiError(failureStatus(422, message, 'Invalid'));
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    throw badRequest(`json patch: invalid JSON pointer ${JSON.stringify(pointer)}`);
  }
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Returns the parent container of the pointer's last token, or throws if a step is missing. */
function locate(doc: unknown, tokens: string[], pointer: string): unknown {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current) && /^\d+$/.test(token) && Number(token) < current.length) current = current[Number(token)];
    else if (isPlainObject(current) && token in current) current = current[token];
    else throw patchFailed(`jsonpatch: path ${pointer} does not exist`);
  }
  return current;
}

function arrayIndex(container: unknown[], token: string, pointer: string, forInsert: boolean): number {
  if (forInsert && token === '-') return container.length;
  const max = forInsert ? container.length : container.length - 1;
  if (!/^\d+$/.test(token) || Number(token) > max) throw patchFailed(`jsonpatch: index out of range in ${pointer}`);
  return Number(token);
}

function getAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const parent = locate(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, pointer, false)];
  if (isPlainObject(parent) && last in parent) return parent[last];
  throw patchFailed(`jsonpatch: path ${pointer} does not exist`);
}

function removeAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  const parent = locate(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, pointer, false), 1)[0];
  if (isPlainObject(parent) && last in parent) {
    const value = parent[last];
    delete parent[last];
    return value;
  }
  throw patchFailed(`jsonpatch: unable to remove nonexistent key ${pointer}`);
}

function addAt(doc: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return cloneJson(value);
  const parent = locate(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, last, pointer, !replace);
    parent.splice(index, replace ? 1 : 0, cloneJson(value));
  } else if (isPlainObject(parent)) {
    if (replace && !(last in parent)) throw patchFailed(`jsonpatch: replace operation does not apply: doc is missing key ${pointer}`);
    parent[last] = cloneJson(value);
  } else {
    throw patchFailed(`jsonpatch: path ${pointer} does not exist`);
  }
  return doc;
}

function applyOperation(doc: unknown, op: JsonObject): unknown {
  const path = String(op.path);
  switch (op.op) {
    case 'add': return addAt(doc, path, op.value, false);
    case 'replace': return addAt(doc, path, op.value, true);
    case 'remove': removeAt(doc, path); return doc;
    case 'move': return addAt(doc, path, removeAt(doc, String(op.from)), false);
    case 'copy': return addAt(doc, path, getAt(doc, String(op.from)), false);
    case 'test':
      if (!jsonEqual(getAt(doc, path), op.value)) throw patchFailed(`jsonpatch: testing value ${path} failed: test failed`);
      return doc;
    default:
      throw badRequest(`json patch: unsupported operation ${JSON.stringify(op.op)}`);
  }
}

/** RFC 6902: applies the operations in order to a copy; the document is untouched on failure. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('json patch: the patch must be a JSON array of operations');
  let doc = cloneJson(target);
  for (const op of operations) {
    if (!isPlainObject(op) || typeof op.op !== 'string') throw badRequest('json patch: every operation needs an "op"');
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) {
      throw badRequest(`json patch: operation ${op.op} needs a "value"`);
    }
    doc = applyOperation(doc, op);
  }
  return doc;
}
