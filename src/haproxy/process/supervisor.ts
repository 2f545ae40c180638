/**
 * One HAProxy master process (`-W -db`, master CLI on `run/master.sock`): start, seamless reload,
 * graceful stop, and the restart policy. Readiness is checked, not assumed: a worker counts as up
 * once the master lists it and the admin socket answers from that very process. Once supervised,
 * an exit nobody asked for is reported (`exit`) and answered by a restart after a backoff
 * (`restarted`, or `restart-failed` and another try later).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff } from '../../backoff.js';
import { ControllerError } from '../../errors.js';
import { ADMIN_SOCKET, CONFIG_FILE, MASTER_SOCKET, PID_FILE } from '../render/config.js';
import { sendText } from '../runtime/client.js';
import { MessageReader } from './messages.js';

export interface ProcInfo {
  masterPid: number;
  reloads: number;
  failedReloads: number;
  /** Current workers, newest first. */
  workers: number[];
  /** Workers still finishing requests after a reload. */
  oldWorkers: number[];
}

/** Parses the master CLI `show proc` table (HAProxy 2.6 layout). */
export function parseShowProc(text: string): ProcInfo | undefined {
  let section = 'master';
  const info: ProcInfo = { masterPid: 0, reloads: 0, failedReloads: 0, workers: [], oldWorkers: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      if (!line.startsWith('#<')) section = line.includes('old') ? 'old' : line.includes('worker') ? 'workers' : 'other';
      continue;
    }
    const fields = line.trim().split(/\s+/);
    const pid = Number(fields[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (fields[1] === 'master') {
      info.masterPid = pid;
      info.reloads = Number(fields[2]);
      info.failedReloads = Number(/failed: (\d+)/.exec(line)?.[1] ?? 0);
    } else if (fields[1] === 'worker' && section === 'workers') info.workers.push(pid);
    else if (fields[1] === 'worker' && section === 'old') info.oldWorkers.push(pid);
  }
  return info.masterPid > 0 ? info : undefined;
}

const POLL_MS = 25;
/** How long a master left behind may finish its in-flight requests once ours serves. */
const RETIRE_GRACE_MS = 2000;
const QUERY_TIMEOUT_MS = 1000;
const OUTPUT_TAIL = 40;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** A process that ran this long before dying restarts with the shortest backoff again. */
const STABLE_MS = 10_000;

/** When to try a restart: backoff between attempts, reset by a process that stayed up long enough. */
export class RestartSchedule {
  private upSince = 0;

  constructor(
    private readonly backoff = new Backoff(BACKOFF_MIN_MS, BACKOFF_MAX_MS),
    readonly stableMs = STABLE_MS,
  ) {}

  /** HAProxy came up at `now`. */
  started(now: number): void {
    this.upSince = now;
  }

  /** The delay before restarting after an unexpected exit at `now`. */
  afterExit(now: number): number {
    if (now - this.upSince >= this.stableMs) this.backoff.reset();
    return this.backoff.next();
  }

  /** The delay before the next attempt after a restart that failed. */
  afterFailedRestart(): number {
    return this.backoff.next();
  }
}

/** What a restart needs from the owner of the files. */
export interface Relauncher {
  /** Runs `task` once no other change to HAProxy is under way. */
  exclusive(task: () => Promise<void>): Promise<void>;
  /** Starts HAProxy on the last good files (and sets what they cannot say); rejects when it did not come up. */
  relaunch(): Promise<void>;
}

export class Supervisor extends EventEmitter {
  readonly bin: string;
  readonly stateDir: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private expectExit = false;
  private readonly tail: string[] = [];
  private readonly schedule = new RestartSchedule();
  private relauncher: Relauncher | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(bin: string, stateDir: string, private readonly accessLogs: 'relay' | 'inherit' = 'relay') {
    super();
    this.bin = bin;
    this.stateDir = stateDir;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private path(rel: string): string {
    return join(this.stateDir, rel);
  }

  /** Master CLI `show proc`, or undefined while the master cannot answer (e.g. mid-reload). */
  async proc(): Promise<ProcInfo | undefined> {
    const text = await sendText(this.path(MASTER_SOCKET), 'show proc\n', QUERY_TIMEOUT_MS).catch(() => '');
    return parseShowProc(text);
  }

  /** Pid of the worker answering the admin socket. */
  async servingPid(): Promise<number | undefined> {
    const text = await sendText(this.path(ADMIN_SOCKET), 'show info\n', QUERY_TIMEOUT_MS).catch(() => '');
    const match = /^Pid: (\d+)$/m.exec(text);
    return match ? Number(match[1]) : undefined;
  }

  /**
   * A master left in the state folder by an earlier controller (one that was SIGKILLed runs no
   * code, so its HAProxy outlives it): the pid file names a live HAProxy process, and the master
   * socket answers as that very master with a serving worker.
   */
  async orphan(): Promise<ProcInfo | undefined> {
    const pid = Number((await readFile(this.path(PID_FILE), 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === this.child?.pid || !isHAProxy(pid, this.bin)) return undefined;
    const info = await this.proc();
    return info?.masterPid === pid ? info : undefined;
  }

  private spawnMaster(handover: boolean): ChildProcess {
    const args = ['-W', '-db', '-f', this.path(CONFIG_FILE), '-S', this.path(MASTER_SOCKET), '-p', this.path(PID_FILE)];
    // The listening sockets of the master being replaced pass to ours (expose-fd listeners on the
    // admin socket), so connections keep being accepted while one master hands over to the other.
    if (handover) args.push('-x', this.path(ADMIN_SOCKET));
    // Its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) must reach only
    // the controller, which then stops HAProxy gracefully, not HAProxy, which would quit at once.
    const child = spawn(this.bin, args, { cwd: this.stateDir, detached: true, stdio: ['ignore', this.accessLogs === 'inherit' ? 'inherit' : 'pipe', 'pipe'] });
    liveMasters.add(child);
    child.once('exit', () => liveMasters.delete(child));
    this.tail.length = 0;
    const reader = new MessageReader(this.accessLogs);
    const streams = [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const;
    for (const [stream, name] of streams) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > OUTPUT_TAIL) this.tail.shift();
        const message = reader.read(line, name);
        if (message) this.emit('log', message.text, name, message.level, message.pid);
      });
    }
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.tail.push(`${this.bin}: ${err.message}`);
        if (child.pid === undefined) this.onExit(child, null, null, resolve);
      });
      child.once('exit', (code, signal) => this.onExit(child, code, signal, resolve));
    });
    return child;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, done: () => void): void {
    if (this.child !== child) return done();
    this.child = undefined;
    done();
    // 'exit' reports only exits nobody asked for; start() reports its own failures.
    if (this.expectExit) return;
    this.emit('exit', code, signal);
    if (this.relauncher) this.restartLater(this.schedule.afterExit(Date.now()));
  }

  /** From now on, an unexpected exit is answered by `relauncher.relaunch()` after a backoff. */
  supervise(relauncher: Relauncher): void {
    this.relauncher = relauncher;
  }

  /** No more restarts (before a stop); a pending one is cancelled. */
  unsupervise(): void {
    this.relauncher = undefined;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  get supervised(): boolean {
    return this.relauncher !== undefined;
  }

  private restartLater(delay: number): void {
    const relauncher = this.relauncher!;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void relauncher.exclusive(() => this.restart(relauncher));
    }, delay);
  }

  private async restart(relauncher: Relauncher): Promise<void> {
    // Checked in turn, not when scheduled: a stop or a start may have come first.
    if (this.relauncher !== relauncher || this.child) return;
    try {
      await relauncher.relaunch();
    } catch (err) {
      this.emit('restart-failed', err);
      if (this.relauncher === relauncher) this.restartLater(this.schedule.afterFailedRestart());
      return;
    }
    this.emit('restarted');
  }

  /**
   * Starts HAProxy on the current `haproxy.cfg` and waits until a worker serves the admin socket.
   * A master left in the state folder hands its listeners over and is then stopped (`retire`), so
   * one master serves once this resolves; its output goes to a controller that is gone, which is
   * why it is replaced rather than adopted.
   */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.child) throw new Error('HAProxy is already running');
    this.expectExit = true;
    const orphan = await this.orphan();
    const child = this.spawnMaster(orphan !== undefined);
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    try {
      while (this.child === child && Date.now() < deadline) {
        const info = await this.proc();
        if (info && info.masterPid === child.pid && info.workers.length > 0 && (await this.servingPid()) === info.workers[0]) {
          if (orphan) await this.retire(orphan);
          this.schedule.started(Date.now());
          return;
        }
        await sleep(POLL_MS);
      }
      throw new ControllerError('PCL_ERR_HAPROXY_START', `HAProxy did not start: ${this.output() || 'no worker came up'}`);
    } catch (err) {
      await this.kill();
      throw err;
    } finally {
      this.expectExit = false;
    }
  }

  /**
   * Seamless reload (SIGUSR2 to the master; listeners pass to the new worker through the admin
   * socket's `expose-fd listeners`). Resolves once a new worker serves the admin socket.
   */
  async reload(timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    const before = await this.proc();
    if (!child || !before) throw new ControllerError('PCL_ERR_HAPROXY_RELOAD', 'HAProxy is not running');
    child.kill('SIGUSR2');
    const deadline = Date.now() + timeoutMs;
    while (this.child === child && Date.now() < deadline) {
      await sleep(POLL_MS);
      const info = await this.proc();
      if (!info) continue;
      if (info.failedReloads > before.failedReloads) {
        throw new ControllerError('PCL_ERR_HAPROXY_RELOAD', `HAProxy refused the new configuration: ${this.output()}`);
      }
      const fresh = info.workers.find((pid) => !before.workers.includes(pid));
      if (info.reloads > before.reloads && fresh !== undefined && (await this.servingPid()) === fresh) return;
    }
    throw new ControllerError('PCL_ERR_HAPROXY_RELOAD', `no new worker after reload: ${this.output() || 'HAProxy exited'}`);
  }

  /** Soft stop: workers finish in-flight requests for up to `graceMs`, then are killed. */
  async stop(graceMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectExit = true;
    const info = await this.proc();
    child.kill('SIGUSR1');
    if (!(await this.waitExit(graceMs))) await this.kill();
    // Workers notice a dead master by themselves; make sure none outlives us if it has not yet.
    for (const pid of [...(info?.workers ?? []), ...(info?.oldWorkers ?? [])]) killIfAlive(pid, this.bin);
    this.expectExit = false;
  }

  /**
   * Stops a master we did not start: a soft stop (its workers finish what is in flight, for at
   * most RETIRE_GRACE_MS), then SIGKILL for the master and its workers. Resolves once none is left.
   */
  private async retire(orphan: ProcInfo): Promise<void> {
    this.emit('log', `stopping the HAProxy master ${orphan.masterPid} left in the state folder`, 'stderr', 'warn');
    signal(orphan.masterPid, 'SIGUSR1');
    const deadline = Date.now() + RETIRE_GRACE_MS;
    const pids = [orphan.masterPid, ...orphan.workers, ...orphan.oldWorkers];
    while (Date.now() < deadline && pids.some((pid) => isHAProxy(pid, this.bin))) await sleep(POLL_MS);
    for (const pid of pids) killIfAlive(pid, this.bin);
    while (pids.some((pid) => isHAProxy(pid, this.bin))) await sleep(POLL_MS);
  }

  /** Hard stop: SIGTERM, then SIGKILL if the master lingers. */
  private async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    if (!(await this.waitExit(1000))) {
      child.kill('SIGKILL');
      await this.waitExit(5000);
    }
  }

  private async waitExit(ms: number): Promise<boolean> {
    const exited = this.exited;
    if (!this.child || !exited) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const result = await Promise.race([exited.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Recent HAProxy output, for error messages. */
  output(): string {
    return this.tail.filter((l) => !l.startsWith('[NOTICE]')).join('\n');
  }
}

/**
 * Masters still running. Being in their own process group, they no longer die with a terminal
 * session; so when this process exits without stop() (a fatal error, process.exit), each is sent
 * SIGTERM, which makes a master stop its workers and exit. A SIGKILLed controller runs no code,
 * and Node has no PR_SET_PDEATHSIG to make the kernel signal the children of a dead parent: its
 * HAProxy keeps serving, orphaned, until the next controller on the same state folder finds it
 * through run/haproxy.pid and replaces it (`start`). Without a restart on that folder, the
 * orphan is stopped by hand (`pkill -F STATE_DIR/run/haproxy.pid`) or with its container.
 */
const liveMasters = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveMasters) child.kill('SIGTERM');
});

/** Whether `pid` is a live HAProxy process (a pid can be reused once its process is gone; a zombie counts as gone). */
function isHAProxy(pid: number, bin: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return name === basename(bin).slice(0, 15) && state !== 'Z';
  } catch {
    return false; // Gone (the normal case), or no /proc to tell.
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Exited in between.
  }
}

/** SIGKILLs `pid` if it is still an HAProxy process. */
function killIfAlive(pid: number, bin: string): void {
  if (isHAProxy(pid, bin)) signal(pid, 'SIGKILL');
}
