import { FALLBACK_CERTIFICATE_LINE as FALLBACK, GLOBAL_LINES as GLOBAL, runTranslateCases } from '../../../test/support/fixtures.js';

const WEB_ROUTE = 'route web.example.com / prefix -> default_web_80';
const WEB_BACKEND = 'backend default_web_80 (Service default/web): 10.0.0.1:8080 ready';

runTranslateCases([
  {
    desc: 'class by ingressClassName of our controller',
    expected: [...GLOBAL, `${WEB_ROUTE} (Ingress default/web)`, WEB_BACKEND, FALLBACK],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'class by ingressClassName with another name for our controller',
    expected: [...GLOBAL, `${WEB_ROUTE} (Ingress default/web)`, WEB_BACKEND, FALLBACK],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'class of another controller is ignored',
    expected: [...GLOBAL, FALLBACK],
    diagnostics: [],
    ingresses: [],
  },
  {
    desc: 'class that does not exist is ignored without a warning',
    expected: [...GLOBAL, FALLBACK],
    diagnostics: [],
    ingresses: [],
  },
  {
    desc: 'our class name without its IngressClass is reported',
    expected: [...GLOBAL, FALLBACK],
    diagnostics: [
      'warning PCL_INGRESS_CLASS_NOT_FOUND Ingress default/web: IngressClass "portcullis" does not exist; the Ingress is ignored',
    ],
    ingresses: [],
  },
  {
    desc: 'default class of ours takes ingresses without a class',
    expected: [...GLOBAL, `${WEB_ROUTE} (Ingress default/classless)`, WEB_BACKEND, FALLBACK],
    diagnostics: [],
    ingresses: ['default/classless'],
  },
  {
    desc: 'default class of another controller leaves ingresses without a class alone',
    expected: [...GLOBAL, FALLBACK],
    diagnostics: [],
    ingresses: [],
  },
  {
    desc: 'legacy class annotation',
    expected: [...GLOBAL, `${WEB_ROUTE} (Ingress default/ours-by-annotation)`, WEB_BACKEND, FALLBACK],
    diagnostics: [],
    ingresses: ['default/ours-by-annotation'],
  },
  {
    desc: 'ingress without a class is taken when watching ingresses without a class',
    options: { watchIngressWithoutClass: true },
    expected: [...GLOBAL, `${WEB_ROUTE} (Ingress default/classless)`, WEB_BACKEND, FALLBACK],
    diagnostics: [],
    ingresses: ['default/classless'],
  },
  {
    desc: 'ingress without a class is ignored by default',
    expected: [...GLOBAL, FALLBACK],
    diagnostics: [],
    ingresses: [],
  },
  {
    desc: 'excluded ingress is left out entirely',
    options: { excluded: new Set(['Ingress/default/rejected']) },
    expected: [...GLOBAL, `${WEB_ROUTE} (Ingress default/web)`, WEB_BACKEND, FALLBACK],
    diagnostics: [],
    ingresses: ['default/web'],
  },
  {
    desc: 'no ingresses gives an empty model',
    expected: [...GLOBAL, FALLBACK],
    diagnostics: [],
    ingresses: [],
  },
]);
