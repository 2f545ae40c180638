import type { HAProxyDriver } from '../haproxy/index.js';
import type { Controller } from './controller.js';

/**
 * The read-only admin API: `/admin/<path>` -> a JSON value. Certificates are listed without
 * their keys.
 */
export function adminView(path: string, controller: Controller, driver: Pick<HAProxyDriver, 'counters'>): unknown {
  const model = controller.model;
  switch (path) {
    case 'state':
      return {
        ready: controller.ready,
        lastApply: controller.lastApply,
        counters: driver.counters,
        routes: model?.routes.length ?? 0,
        backends: model?.backends.length ?? 0,
        diagnostics: controller.diagnostics.length,
      };
    case 'routes':
      return model?.routes ?? [];
    case 'backends':
      return model?.backends ?? [];
    case 'certificates':
      return model ? [model.defaultCertificate, ...model.certificates].map(({ pem: _pem, ...rest }) => rest) : [];
    case 'diagnostics':
      return controller.diagnostics;
    case 'counters':
      return driver.counters;
    default:
      return undefined;
  }
}
