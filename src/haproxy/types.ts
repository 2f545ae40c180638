/**
 * Contract types of the haproxy layer: what `render`, `planUpdate` and the driver exchange.
 * Nothing here knows Kubernetes; sources are the model's `SourceRef`s.
 */
import type { ErrorCode } from '../errors.js';
import type { Model, SourceRef } from '../model/types.js';

/**
 * Which server slot of each backend holds which server. Slot `i` is the HAProxy server `s<i+1>`;
 * its entry is the `serverKey` of the server it holds, or `null` when the slot is free (rendered
 * `disabled`). Keeping servers in their slots is what turns endpoint changes into Runtime API
 * commands instead of reloads.
 */
export interface Layout {
  readonly backends: Readonly<Record<string, readonly (string | null)[]>>;
}

/** A file the configuration references; `path` is relative to the state directory. */
export interface RenderedFile {
  path: string;
  content: string;
  /** Certificates are 0o600. */
  mode: number;
}

export interface Rendered {
  /** `haproxy.cfg` text. */
  config: string;
  files: RenderedFile[];
  /** `lineSources[i]` is the source of the model item that produced config line `i + 1`. */
  lineSources: (SourceRef | undefined)[];
}

/** What HAProxy is running: the model and the slot layout it was rendered with. */
export interface Applied {
  model: Model;
  layout: Layout;
}

export type RuntimeCommandKind = 'server' | 'map' | 'certificate';

/** One Runtime API command, built by `runtime/commands.ts` only. */
export interface RuntimeCommand {
  /** What it changes (counted in the metrics), or `query` for a command that only reads. */
  readonly kind: RuntimeCommandKind | 'query';
  /** The words of the command line, each already safe for the CLI (`cliWord`). */
  readonly words: readonly string[];
  /** Data sent after `<<` (a certificate, a crt-list line); the client ends it with an empty line. */
  readonly payload?: string;
  /** HAProxy's answer (trimmed) when the command worked; any other answer is a failure. */
  readonly success: RegExp;
}

export type UpdatePlan = { reload: false; commands: RuntimeCommand[] } | { reload: true; reasons: string[] };

export interface ApplyError {
  code: ErrorCode;
  message: string;
  /** `haproxy -c` output (never contains certificate data). */
  output?: string;
  /** The object whose configuration HAProxy rejected, when it can be told. */
  source?: SourceRef;
}

/**
 * Outcome of `start`/`apply`. When `error` is set the model was NOT applied and the last good
 * configuration keeps serving. A runtime failure that a reload then repaired is not an error: it
 * shows as `action: 'reload'` with the failure among the `reasons`.
 */
export interface ApplyResult {
  action: 'start' | 'none' | 'runtime' | 'reload';
  reasons: string[];
  /** Runtime API commands sent. */
  commands: number;
  durationMs: number;
  error?: ApplyError;
}

export interface DriverOptions {
  /** Path of the `haproxy` binary. */
  bin: string;
  /** Directory holding `haproxy.cfg`, maps, certificates and sockets (resolved to an absolute path). */
  stateDir: string;
  /** When set, replaces `model.global.hardStopAfter` (how long old workers live after a reload). */
  hardStopAfterMs?: number;
  /**
   * Where HAProxy's access logs (its stdout) go. `relay` (default) emits each line as a 'log' event;
   * `inherit` hands HAProxy this process's stdout, so a busy proxy's log lines never pass through
   * JavaScript (at tens of thousands of requests a second, relaying them costs a third of the
   * throughput on a small machine; see docs/benchmarks.md). HAProxy's own messages (stderr) are
   * always relayed, with their level, except those stdout has already printed (process/messages.ts).
   */
  accessLogs?: 'relay' | 'inherit';
}

export interface DriverCounters {
  reloads: number;
  runtimeCommands: Record<RuntimeCommandKind, number>;
  restarts: number;
}
