/**
 * Runs the `curl` lines of the docs as HTTP requests on loopback: with curl itself when the machine
 * has it, else with Node's http/https honouring the same flags (-H, -k, --resolve, -i, -s).
 */
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { findBinary } from '../../src/app/find-binary.js';
import { fieldValues, globMatch, type Expectation } from './markdown.js';

const run = promisify(execFile);

export interface CurlRequest {
  url: URL;
  headers: [string, string][];
  /** `--resolve host:port:address`, keyed by `host:port`. */
  resolve: Map<string, string>;
  insecure: boolean;
}

export interface CurlResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The flags the docs may use on a curl line; anything else is refused, so both ways of running agree. */
export function parseCurl(words: string[], mapPort: (port: number) => number): CurlRequest {
  let url: URL | undefined;
  const headers: [string, string][] = [];
  const resolve = new Map<string, string>();
  let insecure = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === '-H') {
      const [name, ...value] = (words[++i] ?? '').split(':');
      headers.push([name.trim(), value.join(':').trim()]);
    } else if (w === '--resolve') {
      const [host, port, address] = (words[++i] ?? '').split(':');
      resolve.set(`${host}:${mapPort(Number(port))}`, address);
    } else if (/^-[iks]+$/.test(w)) {
      insecure ||= w.includes('k');
    } else if (/^https?:\/\//.test(w)) {
      url = new URL(w);
      if (url.port) url.port = String(mapPort(Number(url.port)));
    } else throw new Error(`curl flag or argument "${w}" is not one the docs test knows`);
  }
  if (!url) throw new Error('curl line without a URL');
  return { url, headers, resolve, insecure };
}

/** The address a request connects to; only loopback is allowed. */
function target(req: CurlRequest): { address: string; port: number } {
  const port = Number(req.url.port || (req.url.protocol === 'https:' ? 443 : 80));
  const address = req.resolve.get(`${req.url.hostname}:${port}`) ?? req.url.hostname;
  if (!/^127\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`${req.url.href} would leave loopback (${address})`);
  return { address, port };
}

export async function sendCurl(req: CurlRequest, useCurl = findBinary('curl') !== 'curl'): Promise<CurlResponse> {
  const { address, port } = target(req);
  if (useCurl) {
    const args = ['-s', '-i', '--max-time', '10'];
    if (req.insecure) args.push('-k');
    for (const [name, value] of req.headers) args.push('-H', `${name}: ${value}`);
    for (const [hostPort, addr] of req.resolve) args.push('--resolve', `${hostPort}:${addr}`);
    const { stdout } = await run(findBinary('curl'), [...args, req.url.href]);
    return parseRawResponse(stdout);
  }
  const request = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const hostHeader = req.headers.find(([n]) => n.toLowerCase() === 'host')?.[1] ?? req.url.host;
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: address, port, path: req.url.pathname + req.url.search, agent: false, timeout: 10_000,
        headers: { ...Object.fromEntries(req.headers), host: hostHeader, 'user-agent': 'curl', accept: '*/*' },
        ...(req.url.protocol === 'https:' ? { servername: req.url.hostname, rejectUnauthorized: !req.insecure } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    r.on('timeout', () => r.destroy(new Error('request timed out')));
    r.on('error', reject);
    r.end();
  });
}

/** `curl -i` output: status line, headers, blank line, body. */
export function parseRawResponse(raw: string): CurlResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const [statusLine, ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: split === -1 ? '' : raw.slice(split + 4) };
}

/** Every way the response differs from what the doc says; empty when it matches. */
export function mismatches(res: CurlResponse, expected: Expectation, grep: string | undefined, mapUrl: (url: string) => string): string[] {
  const problems: string[] = [];
  if (res.status !== expected.status) problems.push(`status ${res.status}, the doc says ${expected.status}`);
  if (expected.location !== undefined && res.headers.location !== mapUrl(expected.location)) {
    problems.push(`Location ${res.headers.location}, the doc says ${expected.location} (${mapUrl(expected.location)} here)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  const echo = (json ?? {}) as Record<string, unknown>;
  for (const [name, want] of [['service', expected.service], ['ingress', expected.ingress], ['path', expected.path]] as const) {
    if (want !== undefined && echo[name] !== want) problems.push(`${name} ${JSON.stringify(echo[name])}, the doc says ${JSON.stringify(want)}`);
  }
  if (expected.pod !== undefined && !globMatch(expected.pod, String(echo.pod))) problems.push(`pod ${JSON.stringify(echo.pod)}, the doc says ${expected.pod}`);
  for (const f of expected.fields) {
    const values = fieldValues(json, f.key);
    const ok = values.some((v) => (f.op === '=' ? JSON.stringify(v) === JSON.stringify(f.value) : typeof v === 'number' && v > Number(f.value)));
    if (!ok) problems.push(`"${f.key}" is ${JSON.stringify(values)}, the doc says ${f.op === '>' ? '> ' : ''}${JSON.stringify(f.value)}`);
  }
  if (grep !== undefined && !res.body.split('\n').some((l) => l.includes(grep))) problems.push(`no line of the answer contains "${grep}" (the doc pipes it to grep)`);
  return problems;
}
