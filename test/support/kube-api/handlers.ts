/**
 * Verb dispatch for resource URLs: which operation a method, path shape and
 * query map to, and which answers kube-apiserver gives for the rest (405 for
 * a verb the path does not take, 404 for an unknown subresource, 415 for an
 * undecodable body).
 */
import type { ServerResponse } from 'node:http';
import YAML from 'yaml';
import { badRequest, methodNotAllowed, pathNotFound, unsupportedMediaType } from './errors.js';
import { cloneJson, isPlainObject, type KubeObject } from './json-value.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { listObjects, parseResourceVersion, scaleOf } from './reads.js';
import type { ResourceTarget } from './routes.js';
import { parseFieldSelector, parseLabelSelector, type ObjectFilter } from './selectors.js';
import type { WatchHub } from './watch.js';
import type { KubeWrites } from './writes.js';

/** Server parts the handlers use. */
export interface HandlerContext {
  writes: KubeWrites;
  hub: WatchHub;
}

/** The parts of an HTTP request the handlers read. */
export interface ResourceRequest {
  method: string;
  query: URLSearchParams;
  contentType: string;
  readBody(): Promise<string>;
  res: ServerResponse;
}

/** A JSON answer, or a watch that has taken over the response. */
export type Reply = { status: number; body: unknown } | { streamed: true };

const BODY_TYPES = ['application/json', 'application/yaml'];
const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';
const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH];
const TRUE_VALUES: ReadonlySet<string> = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

function parseYaml(text: string): unknown {
  try {
    return YAML.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

async function readObject(request: ResourceRequest): Promise<unknown> {
  const media = mediaType(request.contentType) || 'application/json';
  if (!BODY_TYPES.includes(media)) throw unsupportedMediaType(media, BODY_TYPES);
  const text = await request.readBody();
  if (!text.trim()) throw badRequest('the request body is empty');
  return media === 'application/json' ? parseJson(text) : parseYaml(text);
}

function flag(query: URLSearchParams, name: string): boolean {
  return TRUE_VALUES.has(query.get(name) ?? '');
}

function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  if (values.some((v) => v !== 'All')) throw badRequest(`dryRun: Unsupported value: "${values.join(',')}": supported values: "All"`);
  return values.length > 0;
}

function integer(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^-?\d+$/.test(text)) throw badRequest(`${name}: Invalid value: "${text}": must be an integer`);
  return Number(text);
}

function filterOf(target: ResourceTarget, query: URLSearchParams): ObjectFilter {
  const fieldText = [query.get('fieldSelector'), target.name ? `metadata.name=${target.name}` : ''].filter(Boolean).join(',');
  return {
    namespace: target.namespace,
    labels: parseLabelSelector(query.get('labelSelector')),
    fields: parseFieldSelector(fieldText, target.type.fieldLabels),
  };
}

function handleWatch(ctx: HandlerContext, target: ResourceTarget, request: ResourceRequest): Reply {
  const { query } = request;
  const resourceVersion = query.get('resourceVersion') ?? undefined;
  if (resourceVersion) parseResourceVersion(resourceVersion);
  const filter = filterOf(target, query);
  ctx.hub.open({
    type: target.type, filter, resourceVersion,
    allowBookmarks: flag(query, 'allowWatchBookmarks'),
    timeoutSeconds: integer(query, 'timeoutSeconds'),
    sendInitialEvents: query.has('sendInitialEvents') ? flag(query, 'sendInitialEvents') : undefined,
  }, request.res);
  return { streamed: true };
}

function handleGet(ctx: HandlerContext, target: ResourceTarget, request: ResourceRequest): Reply {
  const { type, namespace, name, subresource } = target;
  if (subresource === 'finalize') throw methodNotAllowed();
  if (flag(request.query, 'watch')) {
    if (subresource) throw methodNotAllowed();
    return handleWatch(ctx, target, request);
  }
  if (!name) {
    const { query } = request;
    const body = listObjects(ctx.writes.store, type, {
      filter: filterOf(target, query),
      limit: integer(query, 'limit'),
      continueToken: query.get('continue') || undefined,
      resourceVersion: query.get('resourceVersion') || undefined,
      resourceVersionMatch: query.get('resourceVersionMatch') || undefined,
    });
    return { status: 200, body };
  }
  const current = ctx.writes.current(type, namespace, name);
  return { status: 200, body: subresource === 'scale' ? scaleOf(current) : cloneJson(current) };
}

async function handlePost(ctx: HandlerContext, target: ResourceTarget, request: ResourceRequest): Promise<Reply> {
  if (target.name || (target.type.namespaced && target.namespace === undefined)) throw methodNotAllowed();
  const body = await readObject(request);
  return { status: 201, body: ctx.writes.create(target.type, target.namespace, body, { dryRun: dryRun(request.query) }) };
}

async function handlePut(ctx: HandlerContext, target: ResourceTarget, request: ResourceRequest): Promise<Reply> {
  const { type, namespace, name, subresource } = target;
  if (!name) throw methodNotAllowed();
  const body = await readObject(request);
  if (subresource === 'finalize') return { status: 200, body: ctx.writes.finalizeNamespace(name, body) };
  if (subresource === 'scale') {
    const scale = isPlainObject(body) ? (body as KubeObject) : { metadata: {} };
    const spec = isPlainObject(scale.spec) ? scale.spec : {};
    const updated = ctx.writes.setReplicas(type, namespace, name, spec.replicas, scale.metadata?.resourceVersion);
    return { status: 200, body: scaleOf(updated) };
  }
  const result = ctx.writes.update(type, namespace, name, body, {
    subresource: subresource === 'status' ? 'status' : undefined,
    dryRun: dryRun(request.query),
  });
  return { status: result.created ? 201 : 200, body: result.object };
}

function applyPatch(media: string, target: unknown, patch: unknown): unknown {
  if (media === JSON_PATCH) return applyJsonPatch(target, patch);
  if (!isPlainObject(patch)) throw badRequest('the patch must be a JSON object');
  return media === STRATEGIC_PATCH ? applyStrategicMergePatch(target, patch) : applyMergePatch(target, patch);
}

/** Server-side apply, approximated: create when missing, else merge the applied configuration. */
function serverSideApply(ctx: HandlerContext, target: ResourceTarget, request: ResourceRequest, text: string): Reply {
  const { type, namespace, name = '', subresource } = target;
  if (!request.query.get('fieldManager')) throw badRequest('PATCH /apply requests require fieldManager');
  const applied = parseYaml(text);
  if (!isPlainObject(applied)) throw badRequest('the applied configuration must be an object');
  const existing = ctx.writes.store.find(type, namespace, name);
  const options = { subresource: subresource === 'status' ? ('status' as const) : undefined, dryRun: dryRun(request.query) };
  if (!existing && !subresource) {
    const metadata = { ...(isPlainObject(applied.metadata) ? applied.metadata : {}), name };
    return { status: 201, body: ctx.writes.create(type, namespace, { ...applied, metadata }, options) };
  }
  const merged = applyMergePatch(ctx.writes.current(type, namespace, name), applied);
  return { status: 200, body: ctx.writes.update(type, namespace, name, merged, options).object };
}

async function handlePatch(ctx: HandlerContext, target: ResourceTarget, request: ResourceRequest): Promise<Reply> {
  const { type, namespace, name, subresource } = target;
  if (!name || subresource === 'finalize') throw methodNotAllowed();
  const media = mediaType(request.contentType);
  // Custom resources have no Go types to carry merge keys, so kube-apiserver refuses strategic merge patch for them.
  const accepted = type.definedBy ? PATCH_TYPES.filter((t) => t !== STRATEGIC_PATCH) : PATCH_TYPES;
  if (!accepted.includes(media)) throw unsupportedMediaType(media, accepted);
  const text = await request.readBody();
  if (media === APPLY_PATCH) return serverSideApply(ctx, target, request, text);
  const patch = parseJson(text);
  const current = ctx.writes.current(type, namespace, name);
  if (subresource === 'scale') {
    const scale = applyPatch(media, scaleOf(current), patch) as KubeObject;
    const spec = isPlainObject(scale.spec) ? scale.spec : {};
    return { status: 200, body: scaleOf(ctx.writes.setReplicas(type, namespace, name, spec.replicas, scale.metadata?.resourceVersion)) };
  }
  const patched = applyPatch(media, cloneJson(current), patch);
  const result = ctx.writes.update(type, namespace, name, patched, {
    subresource: subresource === 'status' ? 'status' : undefined,
    dryRun: dryRun(request.query),
  });
  return { status: 200, body: result.object };
}

async function deletePreconditions(request: ResourceRequest): Promise<{ uid?: string; resourceVersion?: string }> {
  const text = await request.readBody();
  if (!text.trim()) return {};
  const options = parseJson(text);
  const preconditions = isPlainObject(options) && isPlainObject(options.preconditions) ? options.preconditions : {};
  const uid = typeof preconditions.uid === 'string' ? preconditions.uid : undefined;
  const resourceVersion = typeof preconditions.resourceVersion === 'string' ? preconditions.resourceVersion : undefined;
  return { uid, resourceVersion };
}

async function handleDelete(ctx: HandlerContext, target: ResourceTarget, request: ResourceRequest): Promise<Reply> {
  const { type, namespace, name, subresource } = target;
  if (subresource) throw methodNotAllowed();
  const preconditions = await deletePreconditions(request);
  const options = { dryRun: dryRun(request.query) };
  if (name) return { status: 200, body: ctx.writes.delete(type, namespace, name, preconditions, options) };
  if (type.key === '/namespaces' || (type.namespaced && namespace === undefined)) throw methodNotAllowed();
  const filter = filterOf(target, request.query);
  const victims = listObjects(ctx.writes.store, type, { filter }).items;
  const items = victims.map((obj) => {
    const answer = ctx.writes.delete(type, namespace, obj.metadata.name ?? '', {}, options);
    return answer.kind === 'Status' ? obj : answer;
  });
  const body = { kind: `${type.kind}List`, apiVersion: type.apiVersion, metadata: { resourceVersion: String(ctx.writes.store.revision) }, items };
  return { status: 200, body };
}

function checkSubresource(target: ResourceTarget): void {
  const { type, subresource } = target;
  if (subresource === undefined) return;
  const known = (subresource === 'status' && type.hasStatus)
    || (subresource === 'scale' && type.hasScale)
    || (subresource === 'finalize' && type.key === '/namespaces');
  if (!known || !target.name) throw pathNotFound();
}

/** Runs one request against a resource URL. */
export async function handleResource(ctx: HandlerContext, target: ResourceTarget, request: ResourceRequest): Promise<Reply> {
  checkSubresource(target);
  switch (request.method) {
    case 'GET': return handleGet(ctx, target, request);
    case 'POST': return handlePost(ctx, target, request);
    case 'PUT': return handlePut(ctx, target, request);
    case 'PATCH': return handlePatch(ctx, target, request);
    case 'DELETE': return handleDelete(ctx, target, request);
    default: throw methodNotAllowed();
  }
}
