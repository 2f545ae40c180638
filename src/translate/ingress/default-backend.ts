import { objectKey, refOf, type Ingress } from '../../store/types.js';
import type { SettingsResolver } from '../annotations/resolve.js';
import type { BackendTable, ServiceRef } from '../backends.js';
import type { Diagnostics } from '../diagnostics.js';
import { serviceRefOf } from './backend-ref.js';

/**
 * The backend for requests no route matches, from the `spec.defaultBackend` of the oldest Ingress
 * that sets a usable one (later ones are reported as conflicts); undefined when none does.
 */
export function ingressDefaultBackend(ingresses: readonly Ingress[], backends: BackendTable, settings: SettingsResolver, diags: Diagnostics): string | undefined {
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
  return winner && backends.resolve(refOf(winner.ingress), winner.service, settings.of(winner.ingress));
}
