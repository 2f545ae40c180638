/** planUpdate for route groups, regex routes and weight splits: old model, new model, the commands or the reload reasons. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { planLayout } from '../render/layout.js';
import { backend, certificate, deepFreeze, model, route, server } from '../../../test/support/haproxy/model.js';
import type { Applied } from '../types.js';
import { planUpdate } from './plan.js';
import { commandLine } from './commands.js';

const PEM = `-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`;

function base(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    backends: [
      backend('ns_split_80', [{ ...server('10.0.0.1', 80), weight: 70 }, { ...server('10.0.0.2', 80), weight: 30 }]),
      backend('ns_api_80', [server('10.0.1.1', 9000)]),
      backend('ns_web_80', [server('10.0.2.1', 8080)]),
    ],
    routes: [
      route('a.test', '/', 'prefix', 'ns_web_80'),
      route('a.test', '/', 'prefix', 'ns_api_80', { conditions: { headers: [{ name: 'version', match: 'exact', value: 'two' }] } }),
      route('a.test', '/v[0-9]+', 'regex', 'ns_split_80'),
      route('b.test', '/x', 'exact', 'ns_api_80', { conditions: { method: 'POST' } }),
    ],
    defaultCertificate: certificate('fallback', PEM, []),
  });
  patch(m);
  return deepFreeze(m);
}

function split(m: Draft<Model>) {
  return m.backends.find((b) => b.name === 'ns_split_80')!;
}

function plan(before: Model, after: Model) {
  const prev: Applied = { model: before, layout: planLayout(undefined, before) };
  return planUpdate(prev, { model: after, layout: planLayout(prev.layout, after) });
}

const REGEX_KEY = '^a\\.test(?=/)(?:/v[0-9]+)$';

const cases: [string, (m: Draft<Model>) => void, { lines: string[] } | { reasons: string[] }][] = [
  ['a candidate re-pointed changes its groups.map value', (m) => { m.routes[1].backend = 'ns_split_80'; }, {
    lines: ['set map maps/groups.map g1/1 ns_split_80'],
  }],
  ['the unconditional route re-pointed changes the group fallback', (m) => { m.routes[0].backend = 'ns_api_80'; }, {
    lines: ['set map maps/groups.map g1/else ns_api_80'],
  }],
  ['a group that gains an unconditional route gains a fallback entry', (m) => m.routes.push(route('b.test', '/x', 'exact', 'ns_web_80')), {
    lines: ['add map maps/groups.map g2/else ns_web_80'],
  }],
  ['a regex route re-pointed changes its regex.map value (backslashes escaped for the CLI)', (m) => { m.routes[2].backend = 'ns_web_80'; }, {
    lines: [`set map maps/regex.map ${REGEX_KEY.replace(/\\/g, '\\\\')} ns_web_80`],
  }],
  ['a weight changes at runtime', (m) => { split(m).servers[0].weight = 5; }, { lines: ['set server ns_split_80/s1 weight 5'] }],
  ['a weight of 0 takes the server out of the balancing', (m) => { split(m).servers[1].weight = 0; }, { lines: ['set server ns_split_80/s2 weight 0'] }],
  ['a server dropping its weight goes back to 1', (m) => { delete split(m).servers[1].weight; }, { lines: ['set server ns_split_80/s2 weight 1'] }],
  ['a new server of a weight split takes a free slot with its weight', (m) => split(m).servers.push({ ...server('10.0.0.3', 80), weight: 10 }), {
    lines: ['set server ns_split_80/s3 addr 10.0.0.3 port 80', 'set server ns_split_80/s3 weight 10', 'set server ns_split_80/s3 state ready'],
  }],
  ['a weight split growing past its slots adds servers with their weight', (m) => {
    split(m).servers.push(...[3, 4, 5].map((i) => ({ ...server(`10.0.0.${i}`, 80), weight: i })));
  }, {
    lines: [
      'set server ns_split_80/s3 addr 10.0.0.3 port 80', 'set server ns_split_80/s3 weight 3', 'set server ns_split_80/s3 state ready',
      'set server ns_split_80/s4 addr 10.0.0.4 port 80', 'set server ns_split_80/s4 weight 4', 'set server ns_split_80/s4 state ready',
      'add server ns_split_80/s5 10.0.0.5:80 weight 5', 'set server ns_split_80/s5 state ready',
      'add server ns_split_80/s6 127.0.0.1:1', 'add server ns_split_80/s7 127.0.0.1:1', 'add server ns_split_80/s8 127.0.0.1:1',
    ],
  }],
  ['an unweighted backend gets no weight commands', (m) => m.backends[0].servers.push(server('10.0.1.2', 9000)), {
    lines: ['set server ns_api_80/s2 addr 10.0.1.2 port 9000', 'set server ns_api_80/s2 state ready'],
  }],
  ['a new condition is a reload', (m) => { m.routes[1].conditions = { headers: [{ name: 'version', match: 'regex', value: '^two$' }] }; }, {
    reasons: ['route conditions changed'],
  }],
  ['a new route group is a reload', (m) => m.routes.push(route('c.test', '/', 'prefix', 'ns_api_80', { conditions: { query: [{ name: 'q', match: 'exact', value: '1' }] } })), {
    reasons: ['route conditions changed'],
  }],
  ['a new regex route is a reload (map_reg keeps file order)', (m) => m.routes.push(route('a.test', '/w.*', 'regex', 'ns_api_80')), {
    reasons: ['regular-expression routes changed'],
  }],
];

describe('planUpdate for route groups, regex routes and weights', () => {
  for (const [name, patch, expected] of cases) {
    test(name, () => {
      const result = plan(base(), base(patch));
      if ('reasons' in expected) {
        assert.deepEqual(result, { reload: true, reasons: expected.reasons });
        return;
      }
      assert.equal(result.reload, false, JSON.stringify(result));
      if (!result.reload) assert.deepEqual(result.commands.map(commandLine), expected.lines);
    });
  }

  test('the first group or regex route in a plain model is a reload', () => {
    const plain = base((m) => { m.routes = [m.routes[0]]; });
    assert.deepEqual(plan(plain, base((m) => { m.routes = [m.routes[0], m.routes[1]]; })), { reload: true, reasons: ['route conditions changed'] });
    assert.deepEqual(plan(plain, base((m) => { m.routes = [m.routes[0], m.routes[2]]; })), { reload: true, reasons: ['regular-expression routes changed'] });
  });
});
