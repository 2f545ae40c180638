/**
 * `haproxy -c` and the reading of its verdict. HAProxy names the failing place as
 * `parsing [<file>:<line>]`, and certificate failures name the certificate file, which is how an
 * error is pinned on the object that produced it.
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';

export interface Validation {
  ok: boolean;
  /** HAProxy's alerts and warnings (notices removed). */
  output: string;
  /** Line of `configPath` the first alert points at. */
  line?: number;
}

const TIMEOUT_MS = 30_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** First `[ALERT]` line number that refers to `configPath`. */
export function alertLine(output: string, configPath: string): number | undefined {
  const pattern = new RegExp(`\\[ALERT\\].*parsing \\[${escapeRegExp(configPath)}:(\\d+)\\]`);
  const match = pattern.exec(output);
  return match ? Number(match[1]) : undefined;
}

/** Certificate files (as written in the crt-list) named by `[ALERT]` lines. */
export function alertCertificateFiles(output: string): string[] {
  const files: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes('[ALERT]')) continue;
    for (const match of line.matchAll(/'(certs\/[^']+\.pem)'/g)) files.push(match[1]);
  }
  return files;
}

/** Runs `bin -c -f configPath`. Never rejects: a binary that cannot run is a failed validation. */
export function validateConfig(bin: string, configPath: string): Promise<Validation> {
  return new Promise((resolve) => {
    // The config's own directory, as the supervisor runs HAProxy: server `crt` files are opened
    // relative to the working directory (unlike maps and bind certificates, `default-path` misses them).
    const child = spawn(bin, ['-c', '-f', configPath], { cwd: dirname(configPath), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    const finish = (ok: boolean, extra = '') => {
      clearTimeout(timer);
      const text = (output + extra)
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('[NOTICE]'))
        .join('\n');
      resolve({ ok, output: text, line: ok ? undefined : alertLine(text, configPath) });
    };
    child.on('error', (err) => finish(false, `\n${bin}: ${err.message}`));
    child.on('close', (code) => finish(code === 0));
  });
}
