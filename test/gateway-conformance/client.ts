/**
 * The suite's HTTP client toward a Gateway address: one request per connection, the Host header
 * and SNI chosen by the test, `X-Echo-Set-Header` always sent, redirects never followed, HTTPS
 * verified against the listener's certificate with Go's hostname rules, and cleartext HTTP/2 with
 * prior knowledge. Every request is bounded by a timeout.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { compareRoundTrip, type EchoAnswer, type GatewayExpectation, type GatewayRequest, type Observed } from './checks.js';

/** Where a Gateway listens: its status address and the listener port. */
export interface Target {
  address: string;
  port: number;
  /** PEM of the listener certificate to trust (HTTPS). */
  ca?: string;
}

/** Go's `VerifyHostname` for DNS names: a `*` first label stands for exactly one label, any TLD. */
export function goHostnameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '').split('.');
  const h = host.toLowerCase().replace(/\.$/, '').split('.');
  if (p.length !== h.length) return false;
  return p.every((label, i) => (i === 0 && label === '*') || label === h[i]);
}

function checkServerIdentity(host: string, cert: PeerCertificate): Error | undefined {
  const names = (cert.subjectaltname ?? '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  return names.some((n) => goHostnameMatches(n, host)) ? undefined : new Error(`certificate is not valid for ${host} (${names.join(', ')})`);
}

/** The URL the suite would show for this request (port omitted when it is the scheme's default). */
export function requestUrl(req: GatewayRequest, target: Target): string {
  const scheme = req.protocol === 'HTTPS' ? 'https' : 'http';
  const port = req.port ?? target.port;
  const defaultPort = scheme === 'https' ? 443 : 80;
  return `${scheme}://${target.address}${port === defaultPort ? '' : `:${port}`}${req.path}`;
}

function echoSetHeader(req: GatewayRequest): string {
  return Object.entries(req.echoSetHeaders ?? {}).map(([k, v]) => `${k}:${v}`).join(',');
}

function parse(status: number, protocol: string, headers: Record<string, string[]>, body: string): Observed {
  const obs: Observed = { status, protocol, headers };
  const type = headers['content-type']?.[0];
  if (type === 'application/json') {
    try {
      obs.echo = JSON.parse(body) as EchoAnswer;
    } catch {
      // Not the echo's JSON: compared as a non-echo answer.
    }
  }
  const location = headers.location?.[0];
  if (location) obs.location = location;
  return obs;
}

function grouped(raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) (out[raw[i].toLowerCase()] ??= []).push(raw[i + 1]);
  return out;
}

function sendH2c(req: GatewayRequest, target: Target, timeoutMs: number): Promise<Observed> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${target.address}:${req.port ?? target.port}`);
    const timer = setTimeout(() => session.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    session.on('error', (err) => (clearTimeout(timer), reject(err)));
    const stream = session.request({
      ':method': req.method ?? 'GET', ':path': req.path, ':authority': req.host ?? target.address,
      'x-echo-set-header': echoSetHeader(req), ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    });
    let status = 0;
    const headers: Record<string, string[]> = {};
    stream.on('response', (h) => {
      status = Number(h[':status']);
      for (const [k, v] of Object.entries(h)) if (!k.startsWith(':') && v !== undefined) headers[k] = Array.isArray(v) ? v : [String(v)];
    });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (body += d));
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      resolve(parse(status, 'HTTP/2.0', headers, body));
    });
    stream.on('error', (err) => (clearTimeout(timer), session.destroy(), reject(err)));
    stream.end();
  });
}

/** Sends one request and reads the whole answer; rejects on transport errors or after `timeoutMs`. */
export function sendOnce(req: GatewayRequest, target: Target, timeoutMs = 10_000): Promise<Observed> {
  if (req.protocol === 'H2C') return sendH2c(req, target, timeoutMs);
  const secure = req.protocol === 'HTTPS';
  const host = req.host ?? target.address;
  const headers: Record<string, string> = { 'User-Agent': 'Go-http-client/1.1', Connection: 'close', ...req.headers, Host: host, 'X-Echo-Set-Header': echoSetHeader(req) };
  const options: https.RequestOptions = {
    host: target.address, port: req.port ?? target.port, method: req.method ?? 'GET', path: req.path, headers, agent: false, setHost: false,
    ...(secure ? { servername: req.sni ?? host.replace(/:\d+$/, ''), ca: target.ca, checkServerIdentity, rejectUnauthorized: true } : {}),
  };
  return new Promise((resolve, reject) => {
    const r = (secure ? https : http).request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(parse(res.statusCode ?? 0, `HTTP/${res.httpVersion}`, grouped(res.rawHeaders), body)));
      res.on('error', reject);
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end();
  });
}

/** Timing of {@link expectEventually}: the suite's 3 consecutive successes within 30 s, 1 s apart after a failure. */
export interface Consistency {
  consecutive: number;
  timeoutMs: number;
  retryMs: number;
}

export const UPSTREAM_CONSISTENCY: Consistency = { consecutive: 3, timeoutMs: 30_000, retryMs: 1000 };

/** Repeats the request until `consecutive` attempts in a row pass; the last mismatch when time runs out. */
export async function expectEventually(req: GatewayRequest, exp: GatewayExpectation, target: Target, timing: Consistency = UPSTREAM_CONSISTENCY,
  send: (r: GatewayRequest, t: Target) => Promise<Observed> = sendOnce): Promise<{ ok: true } | { ok: false; reason: string }> {
  const deadline = Date.now() + timing.timeoutMs;
  const url = requestUrl(req, target);
  let streak = 0;
  let last = 'no attempt made';
  while (Date.now() < deadline) {
    let problems: string[];
    try {
      problems = compareRoundTrip(req, exp, await send(req, target), url);
    } catch (err) {
      problems = [`request failed: ${(err as Error).message}`];
    }
    if (!problems.length) {
      if (++streak >= timing.consecutive) return { ok: true };
      continue;
    }
    streak = 0;
    last = problems.join('; ');
    await sleep(timing.retryMs);
  }
  return { ok: false, reason: `${req.method ?? 'GET'} ${url}${req.host ? ` (Host ${req.host})` : ''}: ${last}` };
}
