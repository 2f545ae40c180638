import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { planLayout } from '../render/layout.js';
import { backend, certificate, deepFreeze, globalSettings, model, route, server } from '../../../test/support/haproxy/model.js';
import type { Applied, RuntimeCommandKind } from '../types.js';
import { planUpdate } from './plan.js';
import { commandLine } from './commands.js';

/** PEM-shaped text: the planner only compares and forwards it. */
function pemOf(tag: string): string {
  const b64 = Buffer.from(tag).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

const DEFAULT_CERT = certificate('fallback', pemOf('fallback'), []);
const SITE_CERT = certificate('ns_site', pemOf('site-v1'), ['a.example.com']);

function base(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    backends: [
      backend('ns_web_80', [server('10.0.0.1', 8080), server('10.0.0.2', 8080)]),
      backend('ns_api_80', [server('10.0.1.1', 9000)]),
    ],
    routes: [
      route('a.example.com', '/', 'prefix', 'ns_web_80'),
      route('a.example.com', '/api', 'prefix', 'ns_api_80'),
    ],
    defaultBackend: 'ns_web_80',
    certificates: [SITE_CERT],
    defaultCertificate: DEFAULT_CERT,
  });
  patch(m);
  return deepFreeze(m);
}

function web(m: Draft<Model>) {
  return m.backends.find((b) => b.name === 'ns_web_80')!;
}

function plan(before: Model, after: Model) {
  const prev: Applied = { model: before, layout: planLayout(undefined, before) };
  return planUpdate(prev, { model: after, layout: planLayout(prev.layout, after) });
}

type Expect = { lines: string[]; kinds?: RuntimeCommandKind[] } | { reasons: string[] };

const cases: [string, (m: Draft<Model>) => void, Expect][] = [
  ['an identical model needs nothing', () => undefined, { lines: [] }],
  ['an endpoint added takes the first free slot', (m) => web(m).servers.push(server('10.0.0.3', 8080)), {
    lines: ['set server ns_web_80/s3 addr 10.0.0.3 port 8080', 'set server ns_web_80/s3 state ready'], kinds: ['server', 'server'],
  }],
  ['an endpoint removed puts its slot in maintenance', (m) => web(m).servers.splice(0, 1), {
    lines: ['set server ns_web_80/s1 state maint'],
  }],
  ['a terminating endpoint drains', (m) => { web(m).servers[1].state = 'drain'; }, {
    lines: ['set server ns_web_80/s2 state drain'],
  }],
  ['an endpoint replaced by another reuses the freed slot', (m) => { web(m).servers[0] = server('10.0.0.9', 8081); }, {
    lines: ['set server ns_web_80/s1 addr 10.0.0.9 port 8081', 'set server ns_web_80/s1 state ready'],
  }],
  ['running out of slots adds servers instead of reloading', (m) => {
    web(m).servers.push(server('10.0.0.3', 8080), server('10.0.0.4', 8080), server('10.0.0.5', 8080, 'drain'));
  }, {
    lines: [
      'set server ns_web_80/s3 addr 10.0.0.3 port 8080', 'set server ns_web_80/s3 state ready',
      'set server ns_web_80/s4 addr 10.0.0.4 port 8080', 'set server ns_web_80/s4 state ready',
      'add server ns_web_80/s5 10.0.0.5:8080', 'set server ns_web_80/s5 state drain',
      'add server ns_web_80/s6 127.0.0.1:1', 'add server ns_web_80/s7 127.0.0.1:1', 'add server ns_web_80/s8 127.0.0.1:1',
    ],
  }],
  ['an IPv6 endpoint is bare in set server addr', (m) => web(m).servers.push(server('fd00::5', 8080)), {
    lines: ['set server ns_web_80/s3 addr fd00::5 port 8080', 'set server ns_web_80/s3 state ready'],
  }],
  ['a route re-pointed to an existing backend is a map update', (m) => { m.routes[0].backend = 'ns_api_80'; }, {
    lines: ['set map maps/exact.map a.example.com/ ns_api_80', 'set map maps/prefix.map a.example.com/ ns_api_80'], kinds: ['map', 'map'],
  }],
  ['a new route to an existing backend adds map entries', (m) => m.routes.push(route('b.example.com', '/x', 'exact', 'ns_api_80')), {
    lines: ['add map maps/exact.map b.example.com/x ns_api_80'],
  }],
  ['a removed route deletes its map entries', (m) => m.routes.splice(1, 1), {
    lines: ['del map maps/exact.map a.example.com/api', 'del map maps/prefix.map a.example.com/api/'],
  }],
  // Each redirect code in use has one frontend rule; a code no route used yet needs that rule.
  ['an HTTPS redirect with a code no route used yet reloads', (m) => { m.routes[1].httpsRedirect = { code: 308, port: 8443 }; }, {
    reasons: ['HTTPS redirect codes in use changed to [308]'],
  }],
  ['the default backend moving to an existing backend is a map update', (m) => { m.defaultBackend = 'ns_api_80'; }, {
    lines: ['set map maps/default.map default ns_api_80'],
  }],
  ['dropping the default backend deletes its map entry', (m) => { delete m.defaultBackend; }, {
    lines: ['del map maps/default.map default'],
  }],
  ['a rotated certificate is replaced and committed', (m) => { m.certificates[0] = { ...SITE_CERT, pem: pemOf('site-v2') }; }, {
    lines: [`set ssl cert certs/ns_site.pem <<\n${pemOf('site-v2')}`, 'commit ssl cert certs/ns_site.pem'], kinds: ['certificate', 'certificate'],
  }],
  ['a new certificate is created, committed and added to the crt-list', (m) => m.certificates.push(certificate('ns_z', pemOf('z'), ['z.example.com', '*.z.example.com'])), {
    lines: [
      'new ssl cert certs/ns_z.pem', `set ssl cert certs/ns_z.pem <<\n${pemOf('z')}`, 'commit ssl cert certs/ns_z.pem',
      'add ssl crt-list certs/crt-list.txt <<\ncerts/ns_z.pem z.example.com *.z.example.com\n',
    ],
  }],
  ['a removed certificate leaves the crt-list then the store', (m) => m.certificates.splice(0, 1), {
    lines: ['del ssl crt-list certs/crt-list.txt certs/ns_site.pem', 'del ssl cert certs/ns_site.pem'],
  }],
  ['new SNI names replace the crt-list entry', (m) => { m.certificates[0] = { ...SITE_CERT, hosts: ['a.example.com', 'b.example.com'] }; }, {
    lines: ['del ssl crt-list certs/crt-list.txt certs/ns_site.pem', 'add ssl crt-list certs/crt-list.txt <<\ncerts/ns_site.pem a.example.com b.example.com\n'],
  }],
  ['another default certificate is a rotation of certs/default.pem', (m) => { m.defaultCertificate = certificate('other', pemOf('other'), []); }, {
    lines: [`set ssl cert certs/default.pem <<\n${pemOf('other')}`, 'commit ssl cert certs/default.pem'],
  }],
  ['servers go first, then certificates, then map additions before deletions', (m) => {
    web(m).servers.splice(1, 1);
    m.certificates[0] = { ...SITE_CERT, pem: pemOf('site-v3') };
    m.routes.splice(1, 1, route('a.example.com', '/v2', 'exact', 'ns_api_80'));
  }, {
    lines: [
      'set server ns_web_80/s2 state maint', `set ssl cert certs/ns_site.pem <<\n${pemOf('site-v3')}`, 'commit ssl cert certs/ns_site.pem',
      'add map maps/exact.map a.example.com/v2 ns_api_80', 'del map maps/exact.map a.example.com/api', 'del map maps/prefix.map a.example.com/api/',
    ],
  }],
  ['a new backend needs a reload', (m) => m.backends.push(backend('ns_new_80', [server('10.0.2.1', 80)])), {
    reasons: ['backend ns_new_80 added'],
  }],
  ['a removed backend needs a reload', (m) => { m.backends = m.backends.filter((b) => b.name !== 'ns_api_80'); m.routes.splice(1, 1); }, {
    reasons: ['backend ns_api_80 removed'],
  }],
  ['global settings need a reload', (m) => { m.global = globalSettings({ maxconn: 10, timeouts: { ...m.global.timeouts, server: 1 } }); }, {
    reasons: ['global setting maxconn changed', 'timeout server changed'],
  }],
  ['an ExternalName server changing names needs a reload', (m) => { m.backends[0] = backend('ns_api_80', [server('db.example.net', 5432)]); }, {
    reasons: ['server ns_api_80/s1 has a DNS name (db.example.net) that only a reload resolves'],
  }],
];

describe('planUpdate', () => {
  test('an HTTPS redirect with a code already in use is a map value change', () => {
    const redirect = { code: 308 as const, port: 8443 };
    const before = base((m) => { m.routes[0].httpsRedirect = redirect; });
    const after = base((m) => { m.routes[0].httpsRedirect = redirect; m.routes[1].httpsRedirect = redirect; });
    const result = plan(before, after);
    assert.equal(result.reload, false);
    assert.deepEqual(result.reload ? [] : result.commands.map((c) => [c.kind, commandLine(c)]), [
      ['map', 'set map maps/exact.map a.example.com/api ns_api_80|308|:8443'],
      ['map', 'set map maps/prefix.map a.example.com/api/ ns_api_80|308|:8443'],
    ]);
  });

  for (const [name, patch, expected] of cases) {
    test(name, () => {
      const result = plan(base(), base(patch));
      if ('reasons' in expected) {
        assert.deepEqual(result, { reload: true, reasons: expected.reasons });
        return;
      }
      assert.equal(result.reload, false);
      if (result.reload) return;
      assert.deepEqual(result.commands.map(commandLine), expected.lines);
      if (expected.kinds) assert.deepEqual(result.commands.map((c) => c.kind), expected.kinds);
    });
  }

  test('a plan from a state to itself after runtime growth stays empty', () => {
    const grown = base((m) => web(m).servers.push(server('10.0.0.3', 80), server('10.0.0.4', 80), server('10.0.0.5', 80)));
    const prev: Applied = { model: base(), layout: planLayout(undefined, base()) };
    const next: Applied = { model: grown, layout: planLayout(prev.layout, grown) };
    assert.deepEqual(planUpdate(next, { model: grown, layout: planLayout(next.layout, grown) }), { reload: false, commands: [] });
  });
});
