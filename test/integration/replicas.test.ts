import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-api/index.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/net.js';
import { endpointSlice, ingress, ingressClass, namespace, service } from '../support/objects.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Replica {
  child: ChildProcess;
  address: string;
  stateDir: string;
  health: number;
}

/** The replica's `portcullis_leader` metric. */
async function leaderMetric(r: Replica): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${r.health}/metrics`)).text();
  return Number(/^portcullis_leader (\S+)$/m.exec(text)?.[1]);
}

/**
 * Two controller processes against one API: both serve traffic, exactly one (the Lease holder)
 * writes Ingress status, and when it is killed the other takes over within the lease duration.
 */
describe('two replicas with leader election', () => {
  let api: KubeApiServer;
  let dir: string;
  const replicas: Replica[] = [];

  const statusIp = () =>
    (api.get('networking.k8s.io/v1', 'Ingress', 'ha', 'web') as { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } })
      .status?.loadBalancer?.ingress?.map((i) => i.ip).join(',') ?? '';
  const holder = () => (api.get('coordination.k8s.io/v1', 'Lease', 'default', 'portcullis-leader') as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;

  before(async () => {
    api = await startKubeApiServer();
    dir = await mkdtemp(join(tmpdir(), 'replicas-'));
    await api.writeKubeConfig(join(dir, 'kubeconfig'));
    api.create(namespace('ha'));
    api.create(ingressClass());
    api.create(service('ha', 'web', [{ port: 80, targetPort: 8080 }]));
    api.create(endpointSlice('ha', 'web', [{ address: '127.0.55.1' }], [{ port: 8080 }]));
    api.create(ingress('ha', 'web', [{ host: 'ha.example.com', paths: [{ service: 'web', port: 80 }] }]));
    for (const address of ['192.0.2.1', '192.0.2.2']) {
      const stateDir = join(dir, address);
      const health = await freePort();
      const child = spawn(process.execPath, [
        join(dist, 'src', 'cli.js'), 'controller', '--kubeconfig', join(dir, 'kubeconfig'), '--state-dir', stateDir,
        '--bind-address', '127.0.0.1', '--http-port', String(await freePort()), '--https-port', String(await freePort()),
        '--health-port', String(health), '--health-address', '127.0.0.1', '--publish-address', address,
        '--leader-election-namespace', 'default', '--leader-election-lease-duration', '2',
        '--leader-election-renew-deadline', '1.5', '--leader-election-retry-period', '0.4', '--shutdown-grace', '1',
      ], { stdio: 'ignore' });
      replicas.push({ child, address, stateDir, health });
      await eventually(async () => (await fetch(`http://127.0.0.1:${health}/readyz`)).status === 200, { timeoutMs: 30_000, what: `replica ${address} ready` });
    }
  });

  after(async () => {
    for (const r of replicas) {
      if (r.child.exitCode === null && r.child.signalCode === null) {
        const exited = new Promise((done) => r.child.once('exit', done));
        r.child.kill('SIGTERM');
        await exited;
      }
    }
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets only the leader write status, and the other replica take over when the leader is killed', async () => {
    const first = await eventually(() => (statusIp() ? statusIp() : undefined), { what: 'a status from the leader' });
    const leader = replicas.find((r) => r.address === first)!;
    assert.ok(leader, `status names one replica (${first})`);
    assert.match(holder() ?? '', new RegExp(`_${leader.child.pid}$`), 'the Lease holder is the replica that wrote status');
    // Both replicas see every change; only the leader may write. Give the other one time to misbehave.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(statusIp(), first, 'the follower never overwrote the status');
    const other = replicas.find((r) => r !== leader)!;
    assert.deepEqual([await leaderMetric(leader), await leaderMetric(other)], [1, 0], 'portcullis_leader: 1 on the leader, 0 on the other');

    // A crash: no graceful release of the Lease. Its HAProxy would outlive it, so stop that too.
    leader.child.kill('SIGKILL');
    const pid = Number((await readFile(join(leader.stateDir, 'run', 'haproxy.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGTERM');
    const killedAt = Date.now();
    await eventually(() => statusIp() === other.address, { timeoutMs: 10_000, intervalMs: 50, what: 'the other replica to take over status' });
    const takeoverMs = Date.now() - killedAt;
    process.stdout.write(`# leader killed; the other replica wrote status after ${takeoverMs} ms (lease 2000 ms, retry 400 ms)\n`);
    assert.ok(takeoverMs < 2000 + 2 * 400 + 1000, `took over within the lease duration plus retries (${takeoverMs} ms)`);
    assert.match(holder() ?? '', new RegExp(`_${other.child.pid}$`));
    assert.equal(await leaderMetric(other), 1, 'the new leader says so');
  });
});
