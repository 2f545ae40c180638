import { FALLBACK_CERTIFICATE_LINE as FALLBACK, GLOBAL_LINES as GLOBAL, runTranslateCases } from '../../../test/support/fixtures.js';

/** Fingerprints of the fixture certificates, as `openssl x509 -fingerprint -sha256` prints them (first 8 bytes). */
const FP = {
  fooBarCom: '5ebb12a4edcd7df7',
  wildcard: '241082c0d1d0f25b',
  rsa: 'd7b16e5ce2b9b56c',
  other: 'e33b697df7c69c8e',
  default: 'f0bba827cfac1417',
};
const WEB = 'default_web_80';
const WEB_BACKEND = 'backend default_web_80 (Service default/web): 10.0.0.1:8080 ready';
const WEB_TLS_CERT = `certificate default_web-tls web.example.com sha256=${FP.fooBarCom} (Secret default/web-tls)`;

function unusable(ingress: string, secret: string, reason: string): string {
  return `error PCL_TLS_SECRET_INVALID Ingress default/${ingress}: Secret "default/${secret}" is not a usable TLS Secret: ${reason}`;
}

const NO_KEY_PEM = 'tls.key holds no unencrypted PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)';
const MISMATCH = 'tls.key does not belong to the certificate in tls.crt';

runTranslateCases([
  {
    desc: 'tls certificate redirects the hosts it covers',
    expected: [
      ...GLOBAL,
      `route (any) / prefix -> ${WEB} (Ingress default/web)`,
      `route plain.example.com / prefix -> ${WEB} (Ingress default/web)`,
      `route secure.example.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/web)`,
      WEB_BACKEND,
      `certificate default_rsa-tls secure.example.com sha256=${FP.rsa} (Secret default/rsa-tls)`,
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'tls entry without hosts covers the rule hosts',
    expected: [
      ...GLOBAL,
      `route (any) / prefix -> ${WEB} (Ingress default/web)`,
      `route a.example.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/web)`,
      `route b.example.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/web)`,
      `route nosecret.example.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/web)`,
      WEB_BACKEND,
      `certificate default_wild-tls a.example.com,b.example.com,nosecret.example.com sha256=${FP.wildcard} (Secret default/wild-tls)`,
      FALLBACK,
    ],
    diagnostics: [
      'error PCL_INVALID_HOST Ingress default/web: host "bad host" is invalid ' +
        '(the label "bad host" has characters other than letters, digits and inner "-"); its rule is ignored',
    ],
    ingresses: ['default/web'],
  },
  {
    desc: 'tls secret shared by two ingresses merges its hosts',
    expected: [
      ...GLOBAL,
      `route a.example.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/a)`,
      `route b.example.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/b)`,
      WEB_BACKEND,
      `certificate default_shared-tls a.example.com,b.example.com,both.example.com sha256=${FP.fooBarCom} (Secret default/shared-tls)`,
      `certificate other_shared-tls c.example.com sha256=${FP.other} (Secret other/shared-tls)`,
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/a', 'default/b', 'other/c'],
  },
  {
    desc: 'tls host claimed by two secrets the older ingress wins',
    expected: [
      ...GLOBAL,
      `certificate default_first-tls old.example.com,shared.example.com sha256=${FP.fooBarCom} (Secret default/first-tls)`,
      `certificate default_second-tls new.example.com sha256=${FP.other} (Secret default/second-tls)`,
      FALLBACK,
    ],
    diagnostics: [
      'warning PCL_TLS_HOST_CONFLICT Ingress default/new: TLS host "shared.example.com" of Secret "default/second-tls" is ignored: ' +
        'Secret "default/first-tls" already serves it (the oldest Ingress wins)',
      'warning PCL_TLS_HOST_CONFLICT Ingress default/newest: TLS host "shared.example.com" of Secret "default/third-tls" is ignored: ' +
        'Secret "default/first-tls" already serves it (the oldest Ingress wins)',
    ],
    ingresses: ['default/new', 'default/newest', 'default/old'],
  },
  {
    desc: 'tls secret missing',
    expected: [...GLOBAL, `route web.example.com / prefix -> ${WEB} (Ingress default/web)`, WEB_BACKEND, FALLBACK],
    diagnostics: [
      'error PCL_TLS_SECRET_NOT_FOUND Ingress default/web: Secret "default/missing-tls" does not exist; its hosts get the default certificate',
    ],
    ingresses: ['default/web'],
  },
  {
    desc: 'tls secrets that are not usable are reported',
    expected: [...GLOBAL, `route mismatched.example.com / prefix -> ${WEB} (Ingress default/web)`, WEB_BACKEND, FALLBACK],
    diagnostics: [
      unusable('web', 'broken-cert', 'tls.crt holds a CERTIFICATE block that cannot be parsed'),
      unusable('web', 'crt-as-key', NO_KEY_PEM),
      unusable('web', 'encrypted', NO_KEY_PEM),
      unusable('web', 'key-as-crt', 'tls.crt holds no PEM CERTIFICATE'),
      unusable('web', 'mismatched', MISMATCH),
      unusable('web', 'no-key', 'tls.key is missing, empty or not base64'),
      unusable('web', 'not-base64', 'tls.crt is missing, empty or not base64'),
      unusable('web', 'not-pem', 'tls.crt holds no PEM CERTIFICATE'),
      unusable('web-too', 'mismatched', MISMATCH),
    ],
    ingresses: ['default/web', 'default/web-too'],
  },
  {
    desc: 'tls secret in another namespace is refused',
    expected: [...GLOBAL, `route web.example.com / prefix -> ${WEB} (Ingress default/web)`, WEB_BACKEND, FALLBACK],
    diagnostics: [
      'error PCL_TLS_SECRET_CROSS_NAMESPACE Ingress default/web: Secret "other/foo-tls" is not in the Ingress\'s namespace "default"; it is refused',
    ],
    ingresses: ['default/web'],
  },
  {
    desc: 'wildcard certificate covers one label',
    expected: [
      ...GLOBAL,
      `route *.bar.foo.com / prefix -> ${WEB} (Ingress default/web)`,
      `route *.foo.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/web)`,
      `route a.b.foo.com / prefix -> ${WEB} (Ingress default/web)`,
      `route bar.foo.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/web)`,
      `route baz.foo.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/web)`,
      `route foo.com / prefix -> ${WEB} (Ingress default/web)`,
      WEB_BACKEND,
      `certificate default_wild-tls *.foo.com sha256=${FP.wildcard} (Secret default/wild-tls)`,
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'ssl redirect disabled by the config map',
    options: { configMap: 'system/portcullis' },
    expected: [...GLOBAL, `route web.example.com / prefix -> ${WEB} (Ingress default/web)`, WEB_BACKEND, WEB_TLS_CERT, FALLBACK],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'ssl redirect code from the config map',
    options: { configMap: 'system/portcullis', httpsPort: 443 },
    expected: [
      'global bind=127.0.0.1 http=8080 https=443 maxconn=0 nbthread=0 hard-stop-after=1800000 server-header=portcullis',
      GLOBAL[1],
      `route web.example.com / prefix -> ${WEB} redirect=301:443 (Ingress default/web)`,
      WEB_BACKEND,
      WEB_TLS_CERT,
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'invalid config map values fall back to the defaults',
    options: { configMap: 'system/portcullis' },
    expected: [...GLOBAL, `route web.example.com / prefix -> ${WEB} redirect=302:8443 (Ingress default/web)`, WEB_BACKEND, WEB_TLS_CERT, FALLBACK],
    diagnostics: [
      'error PCL_INVALID_CONFIG_VALUE ConfigMap system/portcullis: ssl-redirect-code: "304" is not one of 301, 302, 303, 307, 308; the default 302 is used',
      'error PCL_INVALID_CONFIG_VALUE ConfigMap system/portcullis: ssl-redirect: "yes" is not "true" or "false"; the default true is used',
    ],
    ingresses: ['default/web'],
  },
  {
    desc: 'default certificate from a secret',
    options: { defaultSslCertificate: 'system/default-cert' },
    expected: [...GLOBAL, `default-certificate default sha256=${FP.default} (Secret system/default-cert)`],
    diagnostics: [],
    ingresses: [],
  },
  {
    desc: 'default certificate secret missing falls back to the generated one',
    options: { defaultSslCertificate: 'system/nothing' },
    expected: [...GLOBAL, FALLBACK],
    diagnostics: [
      'error PCL_DEFAULT_CERTIFICATE_INVALID Secret system/nothing: Secret "system/nothing" cannot be the default certificate ' +
        '(it does not exist); a generated certificate is served',
    ],
    ingresses: [],
  },
  {
    desc: 'default certificate secret invalid falls back to the generated one',
    options: { defaultSslCertificate: 'system/bad-cert' },
    expected: [...GLOBAL, FALLBACK],
    diagnostics: [
      'error PCL_DEFAULT_CERTIFICATE_INVALID Secret system/bad-cert: Secret "system/bad-cert" cannot be the default certificate ' +
        `(${MISMATCH}); a generated certificate is served`,
    ],
    ingresses: [],
  },
  {
    desc: 'invalid tls hosts are reported',
    expected: [...GLOBAL, `certificate default_web-tls ok.example.com sha256=${FP.fooBarCom} (Secret default/web-tls)`, FALLBACK],
    diagnostics: [
      'error PCL_INVALID_HOST Ingress default/web: TLS host "" of Secret "default/web-tls" is invalid (it is empty); it is ignored',
      'error PCL_INVALID_HOST Ingress default/web: TLS host "10.0.0.1" of Secret "default/web-tls" is invalid ' +
        '(it is an IP address or has a port; only DNS names are allowed); it is ignored',
      'error PCL_INVALID_HOST Ingress default/web: TLS host "bad host" of Secret "default/web-tls" is invalid ' +
        '(the label "bad host" has characters other than letters, digits and inner "-"); it is ignored',
    ],
    ingresses: ['default/web'],
  },
  {
    desc: 'conformance host rules',
    expected: [
      ...GLOBAL,
      'route *.foo.com / prefix -> conformance_wildcard-foo-com_8080 (Ingress conformance/host-rules)',
      'route foo.bar.com / prefix -> conformance_foo-bar-com_8080 redirect=302:8443 (Ingress conformance/host-rules)',
      'backend conformance_foo-bar-com_8080 (Service conformance/foo-bar-com): 10.1.0.2:3000 ready',
      'backend conformance_wildcard-foo-com_8080 (Service conformance/wildcard-foo-com): 10.1.0.1:3000 ready',
      `certificate conformance_conformance-tls foo.bar.com sha256=${FP.fooBarCom} (Secret conformance/conformance-tls)`,
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['conformance/host-rules'],
  },
]);
