import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { send, type SimpleResponse } from '../support/net.js';
import { ApiException, type V1EndpointSlice, type V1Endpoints, type V1Ingress, type V1Secret } from '@kubernetes/client-node';
import { AddressAllocator } from './backends.js';
import type { Cluster } from './cluster.js';
import { compileFeature } from './gherkin.js';
import { formatResult, runScenario, summaryLine } from './scenario.js';
import { bindRun } from './steps.js';
import { ScenarioWorld, type WorldSettings } from './world.js';

/** In-memory stand-in for the API: records calls, serves Ingress status on demand. */
class FakeCluster {
  readonly calls: string[] = [];
  readonly ingresses = new Map<string, V1Ingress>();
  readonly endpoints = new Map<string, V1Endpoints>();
  readonly slices = new Map<string, V1EndpointSlice>();
  readonly secrets = new Map<string, V1Secret>();
  /** Answers for successive readIngress calls; the last one repeats. */
  readAnswers: Array<string | Error | undefined> = [];
  reads = 0;

  async createNamespace() { this.calls.push('create Namespace'); return 'ingress-conformance-abcde'; }
  async deleteNamespace(ns: string) { this.calls.push(`delete Namespace ${ns}`); }
  async createIngress(_ns: string, body: V1Ingress) { this.calls.push(`create Ingress ${body.metadata?.name}`); this.ingresses.set(body.metadata!.name!, body); return body; }
  async deleteIngress(_ns: string, name: string) { this.calls.push(`delete Ingress ${name}`); }
  async createService(_ns: string, body: { metadata?: { name?: string } }) { this.calls.push(`create Service ${body.metadata?.name}`); }
  async deleteService(_ns: string, name: string) { this.calls.push(`delete Service ${name}`); }
  async putEndpoints(_ns: string, body: V1Endpoints) { this.calls.push(`put Endpoints ${body.metadata?.name}`); this.endpoints.set(body.metadata!.name!, body); }
  async deleteEndpoints(_ns: string, name: string) { this.calls.push(`delete Endpoints ${name}`); }
  async putEndpointSlice(_ns: string, body: V1EndpointSlice) { this.calls.push(`put EndpointSlice ${body.metadata?.labels?.['kubernetes.io/service-name']}`); this.slices.set(body.metadata!.name!, body); }
  async deleteEndpointSlice(_ns: string, name: string) { this.calls.push(`delete EndpointSlice ${name.replace(/-\w{5}$/, '')}`); }
  async createSecret(_ns: string, body: V1Secret) { this.calls.push(`create Secret ${body.metadata?.name}`); this.secrets.set(body.metadata!.name!, body); }
  async deleteSecret(_ns: string, name: string) { this.calls.push(`delete Secret ${name}`); }
  async readIngress(_ns: string, name: string): Promise<V1Ingress> {
    const answer = this.readAnswers[Math.min(this.reads++, this.readAnswers.length - 1)];
    if (answer instanceof Error) throw answer;
    return { ...this.ingresses.get(name), status: { loadBalancer: { ingress: answer ? [{ ip: answer }] : [] } } };
  }
}

const settings = (overrides: Partial<WorldSettings> = {}): WorldSettings => ({
  ingressClass: 'conformance', waitForStatusMs: 300, pollIntervalMs: 20, scaleSettleMs: 0, requestTimeoutMs: 2000,
  ports: { http: 80, https: 443 }, ...overrides,
});

function newWorld(fake: FakeCluster, s = settings()): ScenarioWorld {
  return new ScenarioWorld(fake as unknown as Cluster, new AddressAllocator('127.0.0.1'), s);
}

function get(url: string, host: string): Promise<SimpleResponse> {
  const { hostname, port, pathname } = new URL(url);
  return send({ address: hostname, port: Number(port), host, path: pathname });
}

describe('ScenarioWorld', () => {
  test('creates a live echo backend, its Service, Endpoints and EndpointSlice before the Ingress', async () => {
    const fake = new FakeCluster();
    const world = newWorld(fake);
    try {
      await world.newNamespace();
      await world.createIngressFromSpec('lb', 'defaultBackend:\n  service:\n    name: echo-service\n    port:\n      number: 8080\n');
      assert.deepEqual(fake.calls, ['create Namespace', 'create Service echo-service', 'put Endpoints echo-service', 'put EndpointSlice echo-service', 'create Ingress lb']);
      const ingress = fake.ingresses.get('lb')!;
      assert.equal(ingress.spec?.ingressClassName, 'conformance');
      assert.equal(ingress.metadata?.namespace, 'ingress-conformance-abcde');
      const subset = fake.endpoints.get('echo-service')!.subsets![0];
      const reply = await get(`http://${subset.addresses![0].ip}:${subset.ports![0].port}/x`, 'lb');
      const body = JSON.parse(reply.body);
      assert.equal(body.service, 'echo-service');
      assert.equal(body.ingress, 'lb');
      assert.equal(body.namespace, 'ingress-conformance-abcde');
      assert.match(body.pod, /^lb-echo-service-/);
    } finally {
      await world.cleanup();
    }
  });

  test('keeps an explicit ingressClassName and forces the scenario namespace on a manifest', async () => {
    const fake = new FakeCluster();
    const world = newWorld(fake);
    try {
      await world.createIngressInNewNamespace(
        'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: c, namespace: elsewhere}\nspec:\n  ingressClassName: other\n  defaultBackend: {service: {name: s, port: {number: 80}}}\n',
      );
      assert.equal(fake.ingresses.get('c')?.spec?.ingressClassName, 'other');
      assert.equal(fake.ingresses.get('c')?.metadata?.namespace, 'ingress-conformance-abcde');
    } finally {
      await world.cleanup();
    }
  });

  test('refuses to create an Ingress before a namespace exists', async () => {
    const world = newWorld(new FakeCluster());
    await assert.rejects(world.createIngressFromSpec('x', '{}'), /refusing/);
  });

  test('polls the status through transient errors and takes the first address', async () => {
    const fake = new FakeCluster();
    fake.readAnswers = [undefined, new ApiException(503, 'unavailable', {}, {}), '127.0.1.1'];
    const world = newWorld(fake);
    world.namespace = 'ns';
    world.ingressName = 'i';
    await world.expectAddress();
    assert.equal(world.ipOrFqdn, '127.0.1.1');
    assert.equal(fake.reads, 3);
  });

  test('fails the status wait at once on NotFound and after the window when no address comes', async () => {
    const fake = new FakeCluster();
    fake.readAnswers = [new ApiException(404, 'not found', { message: 'ingress "i" not found' }, {})];
    const world = newWorld(fake);
    Object.assign(world, { namespace: 'ns', ingressName: 'i' });
    await assert.rejects(world.expectAddress(), /HTTP 404: ingress "i" not found/);
    assert.equal(fake.reads, 1);
    fake.readAnswers = [undefined];
    const started = Date.now();
    await assert.rejects(world.expectAddress(), /timed out/);
    assert.ok(Date.now() - started >= 250);
  });

  test('the negative class check passes on timeout and fails when an address shows up', async () => {
    const fake = new FakeCluster();
    const world = newWorld(fake);
    Object.assign(world, { namespace: 'ns', ingressName: 'i' });
    fake.readAnswers = [undefined];
    await world.expectNoAddress();
    fake.readAnswers = [undefined, '127.0.1.1'];
    fake.reads = 0;
    await assert.rejects(world.expectNoAddress(), /should not return an IP address or FQDN, but got 127.0.1.1/);
  });

  test('scaling starts distinct replicas and rewrites Endpoints and the same EndpointSlice', async () => {
    const fake = new FakeCluster();
    const world = newWorld(fake);
    try {
      await world.newNamespace();
      await world.createIngressFromSpec('lb', 'defaultBackend: {service: {name: echo-service, port: {number: 8080}}}');
      await world.scale('echo-service', 4);
      const subsets = fake.endpoints.get('echo-service')!.subsets!;
      const targets = subsets.flatMap((s) => s.addresses!.map((a) => `${a.ip}:${s.ports![0].port}`));
      assert.equal(new Set(targets).size, 4);
      assert.equal(fake.slices.size, 4, 'one slice per distinct port in cluster mode');
      const pods = new Set<string>();
      for (const t of targets) pods.add(JSON.parse((await get(`http://${t}/`, 'lb')).body).pod);
      assert.equal(pods.size, 4);
      await assert.rejects(world.scale('missing', 2), /no backend deployment lb-missing/);
    } finally {
      await world.cleanup();
    }
  });

  test('cleanup deletes the Ingress first and the namespace last, then stops the backends', async () => {
    const fake = new FakeCluster();
    const world = newWorld(fake);
    await world.newNamespace();
    await world.createTlsSecret('tls', 'foo.bar.com');
    await world.createIngressFromSpec('i', 'defaultBackend: {service: {name: s, port: {name: http}}}');
    const subset = fake.endpoints.get('s')!.subsets![0];
    fake.calls.length = 0;
    assert.deepEqual(await world.cleanup(), []);
    assert.deepEqual(fake.calls, [
      'delete Ingress i', 'delete Service s', 'delete Endpoints s', 'delete EndpointSlice s', 'delete Secret tls',
      'delete Namespace ingress-conformance-abcde',
    ]);
    await assert.rejects(get(`http://${subset.addresses![0].ip}:${subset.ports![0].port}/`, 'i'));
    const secret = fake.secrets.get('tls')!;
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.match(Buffer.from(secret.data!['tls.key'], 'base64').toString(), /BEGIN RSA PRIVATE KEY/);
  });
});

/** A stand-in proxy: forwards everything to the first endpoint it finds. */
async function fakeProxy(fake: FakeCluster, serverHeader: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const subset = [...fake.endpoints.values()][0]?.subsets?.[0];
    if (!subset) return void res.writeHead(503).end();
    const up = http.request({ host: subset.addresses![0].ip, port: subset.ports![0].port, method: req.method, path: req.url, headers: req.headers, agent: false }, (r) => {
      res.writeHead(r.statusCode ?? 502, { ...r.headers, ...(serverHeader ? { server: 'fake' } : {}) });
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const DEFAULT_BACKEND = `Feature: Default backend
  Background:
    Given a new random namespace
    Given an Ingress resource named "default-backend" with this spec:
    """
    defaultBackend: {service: {name: echo-service, port: {number: 8080}}}
    """
    Then The Ingress status shows the IP address or FQDN where it is exposed

  Scenario Outline: o
    When I send a "<method>" request to http://"<host>"/"<path>"
    Then the response status-code must be 200
    And the response headers must contain <key> with matching <value>
      | key    | value |
      | Server | *     |
    And the request path must be "<path>"
    And the request headers must contain <key> with matching <value>
      | key        | value              |
      | User-Agent | Go-http-client/1.1 |

    Examples:
      | method | host    | path     |
      | PATCH  | my-host | resource |
`;

describe('runScenario', () => {
  for (const serverHeader of [true, false]) {
    test(`runs a default_backend run end to end through a proxy ${serverHeader ? 'that adds' : 'without'} a Server header`, async () => {
      const fake = new FakeCluster();
      fake.readAnswers = ['127.0.0.1'];
      const proxy = await fakeProxy(fake, serverHeader);
      try {
        const [run] = compileFeature(DEFAULT_BACKEND, 'default_backend.feature').map(bindRun);
        const diagnose = () => `calls before cleanup: ${fake.calls.filter((c) => c.startsWith('delete')).length}`;
        const result = await runScenario(run, newWorld(fake, settings({ ports: { http: proxy.port, https: 1 } })), diagnose);
        assert.equal(result.passed, serverHeader, result.reason);
        if (!serverHeader) {
          assert.equal(result.failedStep, 'the response headers must contain <key> with matching <value>');
          assert.match(result.reason ?? '', /response headers to contain Server/);
          assert.equal(result.diagnostics, 'calls before cleanup: 0', 'diagnostics must be taken before cleanup');
          const report = formatResult(result).join('\n');
          assert.match(report, /^✗ Default backend: o \[method=PATCH, host=my-host, path=resource\] \(\d+\.\ds\)\n    step: the response headers/);
          assert.match(report, /controller log \(tail\):\n      calls before cleanup: 0/);
          assert.equal(summaryLine([result]), '0 passed, 1 failed');
        } else {
          assert.equal(result.diagnostics, undefined);
          assert.equal(summaryLine([result, result]), '2 passed, 0 failed');
        }
        assert.ok(fake.calls.includes('delete Namespace ingress-conformance-abcde'), 'cleanup did not run');
      } finally {
        await proxy.close();
      }
    });
  }

  test('fails on an undefined step, skips the rest and still cleans up', async () => {
    const fake = new FakeCluster();
    const feature = [
      'Feature: P', '  Scenario: s', '    Given an Ingress resource in a new random namespace', '    """',
      '    metadata: {name: p}', '    spec: {defaultBackend: {service: {name: s, port: {number: 80}}}}', '    """',
      '    When a new random namespace', '    Then the response status-code must be 200', '',
    ].join('\n');
    const [run] = compileFeature(feature, 'path_rules.feature').map(bindRun);
    const result = await runScenario(run, newWorld(fake));
    assert.equal(result.passed, false);
    assert.equal(result.failedStep, 'a new random namespace', 'path_rules does not register this step');
    assert.match(result.reason ?? '', /undefined step/);
    assert.equal(fake.calls.filter((c) => c === 'create Namespace').length, 1);
    assert.equal(fake.calls.at(-1), 'delete Namespace ingress-conformance-abcde');
  });
});
