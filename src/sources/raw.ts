/**
 * Readers for untyped JSON (list items, watch events, parsed YAML): each returns a safe default
 * instead of throwing, so a malformed field becomes an empty value that translate can report.
 */

export function timestamp(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().replace('.000Z', 'Z');
  return typeof value === 'string' ? value : '';
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(v))) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
  }
  return out;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/** Strings of an array; anything else in it is dropped. */
export function strings(v: unknown): string[] {
  return arr(v).filter(isString);
}
