import type { Snapshot } from '../store/types.js';
import { translateWith, type FrontDoor } from './front-door.js';
import { gatewayFrontDoor } from './gateway/index.js';
import { ingressFrontDoor } from './ingress/index.js';
import type { TranslateOptions, TranslateResult } from './types.js';

export { dumpModel } from './dump.js';
export { patchEndpoints } from './incremental.js';
export { formatDiagnostic } from './diagnostics.js';
export type { Diagnostic, TranslateOptions, TranslateResult } from './types.js';

/** The front doors, in the order their claims are settled in; the one place they are listed. */
const FRONT_DOORS: readonly FrontDoor[] = [ingressFrontDoor, gatewayFrontDoor];

/**
 * Builds the load-balancer model from everything the controller watches. Pure and deterministic:
 * the same snapshot and options give the same result whatever order the objects arrived in. User
 * input never makes it throw; each problem becomes one diagnostic and the rest still applies.
 */
export function translate(snapshot: Snapshot, options: TranslateOptions): TranslateResult {
  return translateWith(FRONT_DOORS, snapshot, options);
}
