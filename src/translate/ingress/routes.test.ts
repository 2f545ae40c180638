import { FALLBACK_CERTIFICATE_LINE as FALLBACK, GLOBAL_LINES as GLOBAL, runTranslateCases } from '../../../test/support/fixtures.js';

const WEB = 'default_web_80';
const WEB_BACKEND = 'backend default_web_80 (Service default/web): 10.0.0.1:8080 ready';
const LONG_LABEL = 'a'.repeat(64);
const LONG_HOST = `${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(61)}.com`;

function invalidHost(raw: string, reason: string): string {
  return `error PCL_INVALID_HOST Ingress default/hosts: host "${raw}" is invalid (${reason}); its rule is ignored`;
}

function invalidPath(code: string, message: string): string {
  return `error ${code} Ingress default/paths: host "paths.example.com": ${message}; the path is ignored`;
}

const WILDCARD = 'a wildcard is only allowed as the whole first label ("*.")';
const NOT_DNS = 'it is an IP address or has a port; only DNS names are allowed';
const BAD_CHARS = 'has characters that are not valid in a URL path';

runTranslateCases([
  {
    desc: 'hosts are lower-cased and wildcards kept',
    expected: [
      ...GLOBAL,
      `route (any) /any prefix -> ${WEB} (Ingress default/hosts)`,
      `route (any) /empty prefix -> ${WEB} (Ingress default/hosts)`,
      `route *.example.com / prefix -> ${WEB} (Ingress default/hosts)`,
      `route single-label / prefix -> ${WEB} (Ingress default/hosts)`,
      `route web.example.com / prefix -> ${WEB} (Ingress default/hosts)`,
      WEB_BACKEND,
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/hosts'],
  },
  {
    desc: 'invalid hosts skip their rule',
    expected: [...GLOBAL, `route good.example.com / prefix -> ${WEB} (Ingress default/hosts)`, WEB_BACKEND, FALLBACK],
    diagnostics: [
      invalidHost('*', WILDCARD),
      invalidHost('*.*.example.com', WILDCARD),
      invalidHost('-lead.example.com', 'the label "-lead" has characters other than letters, digits and inner "-"'),
      invalidHost('10.0.0.1', NOT_DNS),
      invalidHost('a..example.com', 'it has an empty label'),
      invalidHost(LONG_HOST, 'it is longer than 253 characters'),
      invalidHost(`${LONG_LABEL}.example.com`, `the label "${LONG_LABEL}" is longer than 63 characters`),
      invalidHost('bad host.example.com', 'the label "bad host" has characters other than letters, digits and inner "-"'),
      invalidHost('foo.*.example.com', WILDCARD),
      invalidHost('trailing.example.com.', 'it has an empty label'),
      invalidHost('under_score.example.com', 'the label "under_score" has characters other than letters, digits and inner "-"'),
      invalidHost('web.example.com:8080', NOT_DNS),
    ],
    ingresses: ['default/hosts'],
  },
  {
    desc: 'path types exact prefix and implementation specific',
    expected: [
      ...GLOBAL,
      `route no-path-impl.example.com / prefix -> ${WEB} (Ingress default/paths)`,
      `route no-path.example.com / prefix -> ${WEB} (Ingress default/paths)`,
      `route paths.example.com / exact -> ${WEB} (Ingress default/paths)`,
      `route paths.example.com / prefix -> ${WEB} (Ingress default/paths)`,
      `route paths.example.com /a:b@c!$&'()*+,;=~%20.-_ exact -> ${WEB} (Ingress default/paths)`,
      `route paths.example.com /exact exact -> ${WEB} (Ingress default/paths)`,
      `route paths.example.com /exact/ exact -> ${WEB} (Ingress default/paths)`,
      `route paths.example.com /impl prefix -> ${WEB} (Ingress default/paths)`,
      `route paths.example.com /many prefix -> ${WEB} (Ingress default/paths)`,
      `route paths.example.com /prefix prefix -> ${WEB} (Ingress default/paths)`,
      WEB_BACKEND,
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/paths'],
  },
  {
    desc: 'invalid paths and path types are skipped',
    expected: [...GLOBAL, `route paths.example.com /good prefix -> ${WEB} (Ingress default/paths)`, WEB_BACKEND, FALLBACK],
    diagnostics: [
      invalidPath('PCL_INVALID_PATH', 'path "" does not start with "/"'),
      invalidPath('PCL_INVALID_PATH', `path "/bad%zz" ${BAD_CHARS}`),
      invalidPath('PCL_INVALID_PATH', `path "/café" ${BAD_CHARS}`),
      invalidPath('PCL_INVALID_PATH', `path "/page#fragment" ${BAD_CHARS}`),
      invalidPath('PCL_INVALID_PATH', `path "/regex(a|b)" ${BAD_CHARS}`),
      invalidPath('PCL_INVALID_PATH', `path "/search?q=1" ${BAD_CHARS}`),
      invalidPath('PCL_INVALID_PATH', `path "/tab\\there" ${BAD_CHARS}`),
      invalidPath('PCL_INVALID_PATH', `path "/with space" ${BAD_CHARS}`),
      invalidPath('PCL_INVALID_PATH', 'path "relative" does not start with "/"'),
      invalidPath('PCL_INVALID_PATH_TYPE', 'pathType "Regex" is not Exact, Prefix or ImplementationSpecific'),
      invalidPath('PCL_INVALID_PATH_TYPE', 'pathType is missing (Exact, Prefix or ImplementationSpecific)'),
    ],
    ingresses: ['default/paths'],
  },
  {
    desc: 'route conflict the older ingress wins',
    expected: [
      ...GLOBAL,
      'route web.example.com /new-only prefix -> default_new_80 (Ingress default/a-new)',
      'route web.example.com /shared exact -> default_new_80 (Ingress default/a-new)',
      'route web.example.com /shared prefix -> default_old_80 (Ingress default/b-old)',
      'backend default_new_80 (Service default/new): 10.0.0.1:8080 ready',
      'backend default_old_80 (Service default/old): 10.0.0.2:8080 ready',
      FALLBACK,
    ],
    diagnostics: [
      'warning PCL_ROUTE_CONFLICT Ingress default/a-new: host "web.example.com", prefix path "/shared" is ignored: ' +
        'it is already routed by Ingress default/b-old (the oldest Ingress wins)',
    ],
    ingresses: ['default/a-new', 'default/b-old'],
  },
  {
    desc: 'route conflict between ingresses of the same age falls back to namespace and name',
    expected: [
      ...GLOBAL,
      'route (any) / prefix -> alpha_web_80 (Ingress alpha/z)',
      'backend alpha_web_80 (Service alpha/web): 10.0.1.1:8080 ready',
      FALLBACK,
    ],
    diagnostics: [
      'warning PCL_ROUTE_CONFLICT Ingress aaa/undated: any host, prefix path "/" is ignored: it is already routed by Ingress alpha/z (the oldest Ingress wins)',
      'warning PCL_ROUTE_CONFLICT Ingress beta/a: any host, prefix path "/" is ignored: it is already routed by Ingress alpha/z (the oldest Ingress wins)',
    ],
    ingresses: ['aaa/undated', 'alpha/z', 'beta/a'],
  },
  {
    desc: 'route conflict within one ingress keeps the first path',
    expected: [
      ...GLOBAL,
      'route web.example.com /app prefix -> default_first_80 (Ingress default/twice)',
      'backend default_first_80 (Service default/first): 10.0.0.1:8080 ready',
      FALLBACK,
    ],
    diagnostics: [
      'warning PCL_ROUTE_CONFLICT Ingress default/twice: host "web.example.com", prefix path "/app" is ignored: it is already routed by an earlier path of this Ingress',
    ],
    ingresses: ['default/twice'],
  },
  {
    desc: 'resource and incomplete backends are reported',
    expected: [...GLOBAL, `route web.example.com /ok prefix -> ${WEB} (Ingress default/backends)`, WEB_BACKEND, FALLBACK],
    diagnostics: [
      'error PCL_BACKEND_MISSING Ingress default/backends: host "web.example.com", path "/no-port": the backend names Service "web" but no port',
      'error PCL_BACKEND_MISSING Ingress default/backends: host "web.example.com", path "/nothing": the backend names no Service',
      'error PCL_RESOURCE_BACKEND_UNSUPPORTED Ingress default/backends: host "web.example.com", path "/bucket": ' +
        'resource backend StorageBucket "static-assets" is not supported; only Service backends are',
      'error PCL_RESOURCE_BACKEND_UNSUPPORTED Ingress default/backends: spec.defaultBackend: ' +
        'resource backend StorageBucket "static-assets" is not supported; only Service backends are',
    ],
    ingresses: ['default/backends'],
  },
  {
    desc: 'conformance path rules',
    expected: [
      ...GLOBAL,
      'route exact-path-rules /foo exact -> conformance_foo-exact_8080 (Ingress conformance/path-rules)',
      'route mixed-path-rules /foo exact -> conformance_foo-exact_8080 (Ingress conformance/path-rules)',
      'route mixed-path-rules /foo prefix -> conformance_foo-prefix_8080 (Ingress conformance/path-rules)',
      'route prefix-path-rules /aaa prefix -> conformance_aaa-prefix_8080 (Ingress conformance/path-rules)',
      'route prefix-path-rules /aaa/bbb prefix -> conformance_aaa-slash-bbb-prefix_8080 (Ingress conformance/path-rules)',
      'route prefix-path-rules /foo prefix -> conformance_foo-prefix_8080 (Ingress conformance/path-rules)',
      'route trailing-slash-path-rules /aaa/bbb prefix -> conformance_aaa-slash-bbb-slash-prefix_8080 (Ingress conformance/path-rules)',
      'route trailing-slash-path-rules /foo/ exact -> conformance_foo-slash-exact_8080 (Ingress conformance/path-rules)',
      'backend conformance_aaa-prefix_8080 (Service conformance/aaa-prefix): 10.1.0.4:3000 ready',
      'backend conformance_aaa-slash-bbb-prefix_8080 (Service conformance/aaa-slash-bbb-prefix): 10.1.0.3:3000 ready',
      'backend conformance_aaa-slash-bbb-slash-prefix_8080 (Service conformance/aaa-slash-bbb-slash-prefix): 10.1.0.5:3000 ready',
      'backend conformance_foo-exact_8080 (Service conformance/foo-exact): 10.1.0.1:3000 ready',
      'backend conformance_foo-prefix_8080 (Service conformance/foo-prefix): 10.1.0.2:3000 ready',
      'backend conformance_foo-slash-exact_8080 (Service conformance/foo-slash-exact): 10.1.0.6:3000 ready',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['conformance/path-rules'],
  },
]);
