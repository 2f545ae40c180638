/** planUpdate for listeners beyond the default pair: old model, new model, the commands or the reload reasons. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { planLayout } from '../render/layout.js';
import { backend, certificate, deepFreeze, listener, model, route, server } from '../../../test/support/haproxy/model.js';
import type { Applied } from '../types.js';
import { planUpdate } from './plan.js';
import { commandLine } from './commands.js';

const PEM = `-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`;
const PEM2 = PEM.replace(/AAAA/g, 'BBBB');

function base(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    backends: [backend('ns_a_80', [server('10.0.0.1', 80)]), backend('ns_b_80', [server('10.0.0.2', 80)])],
    routes: [
      route('a.test', '/', 'prefix', 'ns_a_80'),
      route('a.test', '/', 'prefix', 'ns_a_80', { listeners: ['one'] }),
      route('a.test', '/', 'prefix', 'ns_b_80', { listeners: ['two'] }),
    ],
    certificates: [certificate('c_a', PEM, ['a.test']), certificate('c_b', PEM, ['b.test'])],
    defaultCertificate: certificate('fallback', PEM, []),
  });
  m.listeners = [
    listener('one', '127.0.1.2', 80, 'http'),
    listener('two', '127.0.1.3', 80, 'http'),
    listener('tls', '127.0.1.2', 443, 'https', { certificates: ['c_a'], defaultCertificate: 'c_a' }),
  ];
  patch(m);
  return deepFreeze(m);
}

function plan(before: Model, after: Model) {
  const prev: Applied = { model: before, layout: planLayout(undefined, before) };
  return planUpdate(prev, { model: after, layout: planLayout(prev.layout, after) });
}

const one = (m: Draft<Model>) => m.routes.find((r) => r.listeners?.[0] === 'one')!;
const tls = (m: Draft<Model>) => m.listeners!.find((l) => l.name === 'tls')!;

const cases: [string, (m: Draft<Model>) => void, { lines: string[] } | { reasons: string[] }][] = [
  ['a route moved to another listener is map commands on the prefixed keys', (m) => { one(m).listeners = ['tls']; }, {
    lines: ['add map maps/exact.map tls#a.test/ ns_a_80', 'add map maps/prefix.map tls#a.test/ ns_a_80', 'del map maps/exact.map one#a.test/', 'del map maps/prefix.map one#a.test/'],
  }],
  ['a route added to a second listener adds its keys there only', (m) => { one(m).listeners = ['one', 'tls']; }, {
    lines: ['add map maps/exact.map tls#a.test/ ns_a_80', 'add map maps/prefix.map tls#a.test/ ns_a_80'],
  }],
  ['a listener route re-pointed is a set map', (m) => { one(m).backend = 'ns_b_80'; }, {
    lines: ['set map maps/exact.map one#a.test/ ns_b_80', 'set map maps/prefix.map one#a.test/ ns_b_80'],
  }],
  ['a route with an HTTPS redirect to the listener\'s port', (m) => { one(m).httpsRedirect = { code: 301, port: 8443 }; }, {
    reasons: ['HTTPS redirect codes in use changed to [301]'],
  }],
  ['a certificate joins an HTTPS listener: a line of its crt-list', (m) => { tls(m).certificates = ['c_a', 'c_b']; }, {
    lines: ['add ssl crt-list certs/tls.crt-list <<\ncerts/c_b.pem b.test\n'],
  }],
  ['a new certificate for a listener: created, in the default list, then in the listener\'s', (m) => {
    m.certificates.push(certificate('c_c', PEM2, ['c.test']));
    tls(m).certificates = ['c_a', 'c_c'];
  }, {
    lines: [
      'new ssl cert certs/c_c.pem', `set ssl cert certs/c_c.pem <<\n${PEM2.trimEnd()}\n`, 'commit ssl cert certs/c_c.pem',
      'add ssl crt-list certs/crt-list.txt <<\ncerts/c_c.pem c.test\n', 'add ssl crt-list certs/tls.crt-list <<\ncerts/c_c.pem c.test\n',
    ],
  }],
  ['a listener\'s default certificate rotated is one set ssl cert', (m) => { m.certificates[0].pem = PEM2; }, {
    lines: [`set ssl cert certs/c_a.pem <<\n${PEM2.trimEnd()}\n`, 'commit ssl cert certs/c_a.pem'],
  }],
  ['a listener added', (m) => m.listeners!.push(listener('three', '127.0.1.4', 80, 'http')), { reasons: ['listener three added'] }],
  ['a listener removed (with its routes)', (m) => {
    m.listeners = m.listeners!.filter((l) => l.name !== 'two');
    m.routes = m.routes.filter((r) => r.listeners?.[0] !== 'two');
  }, { reasons: ['listener two removed'] }],
  ['a listener on another address', (m) => { m.listeners![0].address = '127.0.1.9'; }, { reasons: ['listener one address changed'] }],
  ['a listener on another port', (m) => { m.listeners![0].port = 8080; }, { reasons: ['listener one port changed'] }],
  ['a listener now HTTPS', (m) => { m.listeners![0].protocol = 'https'; }, { reasons: ['listener one protocol changed'] }],
  ['a listener with another default certificate', (m) => { tls(m).defaultCertificate = 'c_b'; }, { reasons: ['listener tls default certificate changed'] }],
  ['the first listener added to a model', (m) => { m.listeners = [...m.listeners!, listener('four', '127.0.1.5', 80, 'http')]; }, { reasons: ['listener four added'] }],
  ['conditions on a listener route', (m) => { one(m).conditions = { method: 'GET' }; }, { reasons: ['route conditions changed'] }],
  ['a regex route on a listener', (m) => { m.routes.push(route('a.test', '/v[0-9]', 'regex', 'ns_a_80', { listeners: ['two'] })); }, {
    reasons: ['regular-expression routes changed'],
  }],
];

describe('planUpdate: listeners', () => {
  for (const [name, patch, expected] of cases) {
    test(name, () => {
      const result = plan(base(), base(patch));
      if ('lines' in expected) {
        assert.equal(result.reload, false, result.reload ? result.reasons.join('; ') : '');
        if (!result.reload) assert.deepEqual(result.commands.map(commandLine), expected.lines);
      } else {
        assert.equal(result.reload, true);
        if (result.reload) assert.deepEqual(result.reasons, expected.reasons);
      }
    });
  }

  test('a group moved to another listener moves its rules: a reload', () => {
    const cond = (name: string) => (m: Draft<Model>) => m.routes.push(route('a.test', '/', 'prefix', 'ns_b_80', { listeners: [name], conditions: { method: 'POST' } }));
    const result = plan(base(cond('one')), base(cond('two')));
    assert.deepEqual(result.reload && result.reasons, ['route conditions changed']);
  });

  const withB = (m: Draft<Model>) => { tls(m).certificates = ['c_a', 'c_b']; };
  test('a certificate with other hosts is replaced in each list naming it', () => {
    const result = plan(base(withB), base((m) => { withB(m); m.certificates[1].hosts = ['b.test', 'www.b.test']; }));
    assert.deepEqual(!result.reload && result.commands.map(commandLine), [
      'del ssl crt-list certs/crt-list.txt certs/c_b.pem', 'add ssl crt-list certs/crt-list.txt <<\ncerts/c_b.pem b.test www.b.test\n',
      'del ssl crt-list certs/tls.crt-list certs/c_b.pem', 'add ssl crt-list certs/tls.crt-list <<\ncerts/c_b.pem b.test www.b.test\n',
    ]);
  });

  test('a listener\'s certificate removed from the model leaves its list before it is deleted', () => {
    const result = plan(base(withB), base((m) => { m.certificates = m.certificates.filter((c) => c.id !== 'c_b'); }));
    assert.deepEqual(!result.reload && result.commands.map(commandLine), [
      'del ssl crt-list certs/tls.crt-list certs/c_b.pem', 'del ssl crt-list certs/crt-list.txt certs/c_b.pem', 'del ssl cert certs/c_b.pem',
    ]);
  });

  test('from no listeners to a model without them is nothing', () => {
    const plain = base((m) => { delete m.listeners; m.routes = m.routes.filter((r) => !r.listeners); });
    assert.deepEqual(plan(plain, deepFreeze({ ...plain, listeners: [] })), { reload: false, commands: [] });
  });
});
