import type { Cidr } from '../../model/types.js';
import { defineKey, ok, refuse } from './types.js';
import { parseCidrList, parseInteger, parseSize, parseTime } from './values.js';

const GROUP = 'Rate limiting';
const ROUTE_SCOPES = ['ingress', 'configmap'] as const;

/** The error statuses HAProxy has a built-in page for; a deny with any other would need a custom file. */
export const DENY_STATUSES = [400, 403, 404, 405, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504] as const;

export const RATE_LIMIT_REQUESTS = defineKey<number>({
  name: 'rate-limit-requests',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'number',
  doc: 'Requests one client address may make per `rate-limit-period`; the next ones get `rate-limit-status-code`. Counters survive reloads.',
  parse: (raw) => parseInteger(raw, 1, 1_000_000_000),
});

export const RATE_LIMIT_PERIOD = defineKey<number>({
  name: 'rate-limit-period',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'time',
  fallback: 1000,
  defaultText: '1s',
  doc: 'Window over which requests are counted.',
  parse: (raw) => parseTime(raw),
});

export const RATE_LIMIT_STATUS_CODE = defineKey<number>({
  name: 'rate-limit-status-code',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: DENY_STATUSES.join(', '),
  fallback: 403,
  defaultText: '403',
  doc: 'Status of refused requests (429 is the usual choice).',
  parse(raw) {
    const code = DENY_STATUSES.find((c) => String(c) === raw);
    return code ? ok(code) : refuse(`is not one of ${DENY_STATUSES.join(', ')}`);
  },
});

export const RATE_LIMIT_SIZE = defineKey<number>({
  name: 'rate-limit-size',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'number (k, m suffixes)',
  fallback: 100_000,
  defaultText: '100k',
  doc: 'Client addresses tracked; beyond that the oldest entries are dropped.',
  parse: (raw) => parseSize(raw, 1, 100_000_000),
});

export const RATE_LIMIT_WHITELIST = defineKey<Cidr[]>({
  name: 'rate-limit-whitelist',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'IPs and CIDRs',
  doc: 'Client addresses never rate limited.',
  parse: parseCidrList,
});

/** Every key of this group, in docs order. */
export const RATE_LIMIT_KEYS = [RATE_LIMIT_REQUESTS, RATE_LIMIT_PERIOD, RATE_LIMIT_STATUS_CODE, RATE_LIMIT_SIZE, RATE_LIMIT_WHITELIST];
