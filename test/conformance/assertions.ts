/**
 * Checks on a captured round trip (upstream `test/state/state.go`). Each
 * function throws an Error with the upstream wording when the check fails.
 */
import tls from 'node:tls';
import { canonicalHeaderKey } from '../support/echo-server.js';
import type { Capture } from './client.js';

function show(headers: Record<string, string[]>): string {
  return JSON.stringify(headers);
}

/** `the response status-code must be N` */
export function assertStatusCode(c: Capture, expected: number): void {
  if (c.response.statusCode !== expected) {
    throw new Error(`expected status code ${expected} but ${c.response.statusCode} was returned`);
  }
}

/** `the response must be served by the "S" service` */
export function assertServedBy(c: Capture, service: string): void {
  if (c.request.service !== service) {
    throw new Error(`expected the request to be served by ${service} but it was served by ${JSON.stringify(c.request.service)}`);
  }
}

/** `the request host must be "H"` (exact, so a `:port` fails). */
export function assertRequestHost(c: Capture, host: string): void {
  if (c.request.host !== host) {
    throw new Error(`expected the request host to be ${host} but was ${JSON.stringify(c.request.host)}`);
  }
}

/** `the request path must be "P"`; a missing leading `/` is added first. */
export function assertRequestPath(c: Capture, path: string): void {
  const expected = path.startsWith('/') ? path : `/${path}`;
  if (c.request.path !== expected) {
    throw new Error(`expected the request path to be ${expected} but it was ${JSON.stringify(c.request.path)}`);
  }
}

/** `the request method must be "M"` */
export function assertRequestMethod(c: Capture, method: string): void {
  if (c.request.method !== method) {
    throw new Error(`expected the request method to be ${method} but it was ${JSON.stringify(c.request.method)}`);
  }
}

/** `the request proto must be "P"`: the protocol the proxy spoke to the backend. */
export function assertRequestProto(c: Capture, proto: string): void {
  if (c.request.proto !== proto) {
    throw new Error(`expected the request protocol to be ${proto} but it was ${JSON.stringify(c.request.proto)}`);
  }
}

/** `the response proto must be "P"`: the protocol the client received. */
export function assertResponseProto(c: Capture, proto: string): void {
  if (c.response.proto !== proto) {
    throw new Error(`expected the response protocol to be ${proto} but it was ${c.response.proto}`);
  }
}

function assertHeader(kind: string, headers: Record<string, string[]>, key: string, value: string): void {
  const values = headers[canonicalHeaderKey(key)];
  if (values === undefined) {
    throw new Error(`expected ${kind} headers to contain ${key} but it only contained ${show(headers)}`);
  }
  if (value !== '*' && !values.includes(value)) {
    throw new Error(`expected ${kind} headers ${key} to contain a ${value} value but it contained ${JSON.stringify(values)}`);
  }
}

/**
 * Reads an upstream key/value table: the first row is the `key | value`
 * heading, every other row one header (a missing value means `*`).
 */
export function headerTableRows(table: readonly string[][] | undefined): Array<[string, string]> {
  if (!table || table.length === 0) throw new Error('the step needs a key/value table');
  const [heading, ...rows] = table;
  if (heading.length < 2 || !/key/i.test(heading[0]) || !/value/i.test(heading[1])) {
    throw new Error(`the table heading must be "key | value", got ${JSON.stringify(heading)}`);
  }
  return rows.map(([key, value]) => [key, value ?? '*']);
}

/**
 * Every named header must exist and, unless the value is `*`, have that
 * exact value among its values.
 */
export function assertHeaders(kind: 'request' | 'response', c: Capture, expected: ReadonlyArray<readonly [string, string]>): void {
  const headers = kind === 'request' ? c.request.headers : c.response.headers;
  for (const [key, value] of expected) assertHeader(kind, headers, key, value);
}

/** Header-table check: {@link headerTableRows} then {@link assertHeaders}. */
export function assertHeaderTable(kind: 'request' | 'response', c: Capture, table: readonly string[][] | undefined): void {
  assertHeaders(kind, c, headerTableRows(table));
}

/**
 * `the secure connection must verify the "H" hostname`: the leaf's first DNS
 * SAN is H and the certificate is valid for H by name (no chain checks).
 */
export function assertTlsHostname(c: Capture, hostname: string): void {
  const cert = c.response.certificate;
  if (!cert) throw new Error('the response was not received over TLS');
  if (c.response.tlsHostname !== hostname) {
    throw new Error(`expected the response TLS hostname to be ${hostname} but was ${c.response.tlsHostname}`);
  }
  const err = tls.checkServerIdentity(hostname, cert);
  if (err) throw new Error(`the certificate is not valid for ${hostname}: ${err.message}`);
}

/**
 * Load-balancing check: the bucket for `status` must hold exactly `pods`
 * distinct pod names; other status codes are ignored, as upstream does.
 */
export function assertDistinctPods(results: ReadonlyMap<number, ReadonlySet<string>>, status: number, pods: number): void {
  const bucket = results.get(status);
  if (!bucket) throw new Error(`no responses for status code ${status} returned (got ${[...results.keys()].join(', ') || 'none'})`);
  if (bucket.size !== pods) {
    throw new Error(`expected ${pods} different pods for status code ${status} but ${bucket.size} were returned: ${[...bucket].join(', ')}`);
  }
}
