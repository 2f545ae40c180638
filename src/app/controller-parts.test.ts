/** The exclusions ledger and the status writer, each on its own. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptySnapshot, type Ingress, type LoadBalancerIngress, type ObjectRef, type Snapshot } from '../store/types.js';
import { ExclusionLedger } from './exclusions.js';
import { createLogger } from './logger.js';
import type { Clock } from './scheduler.js';
import { StatusWriter } from './status-writer.js';

const meta = (name: string, resourceVersion = '1') => ({ namespace: 'n', name, uid: '', resourceVersion, generation: 0, creationTimestamp: '', labels: {}, annotations: {} });
const ingress = (name: string, ips: string[] = [], resourceVersion = '1'): Ingress => ({
  kind: 'Ingress', metadata: meta(name, resourceVersion), spec: { tls: [], rules: [] }, status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});

describe('ExclusionLedger', () => {
  test('an object is excluded once, with the version that was rejected', () => {
    const ledger = new ExclusionLedger();
    assert.equal(ledger.exclude(ingress('bad')), true);
    assert.equal(ledger.exclude(ingress('bad')), false, 'the same rejection again is not new');
    assert.deepEqual([...ledger.keys()], ['Ingress/n/bad']);
  });

  test('an exclusion is forgotten when its object changes or disappears, kept otherwise', () => {
    const ledger = new ExclusionLedger();
    ledger.exclude(ingress('changed'));
    ledger.exclude(ingress('gone'));
    ledger.exclude(ingress('same'));
    const versions: Record<string, string> = { 'n/changed': '2', 'n/same': '1' };
    assert.equal(ledger.forgetStale((_kind, key) => versions[key]), true);
    assert.deepEqual([...ledger.keys()], ['Ingress/n/same']);
    assert.equal(ledger.forgetStale((_kind, key) => versions[key]), false);
  });
});

/** A clock whose timers run only when `fire()` is called. */
function manualClock() {
  const timers = new Map<number, () => void>();
  let next = 1;
  const clock: Clock = {
    now: () => 0,
    setTimeout: (fn) => { timers.set(next, fn); return next++; },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const fire = async () => {
    const due = [...timers.values()];
    timers.clear();
    for (const fn of due) fn();
    await new Promise((r) => setImmediate(r));
  };
  return { clock, fire, pending: () => timers.size };
}

function writerSetup(failFirst: number, isLeader?: () => boolean) {
  const ingresses = new Map([['n/a', ingress('a')], ['n/b', ingress('b', ['9.9.9.9'])]]);
  const snapshot = (): Snapshot => ({ ...emptySnapshot(), ingresses });
  const writes: string[] = [];
  const warnings: string[] = [];
  let failures = failFirst;
  const write = async (ref: ObjectRef, lb: LoadBalancerIngress[]) => {
    if (failures-- > 0) throw new Error('API unavailable');
    writes.push(`${ref.name}=${lb.map((x) => x.ip).join(',')}`);
    ingresses.set(`n/${ref.name}`, ingress(ref.name, lb.map((x) => x.ip!)));
  };
  const logger = createLogger({ level: 'warn', format: 'text', write: (line) => warnings.push(line) });
  const { clock, fire, pending } = manualClock();
  const writer = new StatusWriter({ write, snapshot, publish: { kind: 'address', value: '1.2.3.4' }, logger, clock, retryMs: 2000, isLeader });
  return { writer, writes, warnings, fire, pending };
}

describe('StatusWriter', () => {
  test('writes our address to the Ingresses we serve, once', async () => {
    const s = writerSetup(0);
    await s.writer.update([{ kind: 'Ingress', namespace: 'n', name: 'a' }]);
    await s.writer.update([{ kind: 'Ingress', namespace: 'n', name: 'a' }]);
    assert.deepEqual(s.writes, ['a=1.2.3.4'], 'b holds an address that is not ours, so it is left alone');
    assert.equal(s.pending(), 0);
  });

  test('a failed write is retried by the writer itself, planned again from the store as it is then', async () => {
    const s = writerSetup(1);
    await s.writer.update([{ kind: 'Ingress', namespace: 'n', name: 'a' }, { kind: 'Ingress', namespace: 'n', name: 'b' }]);
    assert.equal(s.writes.length, 1, 'one of the two writes failed');
    assert.match(s.warnings.join('\n'), /PCL_ERR_STATUS_UPDATE/);
    assert.equal(s.pending(), 1, 'one retry is scheduled');
    await s.fire();
    assert.deepEqual(s.writes.sort(), ['a=1.2.3.4', 'b=1.2.3.4']);
    assert.equal(s.pending(), 0);
  });

  test('a writer that is not the leader writes nothing', async () => {
    const s = writerSetup(0, () => false);
    await s.writer.update([{ kind: 'Ingress', namespace: 'n', name: 'a' }]);
    assert.deepEqual(s.writes, []);
  });

  test('after stop() no retry runs', async () => {
    const s = writerSetup(5);
    await s.writer.update([{ kind: 'Ingress', namespace: 'n', name: 'a' }]);
    s.writer.stop();
    assert.equal(s.pending(), 0);
  });
});
