/**
 * The suite's HTTP client (upstream `test/http/http.go`): every request on a
 * fresh connection, Go's default headers, TLS without verification but with
 * the peer certificate kept, and redirects followed by hand against the same
 * address so only the Host/SNI change.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { groupRawHeaders, type EchoBody } from '../support/echo-server.js';

/** What the echo backend reported about the request it received. */
export type CapturedRequest = Omit<EchoBody, 'tls'>;

/** What the client saw of the response. */
export interface CapturedResponse {
  statusCode: number;
  /** `-1` when the response had no Content-Length, as in Go. */
  contentLength: number;
  proto: string;
  /** Go-canonical header keys. */
  headers: Record<string, string[]>;
  /** First DNS SAN of the server's leaf certificate (HTTPS only). */
  tlsHostname: string;
  certificate?: PeerCertificate;
}

/** Result of {@link captureRoundTrip}. */
export interface Capture {
  request: CapturedRequest;
  response: CapturedResponse;
}

/** Inputs of one logical request (upstream `CaptureRoundTrip`). */
export interface RoundTripOptions {
  method: string;
  scheme: string;
  /** Host header and SNI; empty means "use the address". */
  hostname: string;
  path: string;
  /** The Ingress status address every request is sent to. */
  location: string;
  ports?: { http: number; https: number };
  timeoutMs?: number;
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const GO_USER_AGENT = 'Go-http-client/1.1';

function emptyRequest(): CapturedRequest {
  return { path: '', host: '', method: '', proto: '', headers: {}, namespace: '', ingress: '', service: '', pod: '' };
}

/** Decodes an echo body; anything but a JSON object yields empty fields. */
export function parseEchoBody(body: string): CapturedRequest {
  const out = emptyRequest();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return out;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out;
  const obj = parsed as Record<string, unknown>;
  for (const key of ['path', 'host', 'method', 'proto', 'namespace', 'ingress', 'service', 'pod'] as const) {
    if (typeof obj[key] === 'string') out[key] = obj[key] as string;
  }
  if (typeof obj.headers === 'object' && obj.headers !== null) {
    for (const [k, v] of Object.entries(obj.headers)) {
      if (Array.isArray(v)) out.headers[k] = v.map(String);
    }
  }
  return out;
}

/** DNS names from Node's `subjectaltname` string, in certificate order. */
export function dnsNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  // Node quotes entries holding separators as JSON strings.
  for (const m of subjectAltName.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    names.push(m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1]);
  }
  return names;
}

function bracket(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

interface Single {
  status: number;
  rawHeaders: string[];
  httpVersion: string;
  body: string;
  certificate?: PeerCertificate;
}

function sendOnce(opts: RoundTripOptions, port: number, hostHeader: string, sni: string): Promise<Single> {
  const secure = opts.scheme === 'https';
  const mod = secure ? https : http;
  const agent = new mod.Agent({ keepAlive: false });
  const headers: Record<string, string> = { Host: hostHeader, 'User-Agent': GO_USER_AGENT };
  // Go announces an empty body only for methods that usually carry one.
  if (['POST', 'PUT', 'PATCH'].includes(opts.method)) headers['Content-Length'] = '0';
  return new Promise<Single>((resolve, reject) => {
    const req = mod.request({
      host: opts.location,
      port,
      method: opts.method,
      path: `/${opts.path.replace(/^\//, '')}`,
      headers,
      agent,
      ...(secure ? { rejectUnauthorized: false, ...(sni && !net.isIP(sni) ? { servername: sni } : {}) } : {}),
    });
    // Go's transport sends no Connection header on HTTP/1.1.
    req.removeHeader('Connection');
    const timer = setTimeout(() => req.destroy(new Error(`request timed out after ${opts.timeoutMs ?? 10_000} ms`)), opts.timeoutMs ?? 10_000);
    const finish = (err: Error | undefined, value?: Single) => {
      clearTimeout(timer);
      agent.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    req.on('error', (err) => finish(err));
    req.on('response', (res) => {
      const certificate = secure ? (res.socket as TLSSocket).getPeerCertificate(false) : undefined;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => finish(err));
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          rawHeaders: res.rawHeaders,
          httpVersion: res.httpVersion,
          body: Buffer.concat(chunks).toString('utf8'),
          certificate: certificate && certificate.raw ? certificate : undefined,
        }),
      );
    });
    req.end();
  });
}

function toResponse(single: Single): CapturedResponse {
  const headers = groupRawHeaders(single.rawHeaders);
  const length = headers['Content-Length']?.[0];
  const response: CapturedResponse = {
    statusCode: single.status,
    contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : -1,
    proto: `HTTP/${single.httpVersion}`,
    headers,
    tlsHostname: '',
  };
  if (single.certificate) {
    response.certificate = single.certificate;
    const first = dnsNames(single.certificate.subjectaltname)[0];
    if (first === undefined) throw new Error('the server certificate has no DNS subject alternative name');
    response.tlsHostname = first;
  }
  return response;
}

/**
 * Sends one request to `location` and follows redirects the way the suite
 * does: new scheme, Host and path from `Location`, same address, same method.
 */
export async function captureRoundTrip(opts: RoundTripOptions): Promise<Capture> {
  const ports = opts.ports ?? { http: 80, https: 443 };
  let current = { ...opts };
  for (let hop = 0; hop <= (opts.maxRedirects ?? 10); hop++) {
    if (current.scheme !== 'http' && current.scheme !== 'https') {
      throw new Error(`unsupported scheme "${current.scheme}"`);
    }
    const defaultPort = current.scheme === 'https' ? 443 : 80;
    const port = current.scheme === 'https' ? ports.https : ports.http;
    const addressHost = bracket(current.location) + (port === defaultPort ? '' : `:${port}`);
    const hostHeader = current.hostname || addressHost;
    const sni = (current.hostname || current.location).replace(/:\d+$/, '');
    const single = await sendOnce(current, port, hostHeader, sni);
    const location = groupRawHeaders(single.rawHeaders).Location?.[0];
    if (REDIRECTS.has(single.status) && location !== undefined) {
      const requestUrl = `${current.scheme}://${addressHost}/${current.path.replace(/^\//, '')}`;
      const next = new URL(location, requestUrl);
      current = {
        ...current,
        scheme: next.protocol.replace(/:$/, ''),
        hostname: next.hostname.replace(/^\[(.*)\]$/, '$1'),
        path: next.pathname,
      };
      continue;
    }
    return { request: parseEchoBody(single.body), response: toResponse(single) };
  }
  throw new Error(`stopped after ${opts.maxRedirects ?? 10} redirects`);
}
