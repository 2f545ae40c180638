import type { DiagnosticCode } from '../errors.js';
import { objectKey, type ObjectRef } from '../store/types.js';
import type { Diagnostic } from './types.js';

/**
 * Collects the diagnostics of one translation. A problem is identified by its code, source and
 * message, so the same cause met twice (two paths naming one missing Service) is reported once.
 */
export class Diagnostics {
  private readonly byKey = new Map<string, Diagnostic>();

  error(code: DiagnosticCode, source: ObjectRef, message: string): void {
    this.add({ severity: 'error', code, source: { ...source }, message });
  }

  warning(code: DiagnosticCode, source: ObjectRef, message: string): void {
    this.add({ severity: 'warning', code, source: { ...source }, message });
  }

  /** Sorted by source (kind, namespace, name), then code, then message. */
  sorted(): Diagnostic[] {
    return [...this.byKey.values()].sort(compareDiagnostics);
  }

  private add(diagnostic: Diagnostic): void {
    const key = `${diagnostic.code}\0${diagnostic.source.kind}\0${objectKey(diagnostic.source)}\0${diagnostic.message}`;
    if (!this.byKey.has(key)) this.byKey.set(key, diagnostic);
  }
}

/** One line per diagnostic: `severity CODE Kind namespace/name: message`. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { severity, code, source, message } = diagnostic;
  return `${severity} ${code} ${source.kind} ${objectKey(source)}: ${message}`;
}

/** Orders strings by UTF-16 code units, so the result never depends on the host's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareText(a.source.kind, b.source.kind) ||
    compareText(a.source.namespace, b.source.namespace) ||
    compareText(a.source.name, b.source.name) ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message)
  );
}
