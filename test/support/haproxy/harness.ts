/** A driver on a temporary state directory with free loopback ports, for integration tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAProxyDriver } from '../../../src/haproxy/process/driver.js';
import type { ApplyResult } from '../../../src/haproxy/types.js';
import type { Model } from '../../../src/model/types.js';
import { deepFreeze } from './model.js';
import { parseShowProc, type ProcInfo } from '../../../src/haproxy/process/supervisor.js';
import { sendText } from '../../../src/haproxy/runtime/client.js';
import { freePort } from '../net.js';

export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';

export interface Harness {
  driver: HAProxyDriver;
  stateDir: string;
  httpPort: number;
  httpsPort: number;
  /** HAProxy output lines seen so far. */
  logs: string[];
  /** Master CLI `show proc`. */
  proc(): Promise<ProcInfo>;
  /** Stops HAProxy and removes the state directory. */
  close(): Promise<void>;
}

/** The driver, handed only frozen models: a step that changed a model in place would throw. */
class FrozenModelDriver extends HAProxyDriver {
  override start(model: Model): Promise<ApplyResult> {
    return super.start(deepFreeze(model));
  }

  override apply(model: Model): Promise<ApplyResult> {
    return super.apply(deepFreeze(model));
  }
}

export async function createHarness(options: { hardStopAfterMs?: number } = {}): Promise<Harness> {
  const stateDir = await mkdtemp(join(tmpdir(), 'pcl-'));
  const driver = new FrozenModelDriver({ bin: HAPROXY_BIN, stateDir, ...options });
  const logs: string[] = [];
  driver.on('log', (line: string) => logs.push(line));
  const httpPort = await freePort();
  let httpsPort = await freePort();
  while (httpsPort === httpPort) httpsPort = await freePort();
  return {
    driver, stateDir, httpPort, httpsPort, logs,
    async proc() {
      const info = parseShowProc(await sendText(join(stateDir, 'run/master.sock'), 'show proc\n', 2000));
      if (!info) throw new Error('master CLI gave no process list');
      return info;
    },
    async close() {
      await driver.stop(1000);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
