/**
 * HAProxy's output, line by line, at the controller's log levels and each message once.
 *
 * stderr carries HAProxy's own messages, `[NOTICE]   (pid) : text`, `[WARNING]` or `[ALERT]`.
 * stdout is HAProxy's default log target (`log stdout format raw`): access logs, and also a copy
 * of the messages HAProxy both prints and logs (server state changes, health checks, a proxy
 * stopping). Of those two copies exactly one is kept: with relayed access logs the stderr copy,
 * which carries the level; with inherited access logs stdout never passes through here and has
 * already printed its copy, so the stderr one is dropped. (When the ConfigMap sends HAProxy's
 * logs to syslog servers instead, those messages then go there, with the access logs.)
 */
export type MessageLevel = 'debug' | 'info' | 'warn' | 'error';

export interface HAProxyMessage {
  level: MessageLevel;
  text: string;
  /** The HAProxy process (master or worker) that wrote a stderr message. */
  pid?: number;
}

const PREFIX = /^\[(NOTICE|WARNING|ALERT)\]\s*\((\d+)\)\s*:\s?(.*)$/;
const LEVELS: Record<string, MessageLevel> = { NOTICE: 'info', WARNING: 'warn', ALERT: 'error' };

/** Messages HAProxy 2.6 writes to stderr and also sends to its log target. */
const ALSO_LOGGED = [
  /^Server \S+\/\S+ /,
  /^(?:Health|Agent) check for (?:backup )?server /,
  /^(?:backend|proxy) '?\S+?'? has no server available/,
  /^Proxy \S+ (?:stopped|hard-stopped)\b/,
  /^Stopping (?:frontend|backend|proxy|peers) \S+ in \d+ ms/,
];

/**
 * What every reload and every stop prints. HAProxy tags some as WARNING, but at a soft stop they
 * are expected, not a problem: the old worker closes each proxy ("Proxy X stopped", one line per
 * frontend and backend) and exits with code 0, the master reports it. The controller already logs
 * the reload or stop itself ("configuration applied action=reload"), so these are detail: debug.
 * A worker exiting with any other code stays a warning.
 */
const ROUTINE = [
  /^Proxy \S+ stopped \(cumulated conns/,
  /^Stopping (?:frontend|backend|proxy|peers) \S+ in \d+ ms\.?$/,
  /^(?:Former|Current) worker \(\d+\) exited with code 0 \(Exit\)$/,
  /^All workers exited\. Exiting\.\.\. \(0\)$/,
  /^Exiting Master process\.\.\.$/,
  /^New worker \(\d+\) forked$/,
  /^Loading success\.$/,
  /^Reloading HAProxy$/,
  /^Reexecuting Master process$/,
  /^haproxy version is /,
  /^path to executable is /,
];

/**
 * Server changes the controller makes itself through the Runtime API (an endpoint leaving or
 * coming back): HAProxy calls them warnings, but they are the intended result, so info. A server
 * going DOWN for any other reason (a failed health check) stays a warning.
 */
const REQUESTED = [/^Server \S+\/\S+ .*\b(?:for maintenance|forced maintenance|enters maintenance|drain)\b/];

export class MessageReader {
  /** Level of the last prefixed stderr line: a line without a prefix continues that message. */
  private last: MessageLevel = 'info';

  constructor(private readonly accessLogs: 'relay' | 'inherit') {}

  /** The message a line carries, or undefined when it is the second copy of one. */
  read(line: string, stream: 'stdout' | 'stderr'): HAProxyMessage | undefined {
    if (stream === 'stdout') return ALSO_LOGGED.some((re) => re.test(line)) ? undefined : { level: 'info', text: line };
    const match = PREFIX.exec(line);
    if (!match) return { level: this.last, text: line };
    const [, tag, pid, text] = match;
    if (this.accessLogs === 'inherit' && ALSO_LOGGED.some((re) => re.test(text))) return undefined;
    this.last = ROUTINE.some((re) => re.test(text)) ? 'debug' : tag === 'WARNING' && REQUESTED.some((re) => re.test(text)) ? 'info' : LEVELS[tag];
    return { level: this.last, text, pid: Number(pid) };
  }
}
