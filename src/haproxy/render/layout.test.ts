import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backend, certificate, model, server } from '../../../test/support/haproxy/model.js';
import { planLayout, slotCapacity } from './layout.js';

const cert = certificate('fallback', 'unused by the layout', []);

function withServers(...addresses: string[]) {
  return model({ backends: [backend('ns_svc_80', addresses.map((a) => server(a, 80)))], defaultCertificate: cert });
}

describe('planLayout', () => {
  test('a new backend gets a power-of-two number of slots, at least four', () => {
    assert.deepEqual(planLayout(undefined, withServers()).backends, { ns_svc_80: [null, null, null, null] });
    assert.equal(planLayout(undefined, withServers('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5')).backends.ns_svc_80.length, 8);
    assert.deepEqual([1, 4, 5, 8, 9, 33].map(slotCapacity), [4, 4, 8, 8, 16, 64]);
  });

  test('servers keep their slots when another server goes away, and the freed slot is reused first', () => {
    const first = planLayout(undefined, withServers('10.0.0.1', '10.0.0.2', '10.0.0.3'));
    assert.deepEqual(first.backends.ns_svc_80, ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', null]);
    const removed = planLayout(first, withServers('10.0.0.1', '10.0.0.3'));
    assert.deepEqual(removed.backends.ns_svc_80, ['10.0.0.1:80', null, '10.0.0.3:80', null]);
    const added = planLayout(removed, withServers('10.0.0.1', '10.0.0.3', '10.0.0.9'));
    assert.deepEqual(added.backends.ns_svc_80, ['10.0.0.1:80', '10.0.0.9:80', '10.0.0.3:80', null]);
  });

  test('running out of slots grows the backend to the next power of two, keeping existing slots', () => {
    const full = planLayout(undefined, withServers('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'));
    const grown = planLayout(full, withServers('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'));
    assert.deepEqual(grown.backends.ns_svc_80, ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80', '10.0.0.5:80', null, null, null]);
  });

  test('a backend never shrinks, so going back down costs no reload', () => {
    const big = planLayout(undefined, withServers('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'));
    const small = planLayout(big, withServers('10.0.0.5'));
    assert.deepEqual(small.backends.ns_svc_80, [null, null, null, null, '10.0.0.5:80', null, null, null]);
  });

  test('the same address and port listed twice takes one slot', () => {
    assert.deepEqual(planLayout(undefined, withServers('10.0.0.1', '10.0.0.1')).backends.ns_svc_80, ['10.0.0.1:80', null, null, null]);
  });

  test('the same port on a different address, or a different port, is a different server', () => {
    const m = model({ backends: [backend('b_s_1', [server('10.0.0.1', 80), server('10.0.0.1', 81)])], defaultCertificate: cert });
    assert.deepEqual(planLayout(undefined, m).backends.b_s_1, ['10.0.0.1:80', '10.0.0.1:81', null, null]);
  });

  test('backends that left the model leave the layout', () => {
    const first = planLayout(undefined, withServers('10.0.0.1'));
    const other = model({ backends: [backend('other_svc_80', [])], defaultCertificate: cert });
    assert.deepEqual(Object.keys(planLayout(first, other).backends), ['other_svc_80']);
  });
});
