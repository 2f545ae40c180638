/** The compiled `portcullis` command as a child process, as a user or a container runtime runs it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';
import { freePort } from './net.js';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `portcullis ARGS` to its end; killed (and reported with its signal) after `timeoutMs`. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 20_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface ControllerProcess {
  child: ChildProcess;
  http: number;
  health: number;
  output(): string;
  /** Exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM and wait, unless it has already exited; for `finally` blocks. */
  stop(): Promise<void>;
}

/**
 * `portcullis controller ARGS` on free loopback ports, once ready. `detached` makes it the leader
 * of its own process group, as a shell makes a foreground job, so a test can signal the group.
 */
export async function startControllerProcess(args: string[], options: { env?: NodeJS.ProcessEnv; detached?: boolean } = {}): Promise<ControllerProcess> {
  const [http, https, health] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [
    CLI, 'controller', '--http-port', String(http), '--https-port', String(https), '--bind-address', '127.0.0.1',
    '--health-port', String(health), '--health-address', '127.0.0.1', ...args,
  ], { env: options.env ?? process.env, detached: options.detached ?? false, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await eventually(async () => child.exitCode === null && (await fetch(`http://127.0.0.1:${health}/readyz`)).status === 200, { timeoutMs: 30_000, what: 'controller ready' });
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  return { child, http, health, output: () => output, exited, stop };
}
