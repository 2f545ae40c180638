/**
 * Structured logs: one line per event, JSON (`--log-format json`) or `time level msg key=value`
 * text. Only the app layer logs; lower layers return results and emit events that end up here.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(options: {
  level: LogLevel;
  format: 'json' | 'text';
  write?: (line: string) => void;
  now?: () => Date;
  base?: LogFields;
}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const base = options.base ?? {};
  const log = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (ORDER[level] < ORDER[options.level]) return;
    const entry = { time: now().toISOString(), level, msg, ...base, ...fields };
    write(options.format === 'json' ? JSON.stringify(entry, errorReplacer) : textLine(entry));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ ...options, write, now, base: { ...base, ...fields } }),
  };
}

export function isLogLevel(value: string): value is LogLevel {
  return value in ORDER;
}

function textLine(entry: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = entry;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}=${formatValue(v)}`);
  return [time, String(level).toUpperCase().padEnd(5), msg, ...pairs].join(' ');
}

function formatValue(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v, errorReplacer);
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { message: value.message };
    if ('code' in value) out.code = (value as { code: unknown }).code;
    return out;
  }
  return value;
}
