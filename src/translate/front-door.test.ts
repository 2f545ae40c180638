/**
 * The front-door seam: a second front door beside the Ingress one adds to the same model through
 * the same tables. The second door here is written for the test; it stands where a Gateway API
 * translator will, with a route kind the store does not know yet.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseTranslateOptions, fixturePath, loadObjects, snapshotOf } from '../../test/support/fixtures.js';
import type { Route } from '../model/types.js';
import type { Kind, ObjectRef } from '../store/types.js';
import type { CertificateClaim } from './certificates.js';
import { formatDiagnostic } from './diagnostics.js';
import { dumpModel } from './dump.js';
import { translateWith, type FrontDoor } from './front-door.js';
import { translate } from './index.js';
import { ingressFrontDoor } from './ingress/index.js';

const ROUTE: ObjectRef = { kind: 'HTTPRoute' as Kind, namespace: 'default', name: 'extra' };
const web = (port: number) => ({ namespace: 'default', name: 'web', port: { number: port } });

interface DoorSpec {
  /** Host of its one route, `/x` exact, to Service web port 80. */
  host: string;
  /** SNI hosts it serves with the fixture's Secret. */
  tlsHosts?: string[];
  /** Port of Service web it names as the default backend. */
  defaultPort?: number;
  /** Receives what each of its certificate claims gave. */
  claims?: CertificateClaim[];
}

function otherDoor(spec: DoorSpec): FrontDoor {
  return {
    open(ctx) {
      spec.claims?.push(ctx.certificates.claim('default', 'rsa-tls', spec.tlsHosts ?? []), ctx.certificates.claim('default', 'absent', ['x.example.com']));
      return {
        claimed: [ROUTE],
        build: () => {
          const route: Route = { host: spec.host, path: '/x', match: 'exact', backend: ctx.backends.resolve(ROUTE, web(80)), source: ROUTE };
          return { routes: [route], ...(spec.defaultPort ? { defaultBackend: ctx.backends.resolve(ROUTE, web(spec.defaultPort)) } : {}) };
        },
      };
    },
  };
}

function setup() {
  const snapshot = snapshotOf(loadObjects(fixturePath('translate/tls-certificate-redirects-the-hosts-it-covers.yaml')));
  // The fallback Service does not exist: resolving it would be reported.
  const options = { ...baseTranslateOptions(), defaultBackendService: 'default/nothing' };
  return { snapshot, options };
}

test('translate is the Ingress front door alone', () => {
  const { snapshot, options } = setup();
  const alone = translateWith([ingressFrontDoor], snapshot, options);
  assert.deepEqual(alone, translate(snapshot, options));
  assert.deepEqual(alone.diagnostics.map(formatDiagnostic), [
    'error PCL_DEFAULT_BACKEND_SERVICE_NOT_FOUND Service default/nothing: Service "default/nothing" does not exist; unmatched requests get 404',
  ]);
});

test('a second front door merges its routes, backends, certificates and default backend into one model', () => {
  const { snapshot, options } = setup();
  const claims: CertificateClaim[] = [];
  const result = translateWith([ingressFrontDoor, otherDoor({ host: 'extra.example.com', tlsHosts: ['plain.example.com', 'secure.example.com'], defaultPort: 80, claims })], snapshot, options);
  const ingressOnly = dumpModel(translate(snapshot, options).model).split('\n');
  const certificate = ingressOnly.find((l) => l.startsWith('certificate '))!;
  const lines = dumpModel(result.model).split('\n');
  assert.deepEqual(lines.slice(2), [
    'route (any) / prefix -> default_web_80 (Ingress default/web)',
    'route extra.example.com /x exact -> default_web_80 (HTTPRoute default/extra)',
    // Covered by the other door's certificate: every door claims its hosts before any builds routes.
    'route plain.example.com / prefix -> default_web_80 redirect=302:8443 (Ingress default/web)',
    'route secure.example.com / prefix -> default_web_80 redirect=302:8443 (Ingress default/web)',
    // Named by the other door; --default-backend-service is not even looked up.
    'default-backend default_web_80',
    'backend default_web_80 (Service default/web): 10.0.0.1:8080 ready',
    certificate.replace(' secure.example.com ', ' plain.example.com,secure.example.com '),
    ingressOnly.at(-1),
  ]);
  assert.notEqual(certificate, lines.at(-2));
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(claims, [{ status: 'ok', taken: [] }, { status: 'not-found' }]);
  assert.deepEqual(result.ingresses, [{ kind: 'Ingress', namespace: 'default', name: 'web' }], 'only Ingresses get Ingress status');
  assert.deepEqual([...result.endpointSources!], [['default_web_80', { service: 'default/web', portName: '' }]]);
});

test('the first front door that names a default backend wins', () => {
  const { snapshot, options } = setup();
  const a = otherDoor({ host: 'a.example.com', defaultPort: 80 });
  const b = otherDoor({ host: 'b.example.com', defaultPort: 81 });
  const none = otherDoor({ host: 'c.example.com' });
  assert.equal(translateWith([none, a, ingressFrontDoor, b], snapshot, options).model.defaultBackend, 'default_web_80');
  const result = translateWith([ingressFrontDoor, none, b, a], snapshot, options);
  assert.equal(result.model.defaultBackend, 'default_web_81');
  assert.deepEqual(result.diagnostics.map(formatDiagnostic), [
    'error PCL_SERVICE_PORT_NOT_FOUND HTTPRoute default/extra: Service "default/web" has no port 81; requests for it get 503',
  ]);
  assert.deepEqual(
    result.model.routes.map((r) => r.host),
    ['', 'a.example.com', 'b.example.com', 'c.example.com', 'plain.example.com', 'secure.example.com'],
    'routes of every door, sorted',
  );
});
