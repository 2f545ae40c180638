import { objectKey, type Snapshot } from '../store/types.js';
import type { BackendTable } from './backends.js';
import type { Diagnostics } from './diagnostics.js';
import { parseServiceOption } from './option-refs.js';

/**
 * The backend of `--default-backend-service` (`namespace/name[:port]`, the Service's first port when
 * none is given), for requests no route matches when no front door names a default backend.
 */
export function defaultBackendFromOption(value: string, snapshot: Snapshot, backends: BackendTable, diags: Diagnostics): string | undefined {
  const { namespace, name, port } = parseServiceOption(value);
  const source = { kind: 'Service' as const, namespace, name };
  const service = snapshot.services.get(objectKey(source));
  if (!service) {
    diags.error('PCL_DEFAULT_BACKEND_SERVICE_NOT_FOUND', source, `Service "${objectKey(source)}" does not exist; unmatched requests get 404`);
    return undefined;
  }
  const first = service.spec.ports[0];
  const servicePort = port ?? (first ? { number: first.port } : undefined);
  if (!servicePort) {
    diags.error('PCL_SERVICE_PORT_NOT_FOUND', source, `Service "${objectKey(source)}" has no port to use as the default backend; unmatched requests get 404`);
    return undefined;
  }
  const ref = { namespace, name, port: servicePort };
  return backends.resolve(source, ref);
}
