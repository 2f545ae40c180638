import type { EventRecord } from '../sources/kube-writer.js';
import { objectKey, refOf, SNAPSHOT_FIELDS, type KubeObject, type ObjectRef, type Snapshot } from '../store/types.js';
import type { Diagnostic } from '../translate/types.js';
import type { Logger } from './logger.js';

export type EventSink = (event: EventRecord) => Promise<void>;

/**
 * Turns each pass's diagnostics into log lines and Kubernetes Events, once per problem: a problem
 * that persists across passes is reported when it first appears, not on every sync, and again
 * only if it goes away and comes back.
 */
export class DiagnosticReporter {
  private active = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly recordEvent?: EventSink,
  ) {}

  report(diagnostics: readonly Diagnostic[], snapshot: Snapshot): void {
    const next = new Set<string>();
    for (const d of diagnostics) {
      const key = `${d.severity}|${d.code}|${d.source.kind}/${d.source.namespace}/${d.source.name}|${d.message}`;
      next.add(key);
      if (this.active.has(key)) continue;
      const fields = { code: d.code, object: `${d.source.kind} ${objectKey(d.source)}` };
      if (d.severity === 'error') this.logger.error(d.message, fields);
      else this.logger.warn(d.message, fields);
      this.emit({
        ref: { ...d.source, uid: uidOf(d.source, snapshot) },
        type: 'Warning',
        reason: d.code,
        message: d.message,
      });
    }
    this.active = next;
  }

  /** An object left out (an Ingress) or stripped of its snippets (a Service, the ConfigMap) because HAProxy rejected what it produced. */
  rejected(obj: KubeObject, message: string): void {
    const ref = refOf(obj);
    const what = obj.kind === 'Ingress' ? 'it is left out' : 'its config snippets are left out';
    this.logger.error(`HAProxy rejected the configuration generated for this ${obj.kind}; ${what} until it changes`, {
      code: 'PCL_CONFIG_REJECTED',
      object: `${obj.kind} ${objectKey(ref)}`,
      error: message,
    });
    this.emit({ ref: { ...ref, uid: obj.metadata.uid }, type: 'Warning', reason: 'PCL_CONFIG_REJECTED', message });
  }

  private emit(event: EventRecord): void {
    if (!this.recordEvent) return;
    this.recordEvent(event).catch((err: Error) =>
      this.logger.debug('recording an Event failed', { object: `${event.ref.kind} ${objectKey(event.ref)}`, error: err.message }),
    );
  }
}

function uidOf(ref: ObjectRef, snapshot: Snapshot): string | undefined {
  // Every kind, Gateway API ones included: an Event without the uid is not shown with its object.
  const table = snapshot[SNAPSHOT_FIELDS[ref.kind]] as ReadonlyMap<string, KubeObject> | undefined;
  return table?.get(objectKey(ref))?.metadata.uid || undefined;
}
