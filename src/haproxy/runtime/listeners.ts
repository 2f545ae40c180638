/**
 * Planning for listeners beyond the default pair. A listener added, removed, or with another
 * address, port, protocol or default certificate changes a `bind` (or the first line of its
 * crt-list, which HAProxy takes as the default): a reload. Its routes are map keys like any other
 * (`plan.ts`), and the certificates it offers are lines of its crt-list, added and deleted at runtime.
 */
import type { Listener, Model } from '../../model/types.js';
import { crtListLine, crtListWords, listenerCertificates, listenerCrtListFile, type CertEntry } from '../render/certs.js';
import type { RuntimeCommand } from '../types.js';
import { addCrtListEntry, delCrtListEntry } from './commands.js';

function byName(model: Model): Map<string, Listener> {
  return new Map((model.listeners ?? []).map((l) => [l.name, l]));
}

/** The crt-list entries of each HTTPS listener of `model`, by listener name. */
function crtLists(model: Model, certificates: readonly CertEntry[]): Map<string, CertEntry[]> {
  const lists = new Map<string, CertEntry[]>();
  for (const l of model.listeners ?? []) if (l.protocol === 'https') lists.set(l.name, listenerCertificates(model, l, certificates));
  return lists;
}

export function listenerReasons(prev: Model, next: Model, before: readonly CertEntry[], after: readonly CertEntry[]): string[] {
  if (prev.listeners === next.listeners && prev.certificates === next.certificates && prev.defaultCertificate === next.defaultCertificate) return [];
  const old = byName(prev);
  const now = byName(next);
  const reasons: string[] = [];
  const oldLists = crtLists(prev, before);
  const newLists = crtLists(next, after);
  for (const [name, l] of now) {
    const o = old.get(name);
    if (!o) {
      reasons.push(`listener ${name} added`);
      continue;
    }
    for (const field of ['address', 'port', 'protocol'] as const) if (o[field] !== l[field]) reasons.push(`listener ${name} ${field} changed`);
    const [was, is] = [oldLists.get(name)?.[0]?.file, newLists.get(name)?.[0]?.file];
    if (o.protocol === l.protocol && was !== is) reasons.push(`listener ${name} default certificate changed`);
  }
  for (const name of old.keys()) if (!now.has(name)) reasons.push(`listener ${name} removed`);
  return reasons;
}

/**
 * The crt-list commands of listeners present before and after (the others reload): a certificate
 * joining a listener, leaving it, or with other hosts. The certificate files exist by then (new
 * ones are created first) and still exist (deleted ones go after), see `planUpdate`.
 */
export function listenerCrtListCommands(prev: Model, next: Model, before: readonly CertEntry[], after: readonly CertEntry[]): RuntimeCommand[] {
  const oldLists = crtLists(prev, before);
  const commands: RuntimeCommand[] = [];
  for (const [name, entries] of crtLists(next, after)) {
    const was = oldLists.get(name);
    if (!was) continue;
    const file = listenerCrtListFile(next.listeners!.find((l) => l.name === name)!);
    // The first line is the listener's default, compared by listenerReasons.
    const oldLines = new Map(was.slice(1).map((e) => [e.file, crtListLine(e)]));
    const kept = new Set<string>();
    for (const entry of entries.slice(1)) {
      kept.add(entry.file);
      const line = oldLines.get(entry.file);
      if (line === crtListLine(entry)) continue;
      if (line !== undefined) commands.push(delCrtListEntry(file, entry.file));
      commands.push(addCrtListEntry(file, crtListWords(entry)));
    }
    for (const old of oldLines.keys()) if (!kept.has(old)) commands.push(delCrtListEntry(file, old));
  }
  return commands;
}
