import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { eventually } from '../support/eventually.js';
import { freePort, send } from '../support/net.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = join(dist, '..');

interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
}

/** Checks `value` against the subset of OpenAPI schema the admin API uses: types, required keys, items. */
function conforms(value: unknown, schema: Schema, components: Record<string, Schema>, where: string): void {
  const s = schema.$ref ? components[schema.$ref.split('/').pop()!] : schema;
  if (s.type === 'array') {
    assert.ok(Array.isArray(value), `${where} is an array`);
    for (const [i, item] of (value as unknown[]).entries()) conforms(item, s.items!, components, `${where}[${i}]`);
  } else if (s.type === 'object' || s.properties) {
    assert.ok(value && typeof value === 'object', `${where} is an object`);
    for (const key of s.required ?? []) assert.ok(key in (value as object), `${where}.${key} is present`);
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) conforms(v, sub, components, `${where}.${key}`);
    }
  } else if (s.type === 'integer') {
    assert.ok(Number.isInteger(value), `${where} is an integer`);
  } else if (s.type === 'string' || s.type === 'boolean') {
    assert.equal(typeof value, s.type, `${where} is a ${s.type}`);
  }
}

async function startController(args: string[]): Promise<{ child: ChildProcess; health: number; http: number; output: () => string }> {
  const [http, https, health] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [
    join(dist, 'src', 'cli.js'), 'controller', '--http-port', String(http), '--https-port', String(https), '--bind-address', '127.0.0.1',
    '--health-port', String(health), '--health-address', '127.0.0.1', ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await eventually(async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).status === 200, { timeoutMs: 30_000, what: `ready; output: ${output}` });
  return { child, health, http, output: () => output };
}

describe('operations', () => {
  let dir: string;
  let slow: Server;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'operations-'));
    // A backend that answers after 1.5 s: a request in flight when the controller is told to stop.
    slow = createServer((_req, res) => setTimeout(() => res.end('finished'), 1500));
    await new Promise<void>((r) => slow.listen(8080, '127.0.50.1', r));
    await writeFile(join(dir, 'app.yaml'), [
      'apiVersion: networking.k8s.io/v1', 'kind: IngressClass', 'metadata: {name: portcullis}', 'spec: {controller: portcullis.dev/ingress-controller}', '---',
      'apiVersion: v1', 'kind: Service', 'metadata: {name: slow, namespace: ops}', 'spec: {ports: [{port: 80}]}', '---',
      'apiVersion: discovery.k8s.io/v1', 'kind: EndpointSlice', 'metadata: {name: slow-1, namespace: ops, labels: {kubernetes.io/service-name: slow}}',
      'addressType: IPv4', 'ports: [{port: 8080}]', 'endpoints: [{addresses: [127.0.50.1], conditions: {ready: true}}]', '---',
      'apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata: {name: slow, namespace: ops}',
      'spec: {ingressClassName: portcullis, rules: [{host: slow.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: slow, port: {number: 80}}}}]}}]}',
    ].join('\n'));
  });
  after(async () => {
    slow.closeAllConnections();
    await new Promise((r) => slow.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves every path of docs/admin-api.openapi.yaml with the documented shape', async () => {
    const spec = parse(await readFile(join(root, 'docs', 'admin-api.openapi.yaml'), 'utf8')) as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } }>;
      components: { schemas: Record<string, Schema> };
    };
    const c = await startController(['--manifests', dir, '--state-dir', join(dir, 'state-admin')]);
    try {
      for (const [path, item] of Object.entries(spec.paths)) {
        const res = await fetch(`http://127.0.0.1:${c.health}${path}`);
        assert.equal(res.status, 200, path);
        const json = item.get.responses['200'].content['application/json'];
        if (json) conforms(await res.json(), json.schema, spec.components.schemas, path);
        else assert.ok((await res.text()).length > 0, path);
      }
      assert.equal((await fetch(`http://127.0.0.1:${c.health}/admin/nothing`)).status, 404);
      const routes = (await (await fetch(`http://127.0.0.1:${c.health}/admin/routes`)).json()) as { host: string }[];
      assert.deepEqual(routes.map((r) => r.host), ['slow.example.com']);
    } finally {
      // SIGTERM, so HAProxy (which shares the controller's stdout) stops with it.
      const exited = new Promise((r) => c.child.once('exit', r));
      c.child.kill('SIGTERM');
      await exited;
    }
  });

  it('on SIGTERM stops being ready at once, lets an in-flight request finish, then exits', async () => {
    const c = await startController(['--manifests', dir, '--state-dir', join(dir, 'state-shutdown'), '--shutdown-grace', '5']);
    const inflight = send({ address: '127.0.0.1', port: c.http, host: 'slow.example.com', path: '/', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((r) => c.child.once('exit', r));
    c.child.kill('SIGTERM');
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${c.health}/readyz`).catch(() => undefined);
      return res === undefined || res.status === 503;
    }, { timeoutMs: 1000, intervalMs: 20, what: 'readiness to drop' });
    const res = await inflight;
    assert.equal(res.status, 200);
    assert.equal(res.body, 'finished', 'the request in flight finished normally');
    assert.equal(await exited, 0, c.output());
    const orphans = await fetch(`http://127.0.0.1:${c.http}/`).then(() => true, () => false);
    assert.equal(orphans, false, 'HAProxy stopped with the controller');
  });
});
