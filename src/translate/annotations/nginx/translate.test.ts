import { FALLBACK_CERTIFICATE_LINE as FALLBACK, GLOBAL_LINES as GLOBAL, runTranslateCases } from '../../../../test/support/fixtures.js';

/** ingress-nginx annotations through the whole translation (fixtures in `test/fixtures/translate/`). */
runTranslateCases([
  {
    desc: 'ingress-nginx annotations feed our keys',
    expected: [
      ...GLOBAL,
      'route web.example.com (?:/[sS][oO][mM][eE][tT][hH][iI][nN][gG](/|$)(.*)).* regex -> default_web_80_694a4c504639 (Ingress default/rewrite)',
      'route web.example.com (?:/[dD][oO][cC][sS]).* regex -> default_web_80_1ed04ae40ca9 (Ingress default/same-host)',
      'route web.example.com /exact exact -> default_web_80_1ed04ae40ca9 (Ingress default/same-host)',
      'backend default_web_80_1ed04ae40ca9 (Ingress default/same-host): 10.0.0.1:8080 ready',
      '  balance source',
      '  redirect new.example.com code=308 scheme=https path=/landing',
      'backend default_web_80_694a4c504639 (Ingress default/rewrite): 10.0.0.1:8080 ready',
      '  balance leastconn',
      '  allow 10.0.0.0/8',
      '  rate-limit 50/1000ms status=503 size=100000',
      '  path-rewrite "^(?:/[sS][oO][mM][eE][tT][hH][iI][nN][gG](/|(?=\\\\?|$))(.*))[^?]*(\\\\?.*)?$" "/\\\\2\\\\3"',
      '  set-host internal.example.com',
      '  server check=off ssl proto=h2',
      '  timeouts server=120000',
      '  retries count=1',
      FALLBACK,
    ],
    diagnostics: [
      'error PCL_INVALID_ANNOTATION Ingress default/rewrite: nginx.ingress.kubernetes.io/proxy-connect-timeout: "soon" is not a number of seconds from 1 to 2147483; it is ignored',
      'warning PCL_UNKNOWN_ANNOTATION Ingress default/rewrite: nginx.ingress.kubernetes.io/configuration-snippet is not served (nginx configuration cannot run in HAProxy); instead: haproxy.org/request-set-header, response-set-header, path-rewrite, set-host or request-redirect; raw HAProxy lines through haproxy.org/backend-config-snippet with --allow-config-snippets',
    ],
    ingresses: ['default/rewrite', 'default/same-host'],
  },
]);
