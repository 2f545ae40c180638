import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { snapshotOf } from '../../../test/support/fixtures.js';
import { ANNOTATION_KEYS, findKey } from './registry.js';
import type { ParseContext } from './types.js';

const CONTEXT: ParseContext = { scope: 'ingress', namespace: 'default', snapshot: snapshotOf([]), allowCrossNamespaceSecrets: false };

/** [key, raw value, the parsed value, or a RegExp the refusal reason must match]. */
type Row = [string, string, unknown];

const ACCEPTED_AND_REFUSED: Row[] = [
  // Routing and rewriting
  ['path-rewrite', '/', [{ kind: 'set', path: '/' }]],
  ['path-rewrite', '/foo/(.*) /\\1', [{ kind: 'regex', match: '/foo/(.*)', replace: '/\\1' }]],
  ['path-rewrite', '(.*) /foo\\1\n/bar/(.*) /baz/\\1', [{ kind: 'regex', match: '(.*)', replace: '/foo\\1' }, { kind: 'regex', match: '/bar/(.*)', replace: '/baz/\\1' }]],
  ['path-rewrite', '^/a(\\d+)$ /b%20\\1', [{ kind: 'regex', match: '^/a(\\d+)$', replace: '/b%20\\1' }]],
  ['path-rewrite', 'relative', /not a URL path/],
  ['path-rewrite', '/a /b /c', /neither/],
  ['path-rewrite', '(unclosed /x', /not a valid regular expression/],
  ['path-rewrite', '\\u0041 /x', /escape "\\u"/],
  ['path-rewrite', '(?<name>a) /x', /"\(\?" group/],
  ['path-rewrite', '[^] /x', /empty character class/],
  ['path-rewrite', '[[:alpha:]] /x', /POSIX/],
  ['path-rewrite', 'a{99999} /x', /repeats more than/],
  ['path-rewrite', '(.*) /%[src]\\"', /uses "\\" other than/],
  ['path-rewrite', '(.*) /"x"', /not valid in a URL path/],
  ['path-rewrite', '/a#b', /not a URL path/],
  ['set-host', 'Example.COM:8080', 'example.com:8080'],
  ['set-host', '10.0.0.1', '10.0.0.1'],
  ['set-host', 'a b', /not a host name/],
  ['set-host', 'example.com:0', /not a host name/],
  ['request-redirect', 'example.com:8443', { host: 'example.com', port: 8443 }],
  ['request-redirect', ':8443', /not a host name/],
  ['request-redirect-code', '308', 308],
  ['request-redirect-code', '300', /not one of 301, 302, 303, 307, 308/],
  ['ssl-redirect', 'false', false],
  ['ssl-redirect', 'yes', /not "true" or "false"/],
  // The spellings the HAProxy Technologies controller took, as its blog posts' ConfigMaps use them.
  ['ssl-redirect', 'OFF', false],
  ['ssl-redirect', 'on', true],
  ['ssl-redirect', 'Enabled', true],
  ['ssl-redirect', 'disabled', false],
  ['ssl-redirect', '1', true],
  ['ssl-redirect', 'F', false],
  ['ssl-redirect', 'offf', /not "true" or "false"/],
  ['ssl-redirect-port', '8443', 8443],
  ['ssl-redirect-port', '70000', /whole number from 1 to 65535/],
  // Access control
  ['allow-list', '10.0.0.0/8, 192.168.1.1\n::1,2001:DB8::/32', ['10.0.0.0/8', '192.168.1.1', '::1', '2001:db8::/32']],
  ['allow-list', '10.0.0.0/33', /prefix length that is not 0 to 32/],
  ['allow-list', '10.0.0.1 # comment', /"#" is not an IP/],
  ['allow-list', 'fe80::1%eth0', /not an IP/],
  ['allow-list', 'patterns/ips', /pattern file/],
  ['allow-list', ' , ', /lists no address/],
  ['auth-type', 'basic-auth', 'basic-auth'],
  ['auth-type', 'digest', /not "basic-auth"/],
  ['auth-realm', 'Admin Area', 'Admin Area'],
  ['auth-realm', 'say "hi"', /without/],
  ['auth-secret', 'other/users', /cross-namespace Secrets are not allowed/],
  ['auth-secret', 'users', /does not exist/],
  ['auth-secret', 'Bad_Name', /not a Secret name/],
  // Rate limiting
  ['rate-limit-requests', '10', 10],
  ['rate-limit-requests', '0', /from 1 to/],
  ['rate-limit-period', '1m', 60_000],
  ['rate-limit-period', '250', 250],
  ['rate-limit-period', '1.5s', /not a duration/],
  ['rate-limit-period', '99999999d', /longer than HAProxy allows/],
  ['rate-limit-status-code', '429', 429],
  ['rate-limit-status-code', '418', /not one of/],
  ['rate-limit-size', '100k', 100_000],
  ['rate-limit-size', '1M', 1_000_000],
  ['rate-limit-size', '10x', /not a number/],
  ['rate-limit-whitelist', '127.0.0.1', ['127.0.0.1']],
  // Headers and CORS
  ['request-set-header', 'X-Ingress abc 123\nX-Quoted "no-store, private"', [{ name: 'X-Ingress', value: 'abc 123' }, { name: 'X-Quoted', value: 'no-store, private' }]],
  ['request-set-header', 'X-Fetch %[src]', [{ name: 'X-Fetch', value: '%[src]' }]],
  ['request-set-header', 'X-Empty ""', /empty or not printable ASCII/],
  ['request-set-header', 'X-Utf8 caf\u00e9', /empty or not printable ASCII/],
  ['request-set-header', 'Content-Length 5', /frames the message/],
  ['request-set-header', 'Bad:Name x', /header name/],
  ['request-set-header', 'X-Only', /not "Name value"/],
  ['response-set-header', 'X-Tab a\u0001b', /not printable ASCII/],
  ['forwarded-for', 'false', false],
  ['cors-enable', 'true', true],
  ['cors-allow-origin', '*', { any: true }],
  ['cors-allow-origin', 'https://A.example.com, http://b.example.com:8080', { origins: ['https://a.example.com', 'http://b.example.com:8080'] }],
  ['cors-allow-origin', '^https://(.+\\.)?example\\.com$', { regex: '^https://(.+\\.)?example\\.com$' }],
  ['cors-allow-origin', 'example.com', /not "\*", a list of origins/],
  ['cors-allow-methods', 'get, POST', 'GET, POST'],
  ['cors-allow-methods', 'GET;rm', /comma-separated list of HTTP methods/],
  ['cors-allow-headers', 'X-Custom-Header, Authorization', 'X-Custom-Header, Authorization'],
  ['cors-allow-credentials', 'true', true],
  ['cors-max-age', '1m', 60],
  ['cors-max-age', '0', 0],
  // Backends
  ['load-balance', 'leastconn', 'leastconn'],
  ['load-balance', 'url_param userid', { urlParam: 'userid' }],
  ['load-balance', 'hdr(X-User)', { hdr: 'X-User' }],
  ['load-balance', 'hdr(a b)', /not one of/],
  ['load-balance', 'static-rr', /not one of/],
  ['pod-maxconn', '30', 30],
  ['timeout-queue', '10s', 10_000],
  ['check', 'false', false],
  ['check-http', '/healthz', { method: 'GET', uri: '/healthz' }],
  ['check-http', 'HEAD /healthz HTTP/1.1', { method: 'HEAD', uri: '/healthz', version: 'HTTP/1.1' }],
  ['check-http', 'HEAD /healthz HTTP/2', /not "URI"/],
  ['check-interval', '5s', 5000],
  ['cookie-persistence', 'SERVERID', 'SERVERID'],
  ['cookie-persistence', 'a;b', /not a cookie name/],
  ['send-proxy-protocol', 'proxy-v2', 'v2'],
  ['send-proxy-protocol', 'proxy', 'v1'],
  ['send-proxy-protocol', 'toString', /not one of/],
  ['server-ssl', 'true', true],
  ['server-proto', 'h2', 'h2'],
  ['server-proto', 'h3', /not "h2"/],
  ['timeout-server', '2m', 120_000],
  ['timeout-connect', '0', /at least 1ms/],
  ['retries', '0', 0],
  ['retries', '101', /from 0 to 100/],
  ['retry-on', 'conn-failure 503, 504', ['conn-failure', '503', '504']],
  ['retry-on', 'conn-failure 200', /not a list of/],
  // Global
  ['maxconn', '2000', 2000],
  ['nbthread', '65', /from 1 to 64/],
  ['timeout-tunnel', '2h', 7_200_000],
  ['hard-stop-after', '30s', 30_000],
  ['log-format', '%ci:%cp [%tr] %ft %b/%s %ST %B %{+Q}r %[var(txn.base),lower] 100%%', { format: '%ci:%cp [%tr] %ft %b/%s %ST %B %{+Q}r %[var(txn.base),lower] 100%%' }],
  ['log-format', '%[capture.req.hdr(0)] %[src,field(1,.)] %[var(txn.x),json(utf8)]', { format: '%[capture.req.hdr(0)] %[src,field(1,.)] %[var(txn.x),json(utf8)]' }],
  ['log-format', '%[req.hdr(host)]', /the fetch "req.hdr\(host\)", which is not supported/],
  ['log-format', '%[env(HOME)]', /the fetch "env\(HOME\)", which is not supported/],
  ['log-format', '%[capture.req.hdr(1,2)]', /wrong number of arguments/],
  ['log-format', '%[src,map(/etc/passwd)]', /the converter/],
  ['log-format', '%cifoo', /unknown variable/],
  ['log-format', '100%', /unknown variable/],
  ['log-format', '%[src', /without its "\]"/],
  ['syslog-server', 'address:127.0.0.1, port:514, facility:local0, level:info', [{ address: '127.0.0.1', port: 514, facility: 'local0', level: 'info' }]],
  ['syslog-server', 'address:stdout, format:raw, facility:daemon', [{ address: 'stdout', facility: 'daemon', format: 'raw' }]],
  ['syslog-server', 'address:/dev/log, facility:local0', /address that is not an IP/],
  ['syslog-server', 'address:127.0.0.1, facility:local9', /no facility/],
  ['syslog-server', 'address:127.0.0.1, facility:local0, level:loud', /invalid level/],
  // Snippets
  ['backend-config-snippet', '  http-response set-header X-A b\n\n# note\n  timeout check 2s', ['http-response set-header X-A b', 'timeout check 2s']],
  ['backend-config-snippet', 'http-request deny\nfrontend evil', /starts a new section \("frontend"\) on line 2/],
  ['global-config-snippet', '  ', /no directive/],
];

describe('each key reads its documented values and refuses the rest', () => {
  for (const [key, raw, expected] of ACCEPTED_AND_REFUSED) {
    test(`${key}: ${JSON.stringify(raw)}`, () => {
      const def = findKey(key)?.def;
      assert.ok(def, `${key} is registered`);
      const parsed = def.parse(raw, CONTEXT);
      if (expected instanceof RegExp) {
        assert.equal(parsed.ok, false, `refused, got ${JSON.stringify(parsed)}`);
        if (!parsed.ok) assert.match(parsed.reason, expected);
      } else {
        assert.deepEqual(parsed, { ok: true, value: expected });
      }
    });
  }
});

describe('the registry', () => {
  test('every key has one definition, a scope, a group and a one-line doc', () => {
    const names = new Set<string>();
    for (const def of ANNOTATION_KEYS) {
      for (const name of [def.name, ...(def.aliases ?? [])]) {
        assert.ok(!names.has(name), `${name} is defined once`);
        names.add(name);
      }
      assert.ok(def.scopes.length > 0 && def.group && def.doc && !def.doc.includes('\n'), def.name);
      assert.equal(def.fallback === undefined || def.defaultText !== undefined, true, `${def.name} documents its default`);
    }
  });

  test('old names lead to the current key', () => {
    assert.deepEqual(findKey('whitelist'), { def: findKey('allow-list')!.def, alias: true });
    assert.deepEqual(findKey('blacklist'), { def: findKey('deny-list')!.def, alias: true });
  });

  test('every key listed in the issue is supported', () => {
    const wanted = `path-rewrite set-host request-redirect request-redirect-code ssl-redirect ssl-redirect-code ssl-redirect-port
      allow-list deny-list whitelist blacklist auth-type auth-secret auth-realm rate-limit-requests rate-limit-period
      rate-limit-status-code rate-limit-size rate-limit-whitelist request-set-header response-set-header forwarded-for
      cors-enable cors-allow-origin cors-allow-methods cors-allow-headers cors-allow-credentials cors-max-age load-balance
      pod-maxconn timeout-queue check check-http check-interval cookie-persistence send-proxy-protocol server-ssl server-ca
      server-crt server-proto timeout-server timeout-connect retries retry-on maxconn nbthread timeout-client
      timeout-http-request timeout-http-keep-alive timeout-tunnel hard-stop-after log-format syslog-server ssl-certificate
      global-config-snippet frontend-config-snippet backend-config-snippet`.split(/\s+/);
    assert.deepEqual(wanted.filter((key) => !findKey(key)), []);
  });
});
