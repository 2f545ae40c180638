import { objectKey, refOf, type Ingress, type Snapshot } from '../../store/types.js';
import { serviceRefOf, type BackendTable, type ServiceRef } from '../backends.js';
import type { Diagnostics } from '../diagnostics.js';
import { parseServiceOption } from '../option-refs.js';
import type { TranslateOptions } from '../types.js';

/**
 * The backend for requests no route matches: the `spec.defaultBackend` of the oldest Ingress that
 * sets a usable one (later ones are reported as conflicts), else `--default-backend-service`, else
 * none (HAProxy answers 404).
 */
export function chooseDefaultBackend(
  ingresses: readonly Ingress[],
  options: Pick<TranslateOptions, 'defaultBackendService'>,
  snapshot: Snapshot,
  backends: BackendTable,
  diags: Diagnostics,
): string | undefined {
  let winner: { ingress: Ingress; service: ServiceRef } | undefined;
  for (const ingress of ingresses) {
    if (!ingress.spec.defaultBackend) continue;
    const service = serviceRefOf(ingress.spec.defaultBackend, refOf(ingress), 'spec.defaultBackend', diags);
    if (!service) continue;
    if (!winner) {
      winner = { ingress, service };
      continue;
    }
    diags.warning(
      'PCL_DEFAULT_BACKEND_CONFLICT',
      refOf(ingress),
      `spec.defaultBackend is ignored: Ingress ${objectKey(winner.ingress.metadata)} already sets the default backend (the oldest Ingress wins)`,
    );
  }
  if (winner) return backends.resolve(refOf(winner.ingress), winner.service, winner.ingress);
  if (options.defaultBackendService) return fromOption(options.defaultBackendService, snapshot, backends, diags);
  return undefined;
}

function fromOption(value: string, snapshot: Snapshot, backends: BackendTable, diags: Diagnostics): string | undefined {
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
