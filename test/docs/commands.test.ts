/**
 * Every command shown in README.md and examples/<name>/README.md, run as a reader would run it, so
 * that a doc that no longer matches the program fails. Commands come from the ```sh blocks, so a
 * command added to a doc is covered (or, unknown, fails) without touching this file.
 *
 * How a line is run, and what is substituted (each substitution is printed as a diagnostic):
 * - `npx portcullis ...` runs bin/portcullis.js; `node ...` runs as is; `npm run demo -- ...` runs
 *   the demo script's program (dist/demo/run.js) without the script's install step.
 * - `controller` and the demo keep running: they get free loopback ports in place of the ones the
 *   doc shows (80/443/10254, 8080/8443/10254), a temporary --state-dir, and must become ready
 *   (/readyz); the next long-running command or the end of the doc stops them (SIGTERM, exit 0).
 * - `DIR` is examples/demo, `OUT` and `/tmp/...` are folders under a temporary folder, and
 *   `[--out OUT]` runs both without and with the option.
 * - `curl` lines are requests to what runs, on the substituted ports; the comment on the line
 *   states the answer (`# 302 to https://...`, `# 200 from Service web`), retried for a while since
 *   a copied manifest applies a moment later. Other commands must exit 0.
 * - Lines that need a cluster are in NOT_RUNNABLE, with the reason; any other line fails.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it, type TestContext } from 'node:test';
import { FLAGS } from '../../src/app/options.js';
import { DEMO_PORTS } from '../../demo/options.js';
import { lockDemoAddresses } from '../support/demo-lock.js';
import { freePort } from '../support/net.js';
import { findBinary } from '../../src/app/find-binary.js';
import { mismatches, parseCurl, sendCurl } from './curl.js';
import { parseExpectation, shCommands, type DocCommand } from './markdown.js';

const run = promisify(execFile);
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = join(dist, '..');

const DOCS = [
  'README.md',
  ...readdirSync(join(root, 'examples')).sort().filter((d) => existsSync(join(root, 'examples', d, 'README.md'))).map((d) => `examples/${d}/README.md`),
];

const CLUSTER = 'needs a Kubernetes cluster (kubectl talks to its API server)';
/** Commands that cannot run here, by their text (words joined by one space, comment left out). */
export const NOT_RUNNABLE: Record<string, string> = {
  'npm test': 'the whole suite, which this test is part of',
  'npx portcullis controller --kubeconfig ~/.kube/config': 'needs a cluster and its kubeconfig',
  'npx portcullis controller': 'in a pod: needs the service account a cluster mounts',
  'kubectl apply -f app/ -f cluster/deployment-v1.yaml': CLUSTER,
  'kubectl apply -f cluster/deployment-v2.yaml': CLUSTER,
  'kubectl rollout status deployment/versions': CLUSTER,
  'kubectl rollout undo deployment/versions': CLUSTER,
  'kubectl apply -f app/ -f cluster/deployments.yaml': CLUSTER,
  'curl -H Host: bluegreen.localhost http://<address>/': 'the address of the cluster\'s controller',
  'curl -H Host: bluegreen.localhost http://<address>/test/': 'the address of the cluster\'s controller',
  'kubectl patch service app -p {"spec":{"selector":{"app":"bluegreen","color":"green"}}}': CLUSTER,
  'kubectl patch service app -p {"spec":{"selector":{"app":"bluegreen","color":"blue"}}}': CLUSTER,
};

const PORT_FLAGS = ['http-port', 'https-port', 'health-port'] as const;

/** One doc's run: its temporary folder, the port substitutions and the command left running. */
class DocRun {
  readonly ports = new Map<number, number>();
  private running: { child: ChildProcess; output: string[]; text: string } | undefined;
  constructor(readonly tmp: string) {}

  mapPort = (port: number): number => {
    const real = this.ports.get(port);
    if (real === undefined) throw new Error(`nothing the doc started listens on port ${port}`);
    return real;
  };

  mapUrl = (url: string): string => {
    const u = new URL(url);
    if (u.port) u.port = String(this.mapPort(Number(u.port)));
    return u.href;
  };

  /** DIR, OUT and /tmp/... as this run has them. */
  word(w: string): string {
    if (w === 'DIR') return join(root, 'examples', 'demo');
    if (w === 'OUT') return join(this.tmp, 'out');
    if (w.startsWith('/tmp/')) return join(this.tmp, w.slice('/tmp/'.length));
    return w;
  }

  async start(t: TestContext, args: string[], kind: 'controller' | 'demo'): Promise<void> {
    await this.stop();
    const defaults = kind === 'demo' ? DEMO_PORTS : { 'http-port': FLAGS['http-port'].default, 'https-port': FLAGS['https-port'].default, 'health-port': FLAGS['health-port'].default };
    const substituted: string[] = [];
    for (const flag of PORT_FLAGS) {
      const at = args.indexOf(`--${flag}`);
      const docPort = Number(at === -1 ? defaults[flag] : args[at + 1]);
      const real = await freePort();
      this.ports.set(docPort, real);
      if (at === -1) args.push(`--${flag}`, String(real));
      else args[at + 1] = String(real);
      substituted.push(`${docPort} -> ${real}`);
    }
    if (kind === 'controller') {
      for (const [flag, value] of [['state-dir', join(this.tmp, 'state')], ['bind-address', '127.0.0.1'], ['health-address', '127.0.0.1']]) {
        if (!args.includes(`--${flag}`)) args.push(`--${flag}`, value);
      }
    }
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    this.running = { child, output, text: args.join(' ') };
    t.diagnostic(`started: node ${args.map((a) => a.replace(root + '/', '')).join(' ')} (ports substituted: ${substituted.join(', ')})`);
    const health = this.ports.get(Number(defaults['health-port']))!;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) assert.fail(`exited with code ${child.exitCode} before it was ready:\n${output.join('')}`);
      const ready = await fetch(`http://127.0.0.1:${health}/readyz`).then((r) => r.status === 200, () => false);
      if (ready) return;
      if (Date.now() > deadline) assert.fail(`not ready within 60 s:\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGTERM to what runs; a clean stop is part of what the doc promises. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running || running.child.exitCode !== null) return;
    const code = new Promise<number | null>((r) => running.child.once('exit', (c) => r(c)));
    running.child.kill('SIGTERM');
    assert.equal(await code, 0, `${running.text} did not stop cleanly:\n${running.output.join('')}`);
  }
}

/** `[--out OUT]` and the like: the command without, then with, the optional part. */
function variants(words: string[]): string[][] {
  const open = words.findIndex((w) => w.startsWith('['));
  if (open === -1) return [words];
  const close = words.findIndex((w, i) => i >= open && w.endsWith(']'));
  const optional = words.slice(open, close + 1).join(' ').slice(1, -1).split(' ');
  return [...variants([...words.slice(0, open), ...words.slice(close + 1)]), ...variants([...words.slice(0, open), ...optional, ...words.slice(close + 1)])];
}

async function runCommand(t: TestContext, doc: DocRun, cmd: DocCommand): Promise<void> {
  const [words, ...piped] = cmd.stages;
  if (words[0] === 'curl') {
    const grep = piped[0];
    if (piped.length > 1 || (grep && (grep[0] !== 'grep' || grep.length !== 2))) assert.fail(`only "| grep WORD" may follow curl: ${cmd.text}`);
    const expected = parseExpectation(cmd.comment);
    const request = parseCurl(words, doc.mapPort);
    const viaCurl = findBinary('curl') !== 'curl';
    t.diagnostic(`request ${request.url.href} with ${viaCurl ? 'curl' : "Node's http (no curl here)"}`);
    const deadline = Date.now() + 20_000;
    let problems: string[] = [];
    do {
      problems = await sendCurl(request, viaCurl).then((res) => mismatches(res, expected, grep?.[1], doc.mapUrl), (err: Error) => [err.message]);
      if (problems.length === 0) return;
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() < deadline);
    assert.fail(problems.join('; '));
  }
  if (piped.length > 0) assert.fail(`a pipe the docs test does not know: ${cmd.text}`);
  for (const variant of variants(words).map((v) => v.map((w) => doc.word(w)))) {
    let args: string[];
    if (variant[0] === 'npx' && variant[1] === 'portcullis') args = [join(root, 'bin', 'portcullis.js'), ...variant.slice(2)];
    else if (variant[0] === 'node') args = variant.slice(1);
    else if (variant[0] === 'npm' && variant[1] === 'run' && variant[2] === 'demo') {
      await doc.start(t, [join(dist, 'demo', 'run.js'), ...variant.slice(variant[3] === '--' ? 4 : 3)], 'demo');
      continue;
    } else if (variant[0] === 'cp') {
      await run('cp', variant.slice(1), { cwd: root });
      continue;
    } else assert.fail(`no rule runs "${cmd.text}": teach test/docs/commands.test.ts to run it or list it in NOT_RUNNABLE with a reason`);
    if (args[1] === 'controller') {
      await doc.start(t, args, 'controller');
      continue;
    }
    t.diagnostic(`ran: node ${args.map((a) => a.replace(root + '/', '')).join(' ')}`);
    await run(process.execPath, args, { cwd: root, timeout: 120_000 }).catch((err: Error & { stderr?: string }) => assert.fail(`${cmd.text}: ${err.message}\n${err.stderr ?? ''}`));
  }
}

describe('every command in the docs', () => {
  let release: (() => Promise<void>) | undefined;
  before(async () => {
    release = await lockDemoAddresses();
  });
  after(async () => release?.());

  // Like the other HAProxy tests: skipped without HAProxy, unless the run requires it (npm test does).
  const noHaproxy = findBinary(process.env.HAPROXY_BIN ?? 'haproxy').includes('/') || process.env.HAPROXY_REQUIRED ? false : 'haproxy is not installed';
  for (const file of DOCS) {
    it(`${file}: its commands do what the doc says`, { skip: noHaproxy }, async (t) => {
      const commands = shCommands(readFileSync(join(root, file), 'utf8'));
      assert.ok(commands.length > 0, `${file} shows no command in a sh block`);
      const doc = new DocRun(await mkdtemp(join(tmpdir(), 'portcullis-docs-')));
      try {
        for (const cmd of commands) {
          const reason = NOT_RUNNABLE[cmd.text];
          if (reason !== undefined) {
            await t.test(`${file}:${cmd.line} ${cmd.text}`, { skip: `not runnable here: ${reason}` }, () => {});
            continue;
          }
          await t.test(`${file}:${cmd.line} ${cmd.text}`, async (st) => {
            if (cmd.complex) assert.fail(`shell syntax the docs test does not run: ${cmd.text}`);
            await runCommand(st, doc, cmd);
          });
        }
      } finally {
        await doc.stop().finally(() => rm(doc.tmp, { recursive: true, force: true }));
      }
    });
  }

  it('lists as not runnable only commands the docs still show', () => {
    const shown = new Set(DOCS.flatMap((f) => shCommands(readFileSync(join(root, f), 'utf8')).map((c) => c.text)));
    assert.deepEqual(Object.keys(NOT_RUNNABLE).filter((c) => !shown.has(c)), []);
  });
});
