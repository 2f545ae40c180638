import type { Cidr } from '../../../model/types.js';
import { ALLOW_LIST, DENY_LIST } from '../access.js';
import { RATE_LIMIT_PERIOD, RATE_LIMIT_REQUESTS, RATE_LIMIT_STATUS_CODE, RATE_LIMIT_WHITELIST } from '../rate-limit.js';
import { parseCidrList, parseInteger } from '../values.js';
import { defineNginxKey, feed, type FeedContext } from './types.js';

const GROUP = 'ingress-nginx: access and rate limits';
/** ingress-nginx's `limit-req-status-code` default: refused requests get 503, not 429. */
const NGINX_LIMIT_STATUS = 503;
const NGINX_BURST_MULTIPLIER = 5;

export const NGINX_ALLOWLIST = defineNginxKey<Cidr[]>({
  name: 'allowlist-source-range',
  aliases: ['whitelist-source-range'],
  group: GROUP,
  type: 'IPs and CIDRs',
  doc: 'Only clients from these addresses get through; others get 403 (`haproxy.org/allow-list`).',
  nginx: 'Only these client addresses are allowed; others get 403.',
  served: { as: 'same' },
  parse: parseCidrList,
  feeds: [feed<Cidr[]>(ALLOW_LIST, (v) => v)],
});

export const NGINX_DENYLIST = defineNginxKey<Cidr[]>({
  name: 'denylist-source-range',
  group: GROUP,
  type: 'IPs and CIDRs',
  doc: 'Clients from these addresses get 403 (`haproxy.org/deny-list`).',
  nginx: 'These client addresses get 403.',
  served: { as: 'same' },
  parse: parseCidrList,
  feeds: [feed<Cidr[]>(DENY_LIST, (v) => v)],
});

const LIMIT_DIFFERENCE =
  'counted in fixed windows (1 s or 1 min) of rate x limit-burst-multiplier requests per client address, where ingress-nginx runs a leaky bucket of that burst; refused requests get 503 as in ingress-nginx';

function burst(c: FeedContext): number {
  return c.get(NGINX_LIMIT_BURST_MULTIPLIER) ?? NGINX_BURST_MULTIPLIER;
}

export const NGINX_LIMIT_RPS = defineNginxKey<number>({
  name: 'limit-rps',
  group: GROUP,
  type: 'number',
  doc: 'Requests per second one client address may make (times `limit-burst-multiplier` per second); the next get 503.',
  nginx: 'Requests per second per client address, with a burst of rate x limit-burst-multiplier; excess gets 503 (limit-req-status-code).',
  served: { as: 'different', difference: LIMIT_DIFFERENCE },
  parse: (raw) => parseInteger(raw, 1, 1_000_000),
  feeds: [
    feed<number>(RATE_LIMIT_REQUESTS, (v, c) => v * burst(c)),
    feed<number>(RATE_LIMIT_PERIOD, () => 1000),
    feed<number>(RATE_LIMIT_STATUS_CODE, () => NGINX_LIMIT_STATUS, true),
  ],
});

export const NGINX_LIMIT_RPM = defineNginxKey<number>({
  name: 'limit-rpm',
  group: GROUP,
  type: 'number',
  doc: 'Requests per minute one client address may make (times `limit-burst-multiplier` per minute); `limit-rps` wins when both are set.',
  nginx: 'Requests per minute per client address, with a burst of rate x limit-burst-multiplier; excess gets 503.',
  served: { as: 'different', difference: `${LIMIT_DIFFERENCE}; with limit-rps also set, only limit-rps applies` },
  parse: (raw) => parseInteger(raw, 1, 1_000_000),
  feeds: [
    feed<number>(RATE_LIMIT_REQUESTS, (v, c) => (c.get(NGINX_LIMIT_RPS) === undefined ? v * burst(c) : undefined)),
    feed<number>(RATE_LIMIT_PERIOD, (_v, c) => (c.get(NGINX_LIMIT_RPS) === undefined ? 60_000 : undefined)),
    feed<number>(RATE_LIMIT_STATUS_CODE, () => NGINX_LIMIT_STATUS, true),
  ],
});

export const NGINX_LIMIT_BURST_MULTIPLIER = defineNginxKey<number>({
  name: 'limit-burst-multiplier',
  group: GROUP,
  type: 'number',
  defaultText: '5',
  doc: 'Multiplies `limit-rps` and `limit-rpm` into the number of requests allowed per window.',
  nginx: 'Burst size is the rate times this multiplier.',
  served: { as: 'different', difference: 'the burst is the size of a fixed window, not a leaky bucket' },
  parse: (raw) => parseInteger(raw, 1, 1000),
  feeds: [],
});

export const NGINX_LIMIT_WHITELIST = defineNginxKey<Cidr[]>({
  name: 'limit-whitelist',
  aliases: ['limit-allowlist'],
  group: GROUP,
  type: 'IPs and CIDRs',
  doc: 'Client addresses never rate limited (`haproxy.org/rate-limit-whitelist`).',
  nginx: 'Client addresses exempt from limit-rps, limit-rpm and limit-connections.',
  served: { as: 'same' },
  parse: parseCidrList,
  feeds: [feed<Cidr[]>(RATE_LIMIT_WHITELIST, (v) => v)],
});

/** Every key of this group, in docs order. */
export const NGINX_ACCESS_KEYS = [NGINX_ALLOWLIST, NGINX_DENYLIST, NGINX_LIMIT_RPS, NGINX_LIMIT_RPM, NGINX_LIMIT_BURST_MULTIPLIER, NGINX_LIMIT_WHITELIST];
