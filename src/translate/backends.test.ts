import { FALLBACK_CERTIFICATE_LINE as FALLBACK, GLOBAL_LINES as GLOBAL, runTranslateCases } from '../../test/support/fixtures.js';

const WEB_ROUTE = 'route web.example.com / prefix -> default_web_80 (Ingress default/web)';
const WEB_BACKEND = 'backend default_web_80 (Service default/web): 10.0.0.1:8080 ready';

runTranslateCases([
  {
    desc: 'service ports by name and number share one backend',
    expected: [
      ...GLOBAL,
      'route shop.example.com /admin prefix -> shop_api_9090 (Ingress shop/ports)',
      'route shop.example.com /by-name prefix -> shop_api_80 (Ingress shop/ports)',
      'route shop.example.com /by-number prefix -> shop_api_80 (Ingress shop/ports)',
      'backend shop_api_80 (Service shop/api): 10.0.0.1:8080 ready, 10.0.0.2:8080 ready',
      'backend shop_api_9090 (Service shop/api): 10.0.0.1:9901 ready, 10.0.0.2:9901 ready',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['shop/ports'],
  },
  {
    desc: 'unnamed service port matches unnamed slice port',
    expected: [
      ...GLOBAL,
      'route (any) / prefix -> default_web_80 (Ingress default/web)',
      'backend default_web_80 (Service default/web): 10.0.0.1:8080 ready, 10.0.0.2:8080 ready',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'endpoint conditions decide the server state',
    expected: [
      ...GLOBAL,
      'route (any) / prefix -> default_web_80 (Ingress default/web)',
      'backend default_web_80 (Service default/web): 10.0.0.1:8080 ready, 10.0.0.10:8080 ready, 10.0.0.2:8080 ready, ' +
        '10.0.0.3:8080 ready, 10.0.0.4:8080 drain',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'duplicate endpoints across slices count once',
    expected: [
      ...GLOBAL,
      'route (any) / prefix -> default_web_80 (Ingress default/web)',
      'backend default_web_80 (Service default/web): 10.0.0.1:8080 ready, 10.0.0.1:8081 ready, 10.0.0.2:8080 ready, ' +
        '10.0.0.3:8080 drain, fd00::1:8080 ready',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'service without ready endpoints is reported once',
    expected: [
      ...GLOBAL,
      'route other.example.com / prefix -> default_empty_80 (Ingress default/web-too)',
      'route web.example.com /draining prefix -> default_draining_80 (Ingress default/web)',
      'route web.example.com /empty prefix -> default_empty_80 (Ingress default/web)',
      'route web.example.com /empty-admin prefix -> default_empty_9090 (Ingress default/web)',
      'backend default_draining_80 (Service default/draining): 10.0.0.1:8080 drain',
      'backend default_empty_80 (Service default/empty): no servers',
      'backend default_empty_9090 (Service default/empty): no servers',
      FALLBACK,
    ],
    diagnostics: [
      'warning PCL_NO_READY_ENDPOINTS Service default/draining: Service "default/draining" has no ready endpoint; requests for it get 503',
      'warning PCL_NO_READY_ENDPOINTS Service default/empty: Service "default/empty" has no ready endpoint; requests for it get 503',
    ],
    ingresses: ['default/web', 'default/web-too'],
  },
  {
    desc: 'missing service keeps the route on an empty backend',
    expected: [
      ...GLOBAL,
      'route web.example.com /by-name prefix -> default_missing_http (Ingress default/web)',
      'route web.example.com /by-number prefix -> default_missing_80 (Ingress default/web)',
      'route web.example.com /by-number-again exact -> default_missing_80 (Ingress default/web)',
      'backend default_missing_80 (Service default/missing): no servers',
      'backend default_missing_http (Service default/missing): no servers',
      FALLBACK,
    ],
    diagnostics: ['error PCL_SERVICE_NOT_FOUND Ingress default/web: Service "default/missing" does not exist; requests for it get 503'],
    ingresses: ['default/web'],
  },
  {
    desc: 'missing service port keeps the route on an empty backend',
    expected: [
      ...GLOBAL,
      'route web.example.com / prefix -> default_web_80 (Ingress default/web)',
      'route web.example.com /by-name prefix -> default_web_grpc (Ingress default/web)',
      'route web.example.com /by-number prefix -> default_web_8080 (Ingress default/web)',
      WEB_BACKEND,
      'backend default_web_8080 (Service default/web): no servers',
      'backend default_web_grpc (Service default/web): no servers',
      FALLBACK,
    ],
    diagnostics: [
      'error PCL_SERVICE_PORT_NOT_FOUND Ingress default/web: Service "default/web" has no port 8080; requests for it get 503',
      'error PCL_SERVICE_PORT_NOT_FOUND Ingress default/web: Service "default/web" has no port named "grpc"; requests for it get 503',
    ],
    ingresses: ['default/web'],
  },
  {
    desc: 'external name services',
    expected: [
      ...GLOBAL,
      'route external.example.com /listed-by-name prefix -> default_listed_443 (Ingress default/external)',
      'route external.example.com /listed-by-number prefix -> default_listed_443 (Ingress default/external)',
      'route external.example.com /unlisted-name prefix -> default_portless_https (Ingress default/external)',
      'route external.example.com /unlisted-number prefix -> default_portless_8443 (Ingress default/external)',
      'backend default_listed_443 (Service default/listed): api.upstream.example:443 ready',
      'backend default_portless_8443 (Service default/portless): other.upstream.example:8443 ready',
      'backend default_portless_https (Service default/portless): no servers',
      FALLBACK,
    ],
    diagnostics: [
      'error PCL_SERVICE_PORT_NOT_FOUND Ingress default/external: Service "default/portless" has no port named "https"; requests for it get 503',
    ],
    ingresses: ['default/external'],
  },
  {
    desc: 'ingress default backend',
    options: { defaultBackendService: 'default/fallback' },
    expected: [
      ...GLOBAL,
      'default-backend conformance_echo-service_8080',
      'backend conformance_echo-service_8080 (Service conformance/echo-service): 10.1.0.1:3000 ready',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['conformance/default-backend'],
  },
  {
    desc: 'default backend conflict the older ingress wins',
    expected: [...GLOBAL, 'default-backend default_old_80', 'backend default_old_80 (Service default/old): 10.0.0.2:8080 ready', FALLBACK],
    diagnostics: [
      'warning PCL_DEFAULT_BACKEND_CONFLICT Ingress default/a-new: spec.defaultBackend is ignored: ' +
        'Ingress default/b-old already sets the default backend (the oldest Ingress wins)',
      'warning PCL_DEFAULT_BACKEND_CONFLICT Ingress default/c-newest: spec.defaultBackend is ignored: ' +
        'Ingress default/b-old already sets the default backend (the oldest Ingress wins)',
    ],
    ingresses: ['default/a-new', 'default/b-old', 'default/c-newest'],
  },
  {
    desc: 'ingress default backend with a missing service',
    options: { defaultBackendService: 'default/fallback' },
    expected: [...GLOBAL, 'default-backend default_missing_80', 'backend default_missing_80 (Service default/missing): no servers', FALLBACK],
    diagnostics: ['error PCL_SERVICE_NOT_FOUND Ingress default/web: Service "default/missing" does not exist; requests for it get 503'],
    ingresses: ['default/web'],
  },
  {
    desc: 'default backend service from the command line',
    options: { defaultBackendService: 'system/fallback' },
    expected: [
      ...GLOBAL,
      WEB_ROUTE,
      'default-backend system_fallback_80',
      WEB_BACKEND,
      'backend system_fallback_80 (Service system/fallback): 10.0.0.9:8080 ready',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'default backend service from the command line with a port name',
    options: { defaultBackendService: 'system/fallback:metrics' },
    expected: [
      ...GLOBAL,
      WEB_ROUTE,
      'default-backend system_fallback_9100',
      WEB_BACKEND,
      'backend system_fallback_9100 (Service system/fallback): 10.0.0.9:9100 ready',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'default backend service from the command line with a port number',
    options: { defaultBackendService: 'system/fallback:9100' },
    expected: [
      ...GLOBAL,
      WEB_ROUTE,
      'default-backend system_fallback_9100',
      WEB_BACKEND,
      'backend system_fallback_9100 (Service system/fallback): 10.0.0.9:9100 ready',
      FALLBACK,
    ],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'default backend service from the command line with a missing port',
    options: { defaultBackendService: 'system/fallback:9999' },
    expected: [
      ...GLOBAL,
      WEB_ROUTE,
      'default-backend system_fallback_9999',
      WEB_BACKEND,
      'backend system_fallback_9999 (Service system/fallback): no servers',
      FALLBACK,
    ],
    diagnostics: [
      'error PCL_SERVICE_PORT_NOT_FOUND Service system/fallback: Service "system/fallback" has no port 9999; requests for it get 503',
    ],
    ingresses: ['default/web'],
  },
  {
    desc: 'default backend service from the command line that does not exist',
    options: { defaultBackendService: 'system/nothing' },
    expected: [...GLOBAL, WEB_ROUTE, WEB_BACKEND, FALLBACK],
    diagnostics: [
      'error PCL_DEFAULT_BACKEND_SERVICE_NOT_FOUND Service system/nothing: Service "system/nothing" does not exist; unmatched requests get 404',
    ],
    ingresses: ['default/web'],
  },
  {
    desc: 'odd and incomplete objects never make translate throw',
    options: { watchIngressWithoutClass: true },
    expected: [
      ...GLOBAL,
      'route odd.example.com / prefix -> default_portless_80 (Ingress default/odd)',
      'route odd.example.com /empty-slices prefix -> default_sliced_80 (Ingress default/odd)',
      'route odd.example.com /nameless prefix -> default_nameless-external_80 (Ingress default/odd)',
      'backend default_nameless-external_80 (Service default/nameless-external): no servers',
      'backend default_portless_80 (Service default/portless): no servers',
      'backend default_sliced_80 (Service default/sliced): no servers',
      FALLBACK,
    ],
    diagnostics: [
      'error PCL_BACKEND_MISSING Ingress default/odd: spec.defaultBackend: the backend names no Service',
      'error PCL_SERVICE_PORT_NOT_FOUND Ingress default/odd: Service "default/portless" has no port 80; requests for it get 503',
      'error PCL_TLS_SECRET_INVALID Ingress default/odd: Secret "default/empty" is not a usable TLS Secret: tls.crt is missing, empty or not base64',
      'warning PCL_NO_READY_ENDPOINTS Service default/nameless-external: Service "default/nameless-external" has no ready endpoint; requests for it get 503',
      'warning PCL_NO_READY_ENDPOINTS Service default/sliced: Service "default/sliced" has no ready endpoint; requests for it get 503',
    ],
    ingresses: ['default/bare', 'default/odd', 'default/tls-only'],
  },
]);
