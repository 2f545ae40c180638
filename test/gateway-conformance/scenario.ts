/**
 * The project's Gateway API scenarios (scenarios/*.yaml): each test names the upstream test it
 * stands for, its level and features, its own manifests, the upstream manifests used instead when
 * the upstream folder is present, and its steps as data (status checks and requests). Loading
 * refuses a file that does not follow the format, naming the place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { GatewayExpectation, GatewayRequest } from './checks.js';
import type { Manifest } from './manifests.js';
import type { ExpectedCondition, ExpectedListener } from './status.js';

/** `namespace/name`; a bare name is in gateway-conformance-infra, as most upstream objects are. */
export interface Ref { namespace: string; name: string }
export const INFRA = 'gateway-conformance-infra';

export type Step =
  | { kind: 'accepted'; gateway: Ref; routes: Ref[] }
  | { kind: 'route-condition'; route: Ref; gateway: Ref; condition: ExpectedCondition }
  | { kind: 'no-accepted-parents'; route: Ref }
  | { kind: 'listeners'; gateway: Ref; listeners: ExpectedListener[] }
  | { kind: 'zero-routes'; gateway: Ref }
  | { kind: 'gateway-condition'; gateway: Ref; condition: ExpectedCondition }
  | { kind: 'requests'; gateway: Ref; listener?: string; cases: Array<{ request: GatewayRequest; expect: GatewayExpectation }> }
  | { kind: 'delete'; object: { apiVersion: string; kind: string; ref: Ref } }
  /** Creates or updates objects mid-test (a changed spec bumps the generation status must catch up with). */
  | { kind: 'apply'; manifests: Manifest[] };

export type Level = 'core' | 'extended';

export interface ScenarioTest {
  name: string;
  level: Level;
  features: string[];
  /** Upstream manifest files (relative to its manifests folder) standing for `manifests`. */
  upstream: string[];
  manifests: Manifest[];
  steps: Step[];
  /** Set when the runner cannot carry the test out; it is then reported as SKIP with this reason. */
  skip?: string;
  file: string;
}

class FormatError extends Error {}
const fail = (where: string, what: string): never => {
  throw new FormatError(`${where}: ${what}`);
};

function obj(v: unknown, where: string): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(where, 'must be a mapping');
}
function list(v: unknown, where: string): unknown[] {
  return Array.isArray(v) ? v : fail(where, 'must be a list');
}
function str(v: unknown, where: string): string {
  return typeof v === 'string' && v ? v : fail(where, 'must be a non-empty string');
}

export function parseRef(v: unknown, where: string): Ref {
  const text = str(v, where);
  const parts = text.split('/');
  if (parts.length > 2 || parts.some((p) => !p)) fail(where, `"${text}" is not name or namespace/name`);
  return parts.length === 2 ? { namespace: parts[0], name: parts[1] } : { namespace: INFRA, name: parts[0] };
}

function condition(v: unknown, where: string): ExpectedCondition {
  const c = obj(v, where);
  const status = str(c.status, `${where}.status`);
  if (status !== 'True' && status !== 'False' && status !== 'Unknown') fail(`${where}.status`, 'must be True, False or Unknown');
  return { type: str(c.type, `${where}.type`), status: status as ExpectedCondition['status'], ...(c.reason !== undefined ? { reason: str(c.reason, `${where}.reason`) } : {}) };
}

const REQUEST_KEYS = new Set(['host', 'method', 'path', 'headers', 'echoSetHeaders', 'protocol', 'sni', 'port']);
const EXPECT_KEYS = new Set(['status', 'backend', 'namespace', 'seen', 'responseHeaders', 'absentResponseHeaders', 'validResponseHeaderValues', 'redirect', 'protocol']);

function requestCase(v: unknown, where: string, defaults: Record<string, unknown>): { request: GatewayRequest; expect: GatewayExpectation } {
  const c = obj(v, where);
  const request = { ...obj(defaults.request ?? {}, `${where}.request`), ...obj(c.request, `${where}.request`) };
  for (const k of Object.keys(request)) if (!REQUEST_KEYS.has(k)) fail(`${where}.request.${k}`, 'is not a request field');
  str(request.path, `${where}.request.path`);
  const expect = { ...obj(defaults.expect ?? {}, `${where}.expect`), ...obj(c.expect ?? {}, `${where}.expect`) };
  for (const k of Object.keys(expect)) if (!EXPECT_KEYS.has(k)) fail(`${where}.expect.${k}`, 'is not an expectation field');
  if (typeof expect.status === 'number') expect.status = [expect.status];
  if (expect.status !== undefined && !list(expect.status, `${where}.expect.status`).every((s) => Number.isInteger(s))) fail(`${where}.expect.status`, 'must be status codes');
  return { request: request as unknown as GatewayRequest, expect: expect as GatewayExpectation };
}

function manifestList(v: unknown, where: string): Manifest[] {
  return list(v ?? [], where).map((m, j) => {
    const mo = obj(m, `${where}[${j}]`) as Partial<Manifest>;
    if (!mo.apiVersion || !mo.kind || !mo.metadata?.name) fail(`${where}[${j}]`, 'needs apiVersion, kind and metadata.name');
    return mo as Manifest;
  });
}

function step(v: unknown, where: string): Step {
  const s = obj(v, where);
  const keys = Object.keys(s);
  if (keys.length !== 1) fail(where, `must have exactly one step kind, has ${keys.join(', ') || 'none'}`);
  const [kind] = keys;
  const body = obj(s[kind], `${where}.${kind}`);
  const at = `${where}.${kind}`;
  switch (kind) {
    case 'accepted':
      return { kind, gateway: parseRef(body.gateway, `${at}.gateway`), routes: list(body.routes ?? [], `${at}.routes`).map((r, i) => parseRef(r, `${at}.routes[${i}]`)) };
    case 'route-condition':
      return { kind, route: parseRef(body.route, `${at}.route`), gateway: parseRef(body.gateway, `${at}.gateway`), condition: condition(body.condition, `${at}.condition`) };
    case 'no-accepted-parents':
      return { kind, route: parseRef(body.route, `${at}.route`) };
    case 'zero-routes':
      return { kind, gateway: parseRef(body.gateway, `${at}.gateway`) };
    case 'gateway-condition':
      return { kind, gateway: parseRef(body.gateway, `${at}.gateway`), condition: condition(body.condition, `${at}.condition`) };
    case 'listeners':
      return {
        kind, gateway: parseRef(body.gateway, `${at}.gateway`),
        listeners: list(body.listeners, `${at}.listeners`).map((l, i) => {
          const o = obj(l, `${at}.listeners[${i}]`);
          return { ...(o as object), name: str(o.name, `${at}.listeners[${i}].name`), conditions: list(o.conditions ?? [], `${at}.listeners[${i}].conditions`).map((c, j) => condition(c, `${at}.listeners[${i}].conditions[${j}]`)) } as ExpectedListener;
        }),
      };
    case 'requests': {
      const defaults = obj(body.defaults ?? {}, `${at}.defaults`);
      return {
        kind, gateway: parseRef(body.gateway, `${at}.gateway`), ...(body.listener ? { listener: str(body.listener, `${at}.listener`) } : {}),
        cases: list(body.cases, `${at}.cases`).map((c, i) => requestCase(c, `${at}.cases[${i}]`, defaults)),
      };
    }
    case 'apply':
      return { kind, manifests: manifestList(body.manifests, `${at}.manifests`) };
    case 'delete':
      return { kind, object: { apiVersion: str(body.apiVersion, `${at}.apiVersion`), kind: str(body.kind, `${at}.kind`), ref: parseRef(body.name, `${at}.name`) } };
    default:
      return fail(where, `unknown step "${kind}"`);
  }
}

/** The tests of one scenario file. */
export function parseScenarioFile(text: string, file: string): ScenarioTest[] {
  const where = path.basename(file);
  const doc = obj(parse(text), where);
  return list(doc.tests, `${where}: tests`).map((t, i) => {
    const at = `${where}: tests[${i}]`;
    const o = obj(t, at);
    const level = str(o.level, `${at}.level`);
    if (level !== 'core' && level !== 'extended') fail(`${at}.level`, 'must be core or extended');
    const manifests = manifestList(o.manifests, `${at}.manifests`);
    return {
      name: str(o.name, `${at}.name`), level: level as Level,
      features: list(o.features ?? [], `${at}.features`).map((f, j) => str(f, `${at}.features[${j}]`)),
      upstream: list(o.upstream ?? [], `${at}.upstream`).map((f, j) => str(f, `${at}.upstream[${j}]`)),
      manifests,
      steps: list(o.steps, `${at}.steps`).map((s, j) => step(s, `${at}.steps[${j}]`)),
      ...(o.skip ? { skip: str(o.skip, `${at}.skip`) } : {}),
      file,
    };
  });
}

/** Every scenario file of a folder, in name order (base.yaml, the shared setup, excluded). */
export function loadScenarios(dir: string): ScenarioTest[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'base.yaml').sort()
    .flatMap((f) => parseScenarioFile(fs.readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)));
}
