import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { planLayout } from '../render/layout.js';
import { backend, certificate, deepFreeze, globalSettings, model, server } from '../../../test/support/haproxy/model.js';
import type { Applied } from '../types.js';
import { planUpdate } from './plan.js';
import { commandLine } from './commands.js';

const PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';

/** One backend with four servers (its slots are full), so one more server needs a new slot. */
function base(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    global: globalSettings(),
    backends: [backend('ns_web_80', [1, 2, 3, 4].map((i) => server(`10.0.0.${i}`, 8080)))],
    defaultCertificate: certificate('fallback', PEM, []),
  });
  patch(m);
  return deepFreeze(m);
}

const web = (m: Draft<Model>) => m.backends[0];
const grow = (m: Draft<Model>) => web(m).servers.push(server('10.0.0.5', 8080));

function plan(before: Model, after: Model) {
  const prev: Applied = { model: before, layout: planLayout(undefined, before) };
  return planUpdate(prev, { model: after, layout: planLayout(prev.layout, after) });
}

type Expect = { lines: string[] } | { reasons: string[] };

/** [name, settings both models share, change in the next model only, expected plan]. */
const cases: [string, (m: Draft<Model>) => void, (m: Draft<Model>) => void, Expect][] = [
  ['an object balance that did not change needs nothing', (m) => { web(m).balance = { urlParam: 'id' }; }, () => undefined, { lines: [] }],
  ['a changed balance reloads', () => undefined, (m) => { web(m).balance = { hdr: 'X-User' }; }, { reasons: ['backend ns_web_80 settings changed'] }],
  ['a changed policy reloads', (m) => { web(m).policy = { allow: ['10.0.0.0/8'] }; }, (m) => { web(m).policy = { allow: ['10.1.0.0/16'] }; }, {
    reasons: ['backend ns_web_80 settings changed'],
  }],
  ['new servers get the server options through add server, and their health checks started', (m) => { web(m).server = { check: true, maxconn: 5, proto: 'h2' }; }, grow, {
    lines: [
      'add server ns_web_80/s5 10.0.0.5:8080 check maxconn 5 proto h2',
      'enable health ns_web_80/s5',
      'set server ns_web_80/s5 state ready',
      'add server ns_web_80/s6 127.0.0.1:1 check maxconn 5 proto h2',
      'add server ns_web_80/s7 127.0.0.1:1 check maxconn 5 proto h2',
      'add server ns_web_80/s8 127.0.0.1:1 check maxconn 5 proto h2',
    ],
  }],
  ['a backend with TLS files reloads to grow', (m) => {
    web(m).server = { check: false, ssl: { ca: { id: 'ca_ns_ca', pem: PEM, source: { kind: 'Secret', namespace: 'ns', name: 'ca' } } } };
  }, grow, { reasons: ['backend ns_web_80 needs more server slots, and its TLS files are only read on a reload'] }],
  ['a new log format reloads', () => undefined, (m) => { m.global.logFormat = { format: '%ci %ST' }; }, { reasons: ['global setting logFormat changed'] }],
  ['new syslog servers reload', () => undefined, (m) => { m.global.syslogServers = [{ address: 'stderr', facility: 'local0' }]; }, { reasons: ['global setting syslogServers changed'] }],
  ['a changed global snippet reloads', () => undefined, (m) => { m.global.snippet = { lines: ['tune.bufsize 32768'], source: { kind: 'ConfigMap', namespace: 'ns', name: 'cm' } }; }, {
    reasons: ['global setting snippet changed'],
  }],
];

describe('planUpdate with annotation-driven settings', () => {
  for (const [name, shared, change, expected] of cases) {
    test(name, () => {
      const result = plan(base(shared), base((m) => { shared(m); change(m); }));
      if ('reasons' in expected) assert.deepEqual(result, { reload: true, reasons: expected.reasons });
      else assert.deepEqual(result.reload ? result : result.commands.map(commandLine), expected.lines);
    });
  }
});
