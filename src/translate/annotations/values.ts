import { isIPv4, isIPv6 } from 'node:net';
import type { Cidr } from '../../model/types.js';
import { ok, refuse, type Parsed } from './types.js';

/**
 * Parsers shared by several keys. Each accepts a deliberately small language: whatever passes is
 * plain data the renderer can quote, and nothing that passes can end a directive, start a comment or
 * reach HAProxy's sample-fetch syntax.
 */

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * `"true"` or `"false"`. Also, in any case, the spellings the HAProxy Technologies controller took
 * (Go's ParseBool: `1`, `t`, `0`, `f`; and its older `on`/`off`, `enabled`/`disabled`), so that a
 * ConfigMap written for it, such as its blog posts' `ssl-redirect: "OFF"`, means the same here.
 */
export function parseBool(raw: string): Parsed<boolean> {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return refuse('is not "true" or "false"');
}

const TRUE_WORDS = new Set(['true', 't', '1', 'on', 'enabled']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'off', 'disabled']);

/** HAProxy's limit for timeouts and periods: 2^31 - 1 milliseconds (about 24.8 days). */
export const MAX_TIME_MS = 2_147_483_647;

const TIME_UNITS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as HAProxy writes it (`500`, `500ms`, `5s`, `1m`, `2h`, `1d`), in milliseconds. */
export function parseTime(raw: string, min = 1): Parsed<number> {
  const match = /^(\d{1,10})(ms|s|m|h|d)?$/.exec(raw);
  const expected = `is not a duration of at least ${min}ms (a number with an optional unit: ms, s, m, h, d)`;
  if (!match) return refuse(expected);
  const ms = Number(match[1]) * TIME_UNITS[match[2] ?? ''];
  if (ms < min) return refuse(expected);
  if (ms > MAX_TIME_MS) return refuse(`is longer than HAProxy allows (${MAX_TIME_MS}ms)`);
  return ok(ms);
}

/** A whole number in [min, max], digits only. */
export function parseInteger(raw: string, min: number, max: number): Parsed<number> {
  if (!/^\d{1,10}$/.test(raw)) return refuse(`is not a whole number from ${min} to ${max}`);
  const value = Number(raw);
  return value >= min && value <= max ? ok(value) : refuse(`is not a whole number from ${min} to ${max}`);
}

/** A count with an optional `k`, `m` or `g` multiplier (`100k`), as HAProxy sizes are written. */
export function parseSize(raw: string, min: number, max: number): Parsed<number> {
  const match = /^(\d{1,10})([kmg])?$/i.exec(raw);
  const multiplier = { '': 1, k: 1_000, m: 1_000_000, g: 1_000_000_000 }[(match?.[2] ?? '').toLowerCase()] ?? 1;
  const value = match ? Number(match[1]) * multiplier : NaN;
  if (!(value >= min && value <= max)) return refuse(`is not a number from ${min} to ${max} (a "k", "m" or "g" suffix multiplies by 1000s)`);
  return ok(value);
}

/** One IP address or CIDR block, IPv4 or IPv6. */
export function checkCidr(item: string): string | undefined {
  const slash = item.indexOf('/');
  const address = slash < 0 ? item : item.slice(0, slash);
  const prefix = slash < 0 ? undefined : item.slice(slash + 1);
  // Zone ids (`fe80::1%eth0`) are no use for matching clients and '%' has a meaning to HAProxy.
  const v4 = isIPv4(address);
  const v6 = !v4 && isIPv6(address) && !address.includes('%');
  const quoted = JSON.stringify(item.length > 64 ? `${item.slice(0, 64)}...` : item);
  if (!v4 && !v6) return `${quoted} is not an IP address or CIDR`;
  if (prefix === undefined) return undefined;
  const max = v4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `${quoted} has a prefix length that is not 0 to ${max}`;
  return undefined;
}

/** Most addresses one key may list: a longer list belongs in a pattern file, which we do not read. */
const MAX_CIDRS = 1000;

/** A list of IPs and CIDRs separated by commas, spaces or newlines, in order, without duplicates. */
export function parseCidrList(raw: string): Parsed<Cidr[]> {
  if (raw.startsWith('patterns/')) return refuse('names a pattern file, which is not supported; list the addresses instead');
  const items = raw.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) return refuse('lists no address');
  if (items.length > MAX_CIDRS) return refuse(`lists more than ${MAX_CIDRS} addresses`);
  for (const item of items) {
    const problem = checkCidr(item);
    if (problem) return refuse(`is not a list of IP addresses and CIDRs: ${problem}`);
  }
  return ok([...new Set(items.map((item) => item.toLowerCase()))]);
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** True for an RFC 1123 host name (lower case), an IPv4 literal, or a bracketed IPv6 literal. */
export function isHostName(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return isIPv6(host.slice(1, -1)) && !host.includes('%');
  if (isIPv4(host)) return true;
  return host.length <= 253 && host.split('.').every((label) => DNS_LABEL.test(label));
}

/** `host` or `host:port`; the host is lower-cased. */
export function parseHostPort(raw: string): Parsed<{ host: string; port?: number }> {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(raw);
  const host = match?.[1].toLowerCase() ?? '';
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || !isHostName(host) || (port !== undefined && (port < 1 || port > 65535))) {
    return refuse('is not a host name or IP address with an optional ":port"');
  }
  return ok(port === undefined ? { host } : { host, port });
}

/** Header names, cookie names, URL parameters: a conservative subset of the HTTP token characters. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Characters of a URL path and query as sent on the wire (RFC 3986, percent-encoding allowed). */
export const URL_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;

/** A literal text value: any length up to `max`, no control characters. */
export function parseText(raw: string, max: number): Parsed<string> {
  if (raw.length === 0) return refuse('is empty');
  if (raw.length > max) return refuse(`is longer than ${max} characters`);
  if (CONTROL.test(raw)) return refuse('has control characters');
  return ok(raw);
}

/** True when `text` holds a control character (including newlines). */
export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}

/** The non-empty lines of a multi-line value, trimmed. */
export function lines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
