import { AUTH_REALM, AUTH_SECRET, AUTH_TYPE, type AuthSecret } from '../access.js';
import { ok, refuse } from '../types.js';
import { defineNginxKey, feed } from './types.js';

const GROUP = 'ingress-nginx: basic authentication';

export const NGINX_AUTH_TYPE = defineNginxKey<'basic'>({
  name: 'auth-type',
  group: GROUP,
  type: '"basic"',
  doc: '"basic" asks for HTTP basic authentication against `auth-secret` (`haproxy.org/auth-type: basic-auth`); without a usable Secret every request gets 401.',
  nginx: 'basic or digest authentication against the users of auth-secret.',
  served: { as: 'different', difference: '"digest" asks for basic credentials instead, with a warning (HAProxy checks only basic ones)' },
  parse(raw) {
    if (raw === 'basic') return ok('basic');
    // Ignoring the key would open the Ingress to everyone: basic auth against the same Secret fails closed instead.
    if (raw === 'digest') return { ok: true, value: 'basic', warnings: ['"digest" is not checked by HAProxy; basic credentials are asked for instead (htdigest lines are not usable users, so such a Secret lets nobody in)'] };
    return refuse('is not "basic"');
  },
  feeds: [feed<'basic'>(AUTH_TYPE, () => 'basic-auth')],
});

export const NGINX_AUTH_SECRET = defineNginxKey<AuthSecret>({
  name: 'auth-secret',
  group: GROUP,
  type: 'Secret ("name" or "namespace/name")',
  doc: 'Secret with the users (`haproxy.org/auth-secret`): an htpasswd file under `auth`, or one key per user. Hashes: bcrypt ($2y$, `htpasswd -B`), $5$, $6$ and $1$; Apache MD5 ($apr1$, htpasswd\'s default) users are left out with a warning.',
  nginx: 'Secret holding an htpasswd file (key auth) or one key per user (auth-secret-type: auth-map).',
  served: {
    as: 'different',
    difference: 'Apache MD5 hashes ($apr1$, what htpasswd writes without -B) are not checked: those users are left out with a warning; make them again with htpasswd -B (bcrypt) or openssl passwd -6',
  },
  parse: (raw, context) => AUTH_SECRET.parse(raw, context),
  feeds: [feed<AuthSecret>(AUTH_SECRET, (v) => v)],
});

export const NGINX_AUTH_SECRET_TYPE = defineNginxKey<'auth-file' | 'auth-map'>({
  name: 'auth-secret-type',
  group: GROUP,
  type: '"auth-file" or "auth-map"',
  defaultText: 'auth-file',
  doc: 'Accepted for compatibility: the Secret\'s form is read from its keys (an `auth` key is the htpasswd file, otherwise each key is a user).',
  nginx: 'auth-file: the Secret\'s auth key is an htpasswd file; auth-map: each key is a user, its value the hash.',
  served: { as: 'different', difference: 'the form follows the Secret\'s keys: a Secret with an auth key is read as a file even under auth-map' },
  parse: (raw) => (raw === 'auth-file' || raw === 'auth-map' ? ok(raw) : refuse('is not "auth-file" or "auth-map"')),
  feeds: [],
});

export const NGINX_AUTH_REALM = defineNginxKey<string>({
  name: 'auth-realm',
  group: GROUP,
  type: 'string',
  doc: 'Realm shown by the browser when it asks for credentials (`haproxy.org/auth-realm`).',
  nginx: 'Realm of the basic authentication challenge.',
  served: { as: 'same' },
  parse: (raw, context) => AUTH_REALM.parse(raw, context),
  feeds: [feed<string>(AUTH_REALM, (v) => v)],
});

/** Every key of this group, in docs order. */
export const NGINX_AUTH_KEYS = [NGINX_AUTH_TYPE, NGINX_AUTH_SECRET, NGINX_AUTH_SECRET_TYPE, NGINX_AUTH_REALM];
