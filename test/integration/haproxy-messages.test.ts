/**
 * HAProxy's own messages through the controller, with the real HAProxy: each at its own level and
 * once, whether access logs are relayed or go straight to stdout.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControllerProcess } from '../support/cli-process.js';
import { eventually } from '../support/eventually.js';
import { endpointSlice, ingress, ingressClass, service } from '../support/objects.js';

const yaml = (...objects: object[]) => objects.map((o) => JSON.stringify(o)).join('\n---\n');
const web = (addresses: string[]) => [
  service('msg', 'web'),
  endpointSlice('msg', 'web', addresses.map((address) => ({ address })), [{ port: 8080 }]),
  ingress('msg', 'web', [{ host: 'web.example.com', paths: [{ service: 'web', port: 80 }] }]),
];
// A configuration HAProxy accepts with a real warning, so that a genuine warning is seen to keep its level.
const warned = [
  service('msg', 'other'),
  endpointSlice('msg', 'other', [{ address: '127.0.53.3' }], [{ port: 8080 }]),
  ingress('msg', 'other', [{ host: 'other.example.com', paths: [{ service: 'other', port: 80 }] }], { annotations: { 'haproxy.org/backend-config-snippet': 'monitor-uri /x' } }),
];

interface Entry { level: string; msg: string; source?: string; action?: string }

describe('HAProxy messages in the controller log', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-messages-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const mode of ['relay', 'inherit'] as const) {
    it(`access logs ${mode === 'relay' ? 'relayed' : 'straight to stdout'}: a server change once, a reload without warnings for routine stops`, async () => {
      const manifests = join(dir, mode);
      await rm(manifests, { recursive: true, force: true });
      await mkdir(manifests);
      await writeFile(join(manifests, 'web.yaml'), yaml(ingressClass(), ...web(['127.0.53.1', '127.0.53.2'])));
      const c = await startControllerProcess([
        '--manifests', manifests, '--state-dir', join(dir, `state-${mode}`), '--log-format', 'json', '--log-level', 'debug',
        '--allow-config-snippets', ...(mode === 'relay' ? ['--access-log-relay'] : []),
      ]);
      const lines = () => c.output().split('\n').filter((l) => l !== '');
      const entries = () => lines().flatMap((l): Entry[] => (l.startsWith('{') ? [JSON.parse(l) as Entry] : []));
      try {
        // An endpoint leaves: a Runtime API change, which HAProxy reports.
        await writeFile(join(manifests, 'web.yaml'), yaml(ingressClass(), ...web(['127.0.53.1'])));
        await eventually(() => entries().some((e) => e.action === 'runtime'), { what: 'the runtime change' });
        // A new backend: a reload, whose old worker stops every proxy.
        await writeFile(join(manifests, 'other.yaml'), yaml(...warned));
        await eventually(() => entries().some((e) => e.action === 'reload'), { what: `the reload; output: ${c.output()}` });
        c.child.kill('SIGTERM');
        assert.equal(await c.exited, 0, c.output());
      } finally {
        await c.stop();
      }

      const down = lines().filter((l) => /Server \S+\/\S+ is going DOWN for maintenance/.test(l));
      assert.equal(down.length, 1, `the server change appears once:\n${down.join('\n')}`);
      const haproxy = entries().filter((e) => e.source === 'haproxy');
      assert.ok(haproxy.every((e) => !/^\[(NOTICE|WARNING|ALERT)\]/.test(e.msg)), 'the prefix became the level');
      const warnings = haproxy.filter((e) => e.level === 'warn' || e.level === 'error').map((e) => e.msg);
      assert.ok(warnings.length > 0 && warnings.every((m) => m.includes('monitor-uri')), `only the real warning is one:\n${warnings.join('\n')}`);
      const stops = haproxy.filter((e) => /^Proxy \S+ stopped/.test(e.msg));
      if (mode === 'relay') {
        assert.ok(stops.length > 0 && stops.every((e) => e.level === 'debug'), `routine stops at debug: ${JSON.stringify(stops)}`);
        assert.equal(down.length === 1 && down[0].startsWith('{') && (JSON.parse(down[0]) as Entry).level, 'info', 'a change the controller made is info');
      } else {
        // Printed once, by HAProxy itself, on the stdout it shares with the controller.
        assert.deepEqual(stops, []);
        assert.ok(lines().some((l) => /^Proxy \S+ stopped/.test(l)));
      }
    });
  }
});
