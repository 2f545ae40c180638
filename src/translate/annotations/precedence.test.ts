import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { baseTranslateOptions, snapshotOf } from '../../../test/support/fixtures.js';
import type { Backend, Model } from '../../model/types.js';
import { normalise } from '../../sources/normalise.js';
import type { KubeObject } from '../../store/types.js';
import { formatDiagnostic, translate } from '../index.js';
import { findKey } from './registry.js';

/** One key: a distinct valid value per level (Service, Ingress, ConfigMap), an invalid one, and how to read the result. */
interface Row {
  key: string;
  /** `service-route`: route policy a Service may set too (for the routes that reach it). */
  kind: 'backend' | 'service-route' | 'route' | 'global';
  /** Route and global keys cannot be set on a Service: their first entry is unused. */
  raw: [service: string, ingress: string, configMap: string];
  expected: [service: unknown, ingress: unknown, configMap: unknown];
  fallback: unknown;
  invalid: string;
  read(model: Model, backend: Backend): unknown;
  /** Keys this one depends on (auth-realm needs auth-type), set on the ConfigMap in every scenario. */
  needs?: Record<string, string>;
}

const server = (b: Backend) => b.server;
const policy = (b: Backend) => b.policy;

const ROWS: Row[] = [
  { key: 'load-balance', kind: 'backend', raw: ['leastconn', 'source', 'first'], expected: ['leastconn', 'source', 'first'], fallback: 'roundrobin', invalid: 'fastest', read: (_, b) => b.balance },
  { key: 'pod-maxconn', kind: 'backend', raw: ['1', '2', '3'], expected: [1, 2, 3], fallback: undefined, invalid: '-1', read: (_, b) => server(b)?.maxconn },
  { key: 'check', kind: 'backend', raw: ['false', 'true', 'false'], expected: [false, true, false], fallback: false, invalid: 'nope', read: (_, b) => server(b)?.check ?? false },
  { key: 'check-http', kind: 'backend', raw: ['/s', '/i', '/c'], expected: ['/s', '/i', '/c'], fallback: undefined, invalid: 'health', read: (_, b) => server(b)?.checkHttp?.uri },
  { key: 'check-interval', kind: 'backend', raw: ['1s', '2s', '3s'], expected: [1000, 2000, 3000], fallback: undefined, invalid: '2 s', read: (_, b) => server(b)?.checkIntervalMs },
  { key: 'cookie-persistence', kind: 'backend', raw: ['S', 'I', 'C'], expected: ['S', 'I', 'C'], fallback: undefined, invalid: 'a=b', read: (_, b) => b.cookie?.name },
  { key: 'send-proxy-protocol', kind: 'backend', raw: ['proxy', 'proxy-v2', 'proxy-v2-ssl'], expected: ['v1', 'v2', 'v2-ssl'], fallback: undefined, invalid: 'v3', read: (_, b) => server(b)?.sendProxy },
  { key: 'server-ssl', kind: 'backend', raw: ['true', 'false', 'true'], expected: [true, false, true], fallback: false, invalid: 'yes', read: (_, b) => server(b)?.ssl !== undefined },
  { key: 'timeout-server', kind: 'backend', raw: ['1s', '2s', '3s'], expected: [1000, 2000, 3000], fallback: 50_000, invalid: '1y', read: (m, b) => b.timeouts?.server ?? m.global.timeouts.server },
  { key: 'timeout-connect', kind: 'backend', raw: ['1s', '2s', '3s'], expected: [1000, 2000, 3000], fallback: 5000, invalid: '1y', read: (m, b) => b.timeouts?.connect ?? m.global.timeouts.connect },
  { key: 'timeout-queue', kind: 'backend', raw: ['1s', '2s', '3s'], expected: [1000, 2000, 3000], fallback: 5000, invalid: '1y', read: (m, b) => b.timeouts?.queue ?? m.global.timeouts.queue },
  { key: 'retries', kind: 'backend', raw: ['1', '2', '3'], expected: [1, 2, 3], fallback: undefined, invalid: 'many', read: (_, b) => b.retries?.count },
  { key: 'retry-on', kind: 'backend', raw: ['503', '504', '500'], expected: [['503'], ['504'], ['500']], fallback: undefined, invalid: '200', read: (_, b) => b.retries?.on },
  { key: 'forwarded-for', kind: 'backend', raw: ['false', 'true', 'false'], expected: [false, true, false], fallback: true, invalid: 'no', read: (_, b) => policy(b)?.forwardedFor ?? true },
  { key: 'allow-list', kind: 'route', raw: ['', '10.0.0.2', '10.0.0.3'], expected: [undefined, ['10.0.0.2'], ['10.0.0.3']], fallback: undefined, invalid: 'ten', read: (_, b) => policy(b)?.allow },
  { key: 'deny-list', kind: 'route', raw: ['', '10.0.0.2', '10.0.0.3'], expected: [undefined, ['10.0.0.2'], ['10.0.0.3']], fallback: undefined, invalid: 'ten', read: (_, b) => policy(b)?.deny },
  { key: 'rate-limit-requests', kind: 'route', raw: ['', '2', '3'], expected: [undefined, 2, 3], fallback: undefined, invalid: 'x', read: (_, b) => policy(b)?.rateLimit?.requests },
  {
    key: 'rate-limit-period', kind: 'route', raw: ['', '2s', '3s'], expected: [undefined, 2000, 3000], fallback: 1000, invalid: 'x',
    read: (_, b) => policy(b)?.rateLimit?.periodMs, needs: { 'rate-limit-requests': '5' },
  },
  {
    key: 'rate-limit-status-code', kind: 'route', raw: ['', '429', '503'], expected: [undefined, 429, 503], fallback: 403, invalid: '200',
    read: (_, b) => policy(b)?.rateLimit?.statusCode, needs: { 'rate-limit-requests': '5' },
  },
  {
    key: 'auth-realm', kind: 'route', raw: ['', 'Ingress', 'ConfigMap'], expected: [undefined, 'Ingress', 'ConfigMap'], fallback: 'Protected Content', invalid: 'a"b',
    read: (_, b) => policy(b)?.auth?.realm, needs: { 'auth-type': 'basic-auth', 'auth-secret': 'default/users' },
  },
  { key: 'set-host', kind: 'service-route', raw: ['s.example.com', 'i.example.com', 'c.example.com'], expected: ['s.example.com', 'i.example.com', 'c.example.com'], fallback: undefined, invalid: 'a b', read: (_, b) => policy(b)?.setHost },
  {
    key: 'path-rewrite', kind: 'service-route', raw: ['/', '/i', '^/c/(.*) /\\1'],
    expected: [[{ kind: 'set', path: '/' }], [{ kind: 'set', path: '/i' }], [{ kind: 'regex', match: '^/c/(.*)', replace: '/\\1' }]],
    fallback: undefined, invalid: 'no-slash', read: (_, b) => policy(b)?.pathRewrites,
  },
  {
    key: 'request-set-header', kind: 'route', raw: ['', 'X-Level ingress', 'X-Level configmap'], expected: [undefined, [{ name: 'X-Level', value: 'ingress' }], [{ name: 'X-Level', value: 'configmap' }]],
    fallback: undefined, invalid: 'X-Level', read: (_, b) => policy(b)?.requestHeaders,
  },
  {
    key: 'response-set-header', kind: 'route', raw: ['', 'X-Level ingress', 'X-Level configmap'], expected: [undefined, [{ name: 'X-Level', value: 'ingress' }], [{ name: 'X-Level', value: 'configmap' }]],
    fallback: undefined, invalid: 'Content-Length 1', read: (_, b) => policy(b)?.responseHeaders,
  },
  {
    key: 'cors-allow-origin', kind: 'route', raw: ['', 'https://i.example.com', 'https://c.example.com'], expected: [undefined, { origins: ['https://i.example.com'] }, { origins: ['https://c.example.com'] }],
    fallback: { any: true }, invalid: 'i.example.com', read: (_, b) => policy(b)?.cors?.allowOrigin, needs: { 'cors-enable': 'true' },
  },
  {
    key: 'ssl-redirect-code', kind: 'route', raw: ['', '301', '308'], expected: [undefined, 301, 308], fallback: 302, invalid: '300',
    read: (m) => m.routes[0].httpsRedirect?.code, needs: { 'ssl-redirect-port': '443' },
  },
  { key: 'maxconn', kind: 'global', raw: ['', '', '3000'], expected: [undefined, undefined, 3000], fallback: 0, invalid: 'lots', read: (m) => m.global.maxconn },
  { key: 'timeout-client', kind: 'global', raw: ['', '', '3s'], expected: [undefined, undefined, 3000], fallback: 50_000, invalid: '3 s', read: (m) => m.global.timeouts.client },
  { key: 'disable-access-log', kind: 'global', raw: ['', '', 'true'], expected: [undefined, undefined, false], fallback: undefined, invalid: 'yes', read: (m) => m.global.accessLog },
  { key: 'hard-stop-after', kind: 'global', raw: ['', '', '3m'], expected: [undefined, undefined, 180_000], fallback: 1_800_000, invalid: 'later', read: (m) => m.global.hardStopAfter },
];

const onService = (row: Row) => row.kind === 'backend' || row.kind === 'service-route';

type Levels = Partial<Record<'service' | 'ingress' | 'configMap', Record<string, string>>>;

const HASH = '$6$saltsalt$fxtrgNr0//Ip0B6ss2a/TCLvMdsw5Nx6dknvHShinRxCFbPDFOF1FjlGij8xWCb0jfJjN/ydBgMw3Go6NrTo21';

function prefixed(values: Record<string, string> | undefined): Record<string, string> | undefined {
  return values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k.includes('/') ? k : `haproxy.org/${k}`, v]));
}

/** One Service, one Ingress routing web.example.com to it (ssl-redirect forced so redirects show), the ConfigMap. */
function objects(levels: Levels): KubeObject[] {
  const raw: unknown[] = [
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portcullis' }, spec: { controller: 'portcullis.dev/ingress-controller' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web', annotations: prefixed(levels.service) }, spec: { ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'users' }, stringData: { alice: HASH } },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      metadata: { namespace: 'default', name: 'web', annotations: { 'haproxy.org/ssl-redirect': 'true', ...prefixed(levels.ingress) } },
      spec: { ingressClassName: 'portcullis', rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'system', name: 'portcullis' }, data: levels.configMap ?? {} },
  ];
  return raw.map((o) => normalise(o)!);
}

function run(levels: Levels): { value: (row: Row) => unknown; diagnostics: string[] } {
  const result = translate(snapshotOf(objects(levels)), { ...baseTranslateOptions(), configMap: 'system/portcullis' });
  const backend = result.model.backends.find((b) => b.name === result.model.routes[0].backend)!;
  return { value: (row) => row.read(result.model, backend), diagnostics: result.diagnostics.map(formatDiagnostic) };
}

/** The scenarios of a row: which level sets what, which level's value wins, and which objects get a diagnostic. */
function scenarios(row: Row): { name: string; levels: Levels; expected: unknown; diagnosed: string[] }[] {
  const [s, i, c] = row.raw;
  const set = (key: string, value: string) => (value === '' ? {} : { [key]: value });
  const k = row.key;
  const all = [
    { name: 'the Service wins over the Ingress and the ConfigMap', levels: { service: set(k, s), ingress: set(k, i), configMap: set(k, c) }, expected: row.expected[0], diagnosed: [] },
    { name: 'the Ingress wins over the ConfigMap', levels: { ingress: set(k, i), configMap: set(k, c) }, expected: row.expected[1], diagnosed: [] },
    { name: 'the ConfigMap applies when nothing else sets the key', levels: { configMap: set(k, c) }, expected: row.expected[2], diagnosed: [] },
    { name: 'the default applies when no level sets the key', levels: {}, expected: row.fallback, diagnosed: [] },
    { name: 'an invalid Service value falls back to the Ingress', levels: { service: set(k, row.invalid), ingress: set(k, i), configMap: set(k, c) }, expected: row.expected[1], diagnosed: ['Service'] },
    { name: 'invalid Service and Ingress values fall back to the ConfigMap', levels: { service: set(k, row.invalid), ingress: set(k, row.invalid), configMap: set(k, c) }, expected: row.expected[2], diagnosed: ['Service', 'Ingress'] },
    { name: 'an invalid ConfigMap value falls back to the default', levels: { configMap: set(k, row.invalid) }, expected: row.fallback, diagnosed: ['ConfigMap'] },
  ];
  const notOnService = {
    name: 'a Service cannot set it (warned): the Ingress value applies',
    levels: { service: set(k, c), ingress: set(k, i), configMap: set(k, c) },
    expected: row.expected[1],
    diagnosed: [],
  };
  const usable = onService(row) ? all : [notOnService, ...all.filter((sc) => !('service' in sc.levels))];
  return usable
    .filter((sc) => row.kind !== 'global' || !('ingress' in sc.levels))
    .map((sc) => ({ ...sc, levels: { ...sc.levels, configMap: { ...row.needs, ...sc.levels.configMap } } }));
}

describe('precedence: Service > Ingress > ConfigMap > default, per key', () => {
  for (const row of ROWS) {
    for (const sc of scenarios(row)) {
      test(`${row.key}: ${sc.name}`, () => {
        const { value, diagnostics } = run(sc.levels);
        assert.deepEqual(value(row), sc.expected);
        const invalid = diagnostics.filter((d) => d.includes(`${row.key}: ${JSON.stringify(row.invalid)}`));
        assert.deepEqual(invalid.map((d) => d.split(' ')[2]).sort(), [...sc.diagnosed].sort(), diagnostics.join('\n'));
        const others = diagnostics.filter((d) => !invalid.includes(d) && !d.includes('PCL_NO_READY_ENDPOINTS'));
        // Setting a route or global key on a Service is the one expected extra: it has no effect there.
        const misplaced = 'service' in sc.levels && !onService(row) ? [`warning PCL_ANNOTATION_NOT_APPLICABLE Service default/web`] : [];
        assert.deepEqual(others.map((d) => d.split(':')[0]), misplaced);
      });
    }
  }
});

test('the table says where each key may be set as its definition does', () => {
  for (const row of ROWS) {
    const scopes = findKey(row.key)?.def.scopes ?? [];
    assert.equal(scopes.includes('service'), onService(row), row.key);
    assert.equal(scopes.includes('ingress'), row.kind !== 'global', row.key);
  }
});

describe('prefixes and old names on one object', () => {
  const cases: { name: string; annotations: Record<string, string>; allow: string[] }[] = [
    { name: 'ingress.kubernetes.io/ alone is read', annotations: { 'ingress.kubernetes.io/allow-list': '10.0.0.1' }, allow: ['10.0.0.1'] },
    { name: 'haproxy.org/ wins over ingress.kubernetes.io/', annotations: { 'ingress.kubernetes.io/allow-list': '10.0.0.1', 'haproxy.org/allow-list': '10.0.0.2' }, allow: ['10.0.0.2'] },
    { name: 'the current name wins over the old one', annotations: { 'haproxy.org/whitelist': '10.0.0.1', 'haproxy.org/allow-list': '10.0.0.2' }, allow: ['10.0.0.2'] },
    { name: 'the old name alone is read', annotations: { 'haproxy.org/whitelist': '10.0.0.1' }, allow: ['10.0.0.1'] },
    { name: 'a stronger prefix with an old name wins over a weaker prefix', annotations: { 'haproxy.org/whitelist': '10.0.0.1', 'ingress.kubernetes.io/allow-list': '10.0.0.2' }, allow: ['10.0.0.1'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const row = ROWS.find((r) => r.key === 'allow-list')!;
      const { value, diagnostics } = run({ ingress: c.annotations });
      assert.deepEqual(value(row), c.allow);
      assert.deepEqual(diagnostics.filter((d) => !d.includes('PCL_NO_READY_ENDPOINTS')), []);
    });
  }
});
