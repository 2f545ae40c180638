/**
 * Certificates and the crt-list. The default certificate always lives in `certs/default.pem` and
 * is the first crt-list line (no SNI filter), so replacing it is a certificate rotation at runtime,
 * never a reload. Every other certificate is `certs/<id>.pem` with its hosts as SNI filters.
 *
 * An HTTPS listener beyond the default pair has a crt-list of its own, `certs/<listener>.crt-list`,
 * naming the same certificate files: its default certificate first (no SNI filter: HAProxy serves
 * it when no other line matches, and for its own names), then its other certificates with their
 * hosts. So SNI on that listener offers its certificates only, a rotation (`set ssl cert`) reaches
 * every list naming the file, and a certificate joining or leaving the listener is a crt-list command.
 */
import type { Certificate, Listener, Model, SourceRef } from '../../model/types.js';
import { RenderRefusedError, identifier, listenerName, pem, routeHost } from './text.js';

export const CRT_LIST_FILE = 'certs/crt-list.txt';
export const DEFAULT_CERT_FILE = 'certs/default.pem';

export interface CertEntry {
  /** Path relative to the state directory, as HAProxy names the certificate at runtime. */
  file: string;
  pem: string;
  /** SNI filters; empty for the default certificate. */
  hosts: string[];
  source: SourceRef;
}

function certificateFile(certificate: Certificate): string {
  const id = identifier(certificate.id, certificate.source);
  if (`certs/${id}.pem` === DEFAULT_CERT_FILE) throw new RenderRefusedError('certificate id "default" is reserved', certificate.source);
  return `certs/${id}.pem`;
}

function sniFilter(host: string, source: SourceRef): string {
  if (host === '') throw new RenderRefusedError('refusing empty SNI name', source);
  return routeHost(host, source);
}

/** Pure: the default certificate first, then the others in model order (sorted by id). */
export function buildCertificates(model: Model): CertEntry[] {
  const def = model.defaultCertificate;
  const entries: CertEntry[] = [{ file: DEFAULT_CERT_FILE, pem: pem(def.pem, def.source), hosts: [], source: def.source }];
  const seen = new Set<string>([DEFAULT_CERT_FILE]);
  for (const certificate of model.certificates) {
    const file = certificateFile(certificate);
    if (seen.has(file)) throw new RenderRefusedError(`duplicate certificate id "${certificate.id}"`, certificate.source);
    seen.add(file);
    const hosts = certificate.hosts.map((h) => sniFilter(h, certificate.source));
    entries.push({ file, pem: pem(certificate.pem, certificate.source), hosts, source: certificate.source });
  }
  return entries;
}

/** The words of one crt-list line: the certificate file followed by its SNI filters. */
export function crtListWords(entry: CertEntry): string[] {
  return [entry.file, ...entry.hosts];
}

/** One crt-list line, as the file holds it. */
export function crtListLine(entry: CertEntry): string {
  return crtListWords(entry).join(' ');
}

export function crtListText(entries: readonly CertEntry[]): string {
  return entries.map((e) => `${crtListLine(e)}\n`).join('');
}

/** The crt-list of an HTTPS listener. */
export function listenerCrtListFile(listener: Listener): string {
  return `certs/${listenerName(listener.name, listener.source)}.crt-list`;
}

/**
 * Pure: the entries of an HTTPS listener's crt-list, from the model's (`buildCertificates`): its
 * default certificate (the model's when it names none) without SNI filter, then its certificates in
 * model order. Refuses ids the model does not have.
 */
export function listenerCertificates(model: Model, listener: Listener, all: readonly CertEntry[]): CertEntry[] {
  const byId = new Map(model.certificates.map((c, i) => [c.id, all[i + 1]]));
  const entry = (id: string) => {
    const found = byId.get(id);
    if (!found) throw new RenderRefusedError(`listener ${listener.name} names unknown certificate "${id}"`, listener.source);
    return found;
  };
  const first = listener.defaultCertificate === undefined ? all[0] : entry(listener.defaultCertificate);
  const entries: CertEntry[] = [{ ...first, hosts: [] }];
  const named = new Set(listener.certificates ?? []);
  for (const id of named) entry(id);
  for (const certificate of model.certificates) {
    const e = byId.get(certificate.id)!;
    if (named.has(certificate.id) && e.file !== first.file) entries.push(e);
  }
  return entries;
}
