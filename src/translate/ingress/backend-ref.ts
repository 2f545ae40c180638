import type { IngressBackend, ObjectRef } from '../../store/types.js';
import type { ServiceRef } from '../backends.js';
import type { Diagnostics } from '../diagnostics.js';

/**
 * Checks that an Ingress backend names a Service port, reporting why not on `referrer`.
 * `where` says which part of the Ingress it is, for the message.
 */
export function serviceRefOf(
  backend: IngressBackend | undefined,
  referrer: ObjectRef,
  where: string,
  diags: Diagnostics,
): ServiceRef | undefined {
  const service = backend?.service;
  if (backend?.resource && !service) {
    const { kind, name } = backend.resource;
    diags.error('PCL_RESOURCE_BACKEND_UNSUPPORTED', referrer, `${where}: resource backend ${kind} "${name}" is not supported; only Service backends are`);
    return undefined;
  }
  if (!service?.name) {
    diags.error('PCL_BACKEND_MISSING', referrer, `${where}: the backend names no Service`);
    return undefined;
  }
  if (service.port.number === undefined && !service.port.name) {
    diags.error('PCL_BACKEND_MISSING', referrer, `${where}: the backend names Service "${service.name}" but no port`);
    return undefined;
  }
  return { namespace: referrer.namespace, name: service.name, port: service.port };
}
