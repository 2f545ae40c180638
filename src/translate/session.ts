/**
 * A translator session: the last result, and what changed since, decide which translation runs.
 *
 * When only EndpointSlices changed since the last result (and the exclusions are the same), the
 * backends they feed are patched (`patchEndpoints`, proven equal to a full translation by the
 * incremental tests), so endpoint churn costs the same with a thousand Ingresses as with ten.
 * Anything else, or a result that cannot be patched, is a full translation.
 */
import { SERVICE_NAME_LABEL, type Snapshot, type StoreChange } from '../store/types.js';
import { translate } from './index.js';
import { patchEndpoints } from './incremental.js';
import type { TranslateOptions, TranslateResult } from './types.js';

export type TranslationKind = 'full' | 'endpoints';

export class TranslatorSession {
  private last: TranslateResult | undefined;
  private lastExcluded = '';

  constructor(private readonly options: TranslateOptions) {}

  /**
   * The result for `snapshot`, given every store change since the previous call (`'all'` when the
   * caller did not keep them). `excluded` names objects to leave out (`Kind/namespace/name`), for
   * those HAProxy rejected.
   */
  next(snapshot: Snapshot, changes: readonly StoreChange[] | 'all', excluded: ReadonlySet<string> = new Set()): { result: TranslateResult; kind: TranslationKind } {
    const excludedKey = [...excluded].sort().join('\n');
    const services = this.last && changes !== 'all' && excludedKey === this.lastExcluded ? endpointServices(changes) : undefined;
    const patched = services && this.last ? patchEndpoints(this.last, snapshot, services) : undefined;
    this.lastExcluded = excludedKey;
    this.last = patched ?? translate(snapshot, { ...this.options, excluded });
    return { result: this.last, kind: patched ? 'endpoints' : 'full' };
  }
}

/** `namespace/service` of every Service whose EndpointSlices changed, or undefined when anything else changed. */
function endpointServices(changes: readonly StoreChange[]): Set<string> | undefined {
  const services = new Set<string>();
  for (const change of changes) {
    if (change.kind !== 'EndpointSlice') return undefined;
    for (const slice of [change.object, change.previous]) {
      if (slice?.kind === 'EndpointSlice') services.add(`${slice.metadata.namespace}/${slice.metadata.labels[SERVICE_NAME_LABEL] ?? ''}`);
    }
  }
  return services;
}
