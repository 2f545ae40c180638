import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { selfSignedCertificate } from '../support/certs.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/net.js';
import { endpointSlice, ingress, ingressClass, namespace, service, tlsSecret } from '../support/objects.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * The controller end to end: objects written to the Kubernetes API test server, through the real
 * client's list/watch, into a real HAProxy, answered by real HTTP backends on loopback.
 */
describe('controller against the Kubernetes API and a real HAProxy', () => {
  let stack: Stack;
  let statsPort: number;
  const ns = 'shop';

  before(async () => {
    statsPort = await freePort();
    stack = await startStack({ args: ['--publish-address', '203.0.113.7', '--stats-port', String(statsPort), '--allow-config-snippets'] });
    stack.api.create(namespace(ns));
    stack.api.create(ingressClass());
    await stack.backend({ address: '127.0.20.1', port: 8080, service: 'web', namespace: ns, pod: 'web-1' });
    await stack.backend({ address: '127.0.20.2', port: 8080, service: 'web', namespace: ns, pod: 'web-2' });
    await stack.backend({ address: '127.0.20.3', port: 9090, service: 'api', namespace: ns, pod: 'api-1' });
    stack.api.create(service(ns, 'web', [{ name: 'http', port: 80, targetPort: 8080 }]));
    stack.api.create(endpointSlice(ns, 'web', [{ address: '127.0.20.1' }, { address: '127.0.20.2' }], [{ name: 'http', port: 8080 }]));
    stack.api.create(service(ns, 'api', [{ port: 81, targetPort: 9090 }]));
    stack.api.create(endpointSlice(ns, 'api', [{ address: '127.0.20.3' }], [{ port: 9090 }]));
    stack.api.create(service(ns, 'empty', [{ port: 80, targetPort: 8080 }]));
    stack.api.create(
      ingress(ns, 'shop', [
        { host: 'shop.example.com', paths: [{ path: '/', service: 'web', port: 'http' }, { path: '/api', service: 'api', port: 81 }, { path: '/soon', service: 'empty', port: 80 }] },
        { host: '*.shop.example.com', paths: [{ path: '/', service: 'api', port: 81 }] },
      ]),
    );
  });

  after(async () => {
    await stack?.close();
  });

  it('routes by host and path to ready endpoints, 404 elsewhere, 503 when a Service has none', async () => {
    const web = await eventually(async () => {
      const r = await stack.request('shop.example.com', '/');
      return r.status === 200 ? r : undefined;
    }, { what: 'shop.example.com to answer' });
    assert.equal(web.json?.service, 'web');
    assert.equal((await stack.request('shop.example.com', '/api/orders?id=3')).json?.service, 'api');
    assert.equal((await stack.request('shop.example.com', '/api/orders?id=3')).json?.path, '/api/orders?id=3');
    assert.equal((await stack.request('eu.shop.example.com', '/')).json?.service, 'api');
    assert.equal((await stack.request('SHOP.example.com:8080', '/')).json?.service, 'web');
    assert.equal((await stack.request('a.b.shop.example.com', '/')).status, 404);
    assert.equal((await stack.request('other.example.com', '/')).status, 404);
    assert.equal((await stack.request('shop.example.com', '/soon')).status, 503);
    const notFound = await stack.request('other.example.com', '/');
    assert.ok(notFound.headers.server, 'HAProxy answers carry a Server header');
  });

  it('spreads requests over every ready endpoint and sets X-Forwarded-For', async () => {
    const pods = new Set<unknown>();
    for (let i = 0; i < 10; i++) {
      const r = await stack.request('shop.example.com', '/');
      pods.add(r.json?.pod);
      assert.deepEqual((r.json?.headers as Record<string, string[]>)['X-Forwarded-For'], ['127.0.0.1']);
    }
    assert.deepEqual([...pods].sort(), ['web-1', 'web-2']);
  });

  it('writes our address into the status of our Ingress only', async () => {
    stack.api.create(ingress(ns, 'not-ours', [{ host: 'x.example.com', paths: [{ service: 'web', port: 80 }] }], { className: 'other' }));
    await eventually(() => {
      const obj = stack.api.get('networking.k8s.io/v1', 'Ingress', ns, 'shop') as { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } };
      return obj.status?.loadBalancer?.ingress?.[0]?.ip === '203.0.113.7';
    }, { what: 'status of shop' });
    await stack.settle();
    const other = stack.api.get('networking.k8s.io/v1', 'Ingress', ns, 'not-ours') as { status?: { loadBalancer?: { ingress?: unknown[] } } };
    assert.equal(other.status?.loadBalancer?.ingress?.length ?? 0, 0);
    assert.equal((await stack.request('x.example.com', '/')).status, 404);
  });

  it('applies endpoint changes without reloading HAProxy', async () => {
    await stack.settle();
    const reloads = stack.running.driver.counters.reloads;
    await stack.backend({ address: '127.0.20.4', port: 8080, service: 'web', namespace: ns, pod: 'web-3' });
    stack.api.apply(endpointSlice(ns, 'web', [{ address: '127.0.20.4' }, { address: '127.0.20.1', ready: false, serving: true, terminating: true }], [{ name: 'http', port: 8080 }]));
    await eventually(async () => {
      const seen = new Set<unknown>();
      for (let i = 0; i < 6; i++) seen.add((await stack.request('shop.example.com', '/')).json?.pod);
      return seen.size === 1 && seen.has('web-3');
    }, { what: 'only web-3 to serve' });
    assert.equal(stack.running.driver.counters.reloads, reloads, 'no reload for an endpoint change');
    assert.ok(stack.running.driver.counters.runtimeCommands.server > 0);
  });

  it('serves TLS by SNI from the Ingress Secret and redirects plain HTTP to the HTTPS port', async () => {
    const cert = selfSignedCertificate({ hosts: ['secure.example.com'] });
    stack.api.create(tlsSecret(ns, 'secure-tls', cert.certPem, cert.keyPem));
    stack.api.create(
      ingress(ns, 'secure', [{ host: 'secure.example.com', paths: [{ service: 'web', port: 80 }] }], { tls: [{ hosts: ['secure.example.com'], secretName: 'secure-tls' }] }),
    );
    const res = await eventually(async () => {
      const r = await stack.request('secure.example.com', '/x', { https: true });
      // The Secret came first, so the source holds it trimmed until the Ingress names it: its
      // certificate follows within a pass or two.
      return r.status === 200 && r.certificate?.subjectaltname === 'DNS:secure.example.com' ? r : undefined;
    }, { what: 'HTTPS for secure.example.com' });
    assert.equal(res.certificate?.subjectaltname, 'DNS:secure.example.com');
    const redirect = await stack.request('secure.example.com', '/x?y=1');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, `https://secure.example.com:${stack.httpsPort}/x?y=1`);
    const other = await stack.request('nosuch.example.com', '/', { https: true });
    assert.notEqual(other.certificate?.subjectaltname, 'DNS:secure.example.com', 'other names get the default certificate');
  });

  it('reports a broken reference as a warning Event on the Ingress, once', async () => {
    stack.api.create(ingress(ns, 'dangling', [{ host: 'dangling.example.com', paths: [{ service: 'missing', port: 80 }] }]));
    const events = await eventually(() => {
      const found = (stack.api.list('v1', 'Event', ns) as { reason?: string; involvedObject?: { name?: string }; type?: string }[]).filter(
        (e) => e.involvedObject?.name === 'dangling' && e.reason === 'PCL_SERVICE_NOT_FOUND',
      );
      return found.length ? found : undefined;
    }, { what: 'an Event for the dangling Ingress' });
    assert.equal(events[0].type, 'Warning');
    // The Event is recorded during the pass; the route serves once HAProxy has applied it.
    await eventually(async () => (await stack.request('dangling.example.com', '/')).status === 503, { what: '503 for a missing Service' });
    // Unrelated changes cause more passes; the same problem must not produce another Event.
    stack.api.apply(endpointSlice(ns, 'api', [{ address: '127.0.20.3' }], [{ port: 9090 }], 'api-abcde'));
    await stack.settle();
    await new Promise((r) => setTimeout(r, 200));
    const again = (stack.api.list('v1', 'Event', ns) as { reason?: string; involvedObject?: { name?: string } }[]).filter(
      (e) => e.involvedObject?.name === 'dangling' && e.reason === 'PCL_SERVICE_NOT_FOUND',
    );
    assert.equal(again.length, 1);
  });

  it('converges after the watch history expires (410 Gone) and after API errors', async () => {
    stack.api.compactHistory();
    stack.api.failNext({ method: 'GET', pathIncludes: '/ingresses', status: 500, times: 2 });
    stack.api.closeWatches();
    stack.api.create(ingress(ns, 'late', [{ host: 'late.example.com', paths: [{ service: 'api', port: 81 }] }]));
    const res = await eventually(async () => {
      const r = await stack.request('late.example.com', '/');
      return r.status === 200 ? r : undefined;
    }, { what: 'late.example.com after a relist', timeoutMs: 20_000 });
    assert.equal(res.json?.service, 'api');
    stack.api.remove('networking.k8s.io/v1', 'Ingress', ns, 'late');
    await eventually(async () => (await stack.request('late.example.com', '/')).status === 404, { what: 'late.example.com removed' });
  });

  it('serves health, readiness, the admin state, its own metrics and HAProxy\'s Prometheus metrics', async () => {
    const health = `http://127.0.0.1:${stack.healthPort}`;
    assert.equal((await fetch(`${health}/healthz`)).status, 200);
    assert.equal((await fetch(`${health}/readyz`)).status, 200);
    const state = (await (await fetch(`${health}/admin/state`)).json()) as { ready: boolean; routes: number; counters: { reloads: number } };
    assert.equal(state.ready, true);
    assert.ok(state.routes >= 4);
    const own = await (await fetch(`${health}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(own)?.[1]);
    assert.equal(value('portcullis_reloads_total'), stack.running.driver.counters.reloads);
    assert.equal(value('portcullis_ready'), 1);
    assert.match(own, /^portcullis_runtime_updates_total\{kind="server"\} [1-9]/m);
    assert.match(own, /^portcullis_objects\{kind="Ingress"\} [1-9]/m);
    assert.match(own, /^portcullis_sync_duration_seconds_count\{result="ok"\} [1-9]/m);
    // One replica, which holds the Lease: it is the one writing status.
    await eventually(async () => /^portcullis_leader 1$/m.test(await (await fetch(`${health}/metrics`)).text()), { what: 'portcullis_leader 1' });
    // A served certificate's expiry, as the certificate itself says.
    const cert = selfSignedCertificate({ hosts: ['expiry.example.com'] });
    stack.api.create(tlsSecret(ns, 'expiry-tls', cert.certPem, cert.keyPem));
    stack.api.create(ingress(ns, 'expiry', [{ host: 'expiry.example.com', paths: [{ service: 'web', port: 80 }] }], { tls: [{ hosts: ['expiry.example.com'], secretName: 'expiry-tls' }] }));
    const notAfter = Math.floor(Date.parse(new X509Certificate(cert.certPem).validTo) / 1000);
    const series = new RegExp(`^portcullis_certificate_expiry_timestamp_seconds\\{namespace="${ns}",name="expiry-tls"\\} ${notAfter}$`, 'm');
    await eventually(async () => series.test(await (await fetch(`${health}/metrics`)).text()), { what: `the expiry of ${ns}/expiry-tls (${notAfter})` });
    await stack.request('shop.example.com', '/');
    const haproxy = await (await fetch(`http://127.0.0.1:${statsPort}/metrics`)).text();
    assert.match(haproxy, /^haproxy_frontend_http_requests_total\{proxy="portcullis"\} [1-9]/m);
    assert.match(haproxy, /^haproxy_backend_http_responses_total\{proxy="shop_web_80",code="2xx"\} [1-9]/m);
    assert.equal((await fetch(`http://127.0.0.1:${statsPort}/stats`)).status, 200);
  });

  it('leaves out alone an Ingress whose configuration HAProxy rejects, and takes it back once fixed', async () => {
    const bad = ingress(ns, 'broken-snippet', [{ host: 'broken.example.com', paths: [{ service: 'web', port: 80 }] }], {
      annotations: { 'haproxy.org/backend-config-snippet': 'this-is-not-a-directive' },
    });
    stack.api.create(bad);
    const events = await eventually(() => {
      const found = (stack.api.list('v1', 'Event', ns) as { reason?: string; involvedObject?: { name?: string } }[]).filter(
        (e) => e.involvedObject?.name === 'broken-snippet' && e.reason === 'PCL_CONFIG_REJECTED',
      );
      return found.length ? found : undefined;
    }, { what: 'a PCL_CONFIG_REJECTED Event' });
    assert.equal(events.length, 1);
    await stack.settle();
    assert.equal((await stack.request('broken.example.com', '/')).status, 404, 'the rejected Ingress is left out');
    assert.equal((await stack.request('shop.example.com', '/')).json?.service, 'web', 'everything else keeps serving');
    assert.ok(stack.logs.some((l) => l.includes('PCL_CONFIG_REJECTED')), 'the rejection is logged');
    const fixed = ingress(ns, 'broken-snippet', [{ host: 'broken.example.com', paths: [{ service: 'web', port: 80 }] }], {
      annotations: { 'haproxy.org/backend-config-snippet': 'http-response set-header X-Snippet applied' },
    });
    stack.api.apply(fixed);
    const res = await eventually(async () => {
      const r = await stack.request('broken.example.com', '/');
      return r.status === 200 ? r : undefined;
    }, { what: 'the fixed Ingress to serve' });
    assert.equal(res.headers['x-snippet'], 'applied');
  });
});
