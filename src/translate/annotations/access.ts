import type { AuthUser, Cidr, SourceRef } from '../../model/types.js';
import { refOf } from '../../store/types.js';
import { findSecret, readAuthUsers } from './secrets.js';
import { defineKey, ok, refuse } from './types.js';
import { parseCidrList } from './values.js';

const GROUP = 'Access control';
const ROUTE_SCOPES = ['ingress', 'configmap'] as const;

export const ALLOW_LIST = defineKey<Cidr[]>({
  name: 'allow-list',
  aliases: ['whitelist'],
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'IPs and CIDRs',
  doc: 'Only clients from these addresses get through; others get 403.',
  parse: parseCidrList,
});

export const DENY_LIST = defineKey<Cidr[]>({
  name: 'deny-list',
  aliases: ['blacklist'],
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'IPs and CIDRs',
  doc: 'Clients from these addresses get 403.',
  parse: parseCidrList,
});

export const AUTH_TYPE = defineKey<'basic-auth'>({
  name: 'auth-type',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: '"basic-auth"',
  doc: 'Asks for HTTP basic authentication against `auth-secret`. Without a usable Secret every request gets 401 (it fails closed).',
  parse: (raw) => (raw === 'basic-auth' ? ok('basic-auth') : refuse('is not "basic-auth"')),
});

/** The users of the Secret and where they came from. */
export interface AuthSecret {
  users: AuthUser[];
  source: SourceRef;
}

export const AUTH_SECRET = defineKey<AuthSecret>({
  name: 'auth-secret',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'Secret ("name" or "namespace/name")',
  doc: 'Secret with the users: htpasswd lines under the key `auth`, or one key per user whose value is the hash. Hashes: bcrypt ($2y$, `htpasswd -B`), $1$, $5$ or $6$ (crypt(3)); Apache MD5 ($apr1$) is not checked.',
  parse(raw, context) {
    const secret = findSecret(raw, context);
    if (!secret.ok) return secret;
    const users = readAuthUsers(secret.value);
    if (!users.ok) return users;
    return { ok: true, value: { users: users.value, source: refOf(secret.value) }, ...(users.warnings ? { warnings: users.warnings } : {}) };
  },
});

export const AUTH_REALM = defineKey<string>({
  name: 'auth-realm',
  scopes: ROUTE_SCOPES,
  group: GROUP,
  type: 'string',
  fallback: 'Protected Content',
  defaultText: 'Protected Content',
  doc: 'Realm shown by the browser when it asks for credentials.',
  parse: (raw) => (/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(raw) ? ok(raw) : refuse('is not 1-128 printable ASCII characters without \'"\' or \'\\\'')),
});

/** Every key of this group, in docs order. */
export const ACCESS_KEYS = [ALLOW_LIST, DENY_LIST, AUTH_TYPE, AUTH_SECRET, AUTH_REALM];
