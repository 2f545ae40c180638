import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { lockDemoAddresses } from '../support/demo-lock.js';
import { freePort } from '../support/net.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the demo', () => {
  it('serves examples/demo through a real HAProxy: redirect, HTTPS by SNI, wildcard host, 404', async (t) => {
    // Its backends listen on the addresses examples/demo lists; one process at a time.
    const release = await lockDemoAddresses();
    t.after(release);
    const [http, https, health] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, [join(root, 'demo', 'run.js'), '--smoke', '--http-port', String(http), '--https-port', String(https), '--health-port', String(health)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, output);
    assert.equal(output.match(/^ok /gm)?.length, 5, output);
    assert.match(output, new RegExp(`302 to https://demo\\.localhost:${https}/`));
  });
});
