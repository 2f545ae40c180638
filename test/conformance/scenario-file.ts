/**
 * The project's own scenario files (`scenarios/*.yaml`, format in
 * `README.md` beside this file): one file per area of the Ingress contract,
 * a setup every case starts from, and cases made of one request (or a
 * repeated one) and the checks on its answer. Each case compiles to one run
 * of `plan.ts`, with the setup first, in a fresh namespace.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { V1Ingress } from '@kubernetes/client-node';
import YAML from 'yaml';
import { absolutePath, targetOf, type Action, type PlannedRun, type PlannedStep, type Target } from './plan.js';

/** A scenario file that cannot be used; the message names the file and the place. */
export class ScenarioFileError extends Error {}

type Data = Record<string, unknown>;

/** Validation context: the file and the path inside it, for error messages. */
class At {
  constructor(readonly file: string, readonly where: string) {}
  child(key: string | number): At {
    return new At(this.file, typeof key === 'number' ? `${this.where}[${key}]` : this.where ? `${this.where}.${key}` : key);
  }
  fail(problem: string): never {
    throw new ScenarioFileError(`${this.file}: ${this.where || 'top level'}: ${problem}`);
  }
}

function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function object(value: unknown, at: At, known: readonly string[]): Data {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) at.fail(`must be a mapping, got ${shown(value)}`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) at.fail(`unknown key "${key}" (known: ${known.join(', ')})`);
  }
  return value as Data;
}

function text(value: unknown, at: At): string {
  if (typeof value !== 'string' || value.trim() === '') at.fail(`must be a non-empty string, got ${shown(value)}`);
  return value;
}

function integer(value: unknown, at: At, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    at.fail(`must be an integer from ${min} to ${max}, got ${shown(value)}`);
  }
  return value;
}

function list(value: unknown, at: At): unknown[] {
  if (!Array.isArray(value) || value.length === 0) at.fail(`must be a non-empty list, got ${shown(value)}`);
  return value;
}

function headerMap(value: unknown, at: At): Array<[string, string]> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) at.fail(`must map header names to values ("*" = any), got ${shown(value)}`);
  return Object.entries(value).map(([key, v]) => [key, text(v, at.child(key))]);
}

/** `METHOD URL` or `METHOD /path` (the latter is sent with the status address as its host). */
function request(value: unknown, at: At): { method: string } & Target {
  const m = /^([A-Z]+) +(\S+)$/.exec(text(value, at));
  if (!m) at.fail(`must be "METHOD URL" or "METHOD /path", got ${shown(value)}`);
  const [, method, where] = m;
  if (where.startsWith('/')) return { method, scheme: 'http', host: '', path: absolutePath(where) };
  try {
    const target = targetOf(where);
    if (target.scheme !== 'http' && target.scheme !== 'https') at.fail(`the scheme must be http or https, got ${shown(target.scheme)}`);
    return { method, ...target };
  } catch (err) {
    if (err instanceof ScenarioFileError) throw err;
    return at.fail(`"${where}" is not a URL`);
  }
}

function ingress(value: unknown, at: At): V1Ingress {
  const manifest = object(value, at, ['apiVersion', 'kind', 'metadata', 'spec']);
  if (manifest.apiVersion !== 'networking.k8s.io/v1' || manifest.kind !== 'Ingress') {
    at.fail(`must be a networking.k8s.io/v1 Ingress, got ${shown(manifest.apiVersion)} ${shown(manifest.kind)}`);
  }
  text((object(manifest.metadata, at.child('metadata'), ['name', 'labels', 'annotations']) as Data).name, at.child('metadata.name'));
  object(manifest.spec, at.child('spec'), ['ingressClassName', 'defaultBackend', 'tls', 'rules']);
  return manifest as V1Ingress;
}

const EXPECT_KEYS = ['status', 'service', 'protocol', 'response-headers', 'tls-hostname', 'backend-saw', 'distinct-pods'] as const;
const SAW_KEYS = ['method', 'path', 'protocol', 'host', 'headers'] as const;

/** A check whose value is one string: the key, the report label, the action. */
type TextCheck = readonly [key: string, label: (value: string) => string, action: (value: string) => Action];

const TLS_CHECK: readonly TextCheck[] = [
  ['tls-hostname', (v) => `the certificate presented names ${v} first and is valid for it`, (host) => ({ do: 'expect-tls-hostname', host })],
];
const ANSWER_CHECKS: readonly TextCheck[] = [
  ['service', (v) => `answered by a backend of Service ${v}`, (service) => ({ do: 'expect-service', service })],
  ['protocol', (v) => `the answer comes over ${v}`, (proto) => ({ do: 'expect-response-proto', proto })],
];
const SAW_CHECKS: readonly TextCheck[] = [
  ['method', (v) => `the backend received method ${v}`, (method) => ({ do: 'expect-request-method', method })],
  ['path', (v) => `the backend received path ${absolutePath(v)}`, (v) => ({ do: 'expect-request-path', path: absolutePath(v) })],
  ['protocol', (v) => `the backend was spoken to over ${v}`, (proto) => ({ do: 'expect-request-proto', proto })],
  ['host', (v) => `the backend received Host ${v}`, (host) => ({ do: 'expect-request-host', host })],
];

/** Checks in a fixed order, whatever the order of the keys. */
function checks(expect: Data, at: At, repeated: boolean): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const add = (label: string, action: Action) => steps.push({ label, actions: [action] });
  const addText = (data: Data, dataAt: At, table: readonly TextCheck[]) => {
    for (const [key, label, action] of table) {
      if (data[key] === undefined) continue;
      const value = text(data[key], dataAt.child(key));
      add(label(value), action(value));
    }
  };
  const addHeaders = (value: unknown, valueAt: At, kind: 'request' | 'response', label: string) => {
    if (value === undefined) return;
    const headers = headerMap(value, valueAt);
    const shownHeaders = headers.map(([k, v]) => (v === '*' ? k : `${k}: ${v}`)).join(', ');
    add(`${label} ${shownHeaders}`, { do: kind === 'request' ? 'expect-request-headers' : 'expect-response-headers', headers });
  };
  if (expect['distinct-pods'] !== undefined && !repeated) at.child('distinct-pods').fail('needs repeated requests ("times")');
  if (repeated) {
    for (const key of Object.keys(expect)) if (key !== 'distinct-pods') at.child(key).fail('repeated requests are checked with "distinct-pods" only');
  }
  addText(expect, at, TLS_CHECK);
  if (expect.status !== undefined) {
    const code = integer(expect.status, at.child('status'), 100, 599);
    add(`status is ${code}`, { do: 'expect-status', code });
  }
  addText(expect, at, ANSWER_CHECKS);
  addHeaders(expect['response-headers'], at.child('response-headers'), 'response', 'the answer has headers');
  if (expect['backend-saw'] !== undefined) {
    const sawAt = at.child('backend-saw');
    const saw = object(expect['backend-saw'], sawAt, SAW_KEYS);
    addText(saw, sawAt, SAW_CHECKS);
    addHeaders(saw.headers, sawAt.child('headers'), 'request', 'the backend received headers');
  }
  if (expect['distinct-pods'] !== undefined) {
    const dpAt = at.child('distinct-pods');
    const dp = object(expect['distinct-pods'], dpAt, ['status', 'count']);
    const status = integer(dp.status, dpAt.child('status'), 100, 599);
    const pods = integer(dp.count, dpAt.child('count'), 1, 1000);
    add(`the answers with status ${status} came from exactly ${pods} different pods`, { do: 'expect-distinct-pods', status, pods });
  }
  return steps;
}

function isMap(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `every-case.expect` under a case's own `expect`: the case wins, nested mappings merge key by key. */
function merged(shared: Data | undefined, own: Data | undefined): Data | undefined {
  if (!shared || !own) return own ?? shared;
  const out: Data = { ...shared };
  for (const [key, value] of Object.entries(own)) {
    const base = out[key];
    out[key] = isMap(base) && isMap(value) ? merged(base, value) : value;
  }
  return out;
}

function setupSteps(value: unknown, at: At): { steps: PlannedStep[]; withheld: boolean } {
  const setup = object(value, at, ['tls-secrets', 'ingress', 'address', 'scale']);
  const steps: PlannedStep[] = [{ label: 'create a fresh namespace', actions: [{ do: 'namespace' }] }];
  if (setup['tls-secrets'] !== undefined) {
    list(setup['tls-secrets'], at.child('tls-secrets')).forEach((raw, i) => {
      const sAt = at.child('tls-secrets').child(i);
      const secret = object(raw, sAt, ['name', 'self-signed-for']);
      const name = text(secret.name, sAt.child('name'));
      const host = text(secret['self-signed-for'], sAt.child('self-signed-for'));
      steps.push({ label: `store a self-signed certificate for ${host} in Secret ${name}`, actions: [{ do: 'tls-secret', name, host }] });
    });
  }
  const manifest = ingress(setup.ingress, at.child('ingress'));
  steps.push({ label: `create Ingress ${manifest.metadata?.name} and a backend for every Service it names`, actions: [{ do: 'ingress', manifest }] });
  const address = setup.address ?? 'published';
  if (address !== 'published' && address !== 'withheld') at.child('address').fail(`must be "published" or "withheld", got ${shown(address)}`);
  steps.push(
    address === 'published'
      ? { label: 'wait until the Ingress status publishes an address', actions: [{ do: 'await-address' }] }
      : { label: 'the Ingress status publishes no address during the whole wait', actions: [{ do: 'address-withheld' }] },
  );
  if (setup.scale !== undefined) {
    if (address === 'withheld') at.child('scale').fail('needs a published address');
    const scaleAt = at.child('scale');
    const scale = object(setup.scale, scaleAt, ['service', 'replicas']);
    const service = text(scale.service, scaleAt.child('service'));
    const replicas = integer(scale.replicas, scaleAt.child('replicas'), 1, 100);
    steps.push({ label: `run ${replicas} backend replicas for Service ${service}`, actions: [{ do: 'scale', service, replicas }] });
  }
  return { steps, withheld: address === 'withheld' };
}

function caseSteps(raw: unknown, at: At, shared: Data | undefined, withheld: boolean): { name: string; steps: PlannedStep[] } {
  const c = object(raw, at, ['name', 'request', 'times', 'expect']);
  const name = text(c.name, at.child('name'));
  if (c.request === undefined) {
    if (c.times !== undefined || c.expect !== undefined) at.fail('"times" and "expect" need a "request"');
    if (!withheld) at.fail('sends no request, and the setup publishes an address, so it checks nothing');
    return { name, steps: [] };
  }
  if (withheld) at.child('request').fail('no request can be sent: the setup withholds the address');
  const target = request(c.request, at.child('request'));
  const expect = merged(shared, c.expect === undefined ? undefined : object(c.expect, at.child('expect'), EXPECT_KEYS));
  if (!expect || Object.keys(expect).length === 0) at.fail('has a request but no "expect"');
  if (c.times === undefined) {
    const label = `send ${target.method} ${target.scheme}://${target.host || '<status address>'}${target.path}`;
    return { name, steps: [{ label, actions: [{ do: 'send', ...target }] }, ...checks(expect, at.child('expect'), false)] };
  }
  const count = integer(c.times, at.child('times'), 1, 10_000);
  if (target.method !== 'GET') at.child('request').fail(`repeated requests are GETs, got ${target.method}`);
  const { method: _method, ...where } = target;
  const label = `send ${count} GETs to ${where.scheme}://${where.host || '<status address>'}${where.path}, each on a new connection`;
  return { name, steps: [{ label, actions: [{ do: 'send-many', count, ...where }] }, ...checks(expect, at.child('expect'), true)] };
}

/** Compiles one scenario file's text; `file` names it in errors and gives the runs their `featureFile`. */
export function compileScenarioFile(source: string, file: string): PlannedRun[] {
  const base = path.basename(file);
  let doc: unknown;
  try {
    doc = YAML.parse(source);
  } catch (err) {
    throw new ScenarioFileError(`${base}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const at = new At(base, '');
  const top = object(doc, at, ['title', 'about', 'tags', 'setup', 'every-case', 'cases']);
  const feature = text(top.title, at.child('title'));
  if (top.about !== undefined) text(top.about, at.child('about'));
  const tags = top.tags === undefined ? [] : list(top.tags, at.child('tags')).map((t, i) => `@${text(t, at.child('tags').child(i)).replace(/^@/, '')}`);
  const setup = setupSteps(top.setup, at.child('setup'));
  const everyAt = at.child('every-case');
  const shared = top['every-case'] === undefined ? undefined : object(object(top['every-case'], everyAt, ['expect']).expect, everyAt.child('expect'), EXPECT_KEYS);
  const names = new Set<string>();
  return list(top.cases, at.child('cases')).map((raw, i) => {
    const { name, steps } = caseSteps(raw, at.child('cases').child(i), shared, setup.withheld);
    if (names.has(name)) at.child('cases').child(i).child('name').fail(`"${name}" is already the name of another case`);
    names.add(name);
    return { source: 'project', featureFile: base.replace(/\.ya?ml$/, ''), feature, name, tags, steps: [...setup.steps, ...steps] };
  });
}

/** Compiles every `*.yaml` file of a folder, in file-name order. */
export async function loadScenarios(dir: string): Promise<PlannedRun[]> {
  const files = (await fs.readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) throw new ScenarioFileError(`${dir}: no scenario files (*.yaml)`);
  const runs: PlannedRun[] = [];
  for (const file of files) runs.push(...compileScenarioFile(await fs.readFile(path.join(dir, file), 'utf8'), file));
  return runs;
}
