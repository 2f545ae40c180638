/**
 * The runtime planner: what it takes to go from the running state to the next one. Only structural
 * changes (global settings, backends added or removed, slot layouts that cannot grow in place,
 * servers named by DNS, route conditions and regex routes) need a reload; servers and their weights,
 * routes, the default backend and certificates change through the Runtime API. Command order: servers (so new routes find their servers ready),
 * certificates, then map additions and updates before deletions.
 */
import type { Backend, GlobalSettings, Model } from '../../model/types.js';
import { CRT_LIST_FILE, buildCertificates, crtListLine, crtListWords, type CertEntry } from '../render/certs.js';
import { redirectCodes } from '../render/config.js';
import { groupRules } from '../render/groups.js';
import { MAP_FILES, renderMaps, type MapName, type MapsMemo, type RenderedMaps } from '../render/maps.js';
import type { Applied, RuntimeCommand, UpdatePlan } from '../types.js';
import {
  addCrtListEntry, addMap, commitSslCert, delCrtListEntry, delMap, delSslCert, newSslCert, setMap, setSslCert,
} from './commands.js';
import { listenerCrtListCommands, listenerReasons } from './listeners.js';
import { planServers } from './servers.js';

function globalReasons(prev: GlobalSettings, next: GlobalSettings): string[] {
  const reasons: string[] = [];
  const fields = ['bindAddress', 'httpPort', 'httpsPort', 'maxconn', 'nbthread', 'hardStopAfter', 'serverHeader'] as const;
  for (const field of fields) if (prev[field] !== next[field]) reasons.push(`global setting ${field} changed`);
  const structured = ['logFormat', 'accessLog', 'syslogServers', 'snippet', 'frontendSnippet'] as const;
  for (const field of structured) if (JSON.stringify(prev[field]) !== JSON.stringify(next[field])) reasons.push(`global setting ${field} changed`);
  for (const key of Object.keys(next.timeouts) as (keyof GlobalSettings['timeouts'])[]) {
    if (prev.timeouts[key] !== next.timeouts[key]) reasons.push(`timeout ${key} changed`);
  }
  return reasons;
}

/** Everything a backend section holds besides its servers (balance, policy, options, snippet, sources). */
function settingsText(backend: Backend): string {
  const { servers: _servers, name: _name, ...settings } = backend;
  return JSON.stringify(settings);
}

function backendReasons(prev: Model, next: Model): string[] {
  const before = new Map(prev.backends.map((b) => [b.name, b]));
  const after = new Set(next.backends.map((b) => b.name));
  const reasons: string[] = [];
  for (const backend of next.backends) {
    const old = before.get(backend.name);
    if (!old) reasons.push(`backend ${backend.name} added`);
    else if (old !== backend && settingsText(old) !== settingsText(backend)) reasons.push(`backend ${backend.name} settings changed`);
  }
  for (const name of before.keys()) if (!after.has(name)) reasons.push(`backend ${name} removed`);
  return reasons;
}

/**
 * Certificate commands: creations, rotations and the default crt-list's changes, then the listeners'
 * crt-list changes (which may name a new file and must drop a removed one), then the deletions.
 */
function certificateCommands(prev: Model, next: Model, entries: { before: CertEntry[]; after: CertEntry[] }): RuntimeCommand[] {
  const before = new Map(entries.before.map((c) => [c.file, c]));
  const after = entries.after;
  const commands: RuntimeCommand[] = [];
  const rotate = (c: CertEntry) => commands.push(setSslCert(c.file, c.pem), commitSslCert(c.file));
  for (const cert of after) {
    const old = before.get(cert.file);
    if (!old) {
      commands.push(newSslCert(cert.file));
      rotate(cert);
      commands.push(addCrtListEntry(CRT_LIST_FILE, crtListWords(cert)));
      continue;
    }
    if (old.pem !== cert.pem) rotate(cert);
    // The default certificate's crt-list line never changes: it has no SNI filter.
    if (crtListLine(old) !== crtListLine(cert)) {
      commands.push(delCrtListEntry(CRT_LIST_FILE, cert.file), addCrtListEntry(CRT_LIST_FILE, crtListWords(cert)));
    }
  }
  commands.push(...listenerCrtListCommands(prev, next, entries.before, after));
  const kept = new Set(after.map((c) => c.file));
  for (const file of before.keys()) {
    if (!kept.has(file)) commands.push(delCrtListEntry(CRT_LIST_FILE, file), delSslCert(file));
  }
  return commands;
}

function mapCommands(before: RenderedMaps, after: RenderedMaps): RuntimeCommand[] {
  const upserts: RuntimeCommand[] = [];
  const deletes: RuntimeCommand[] = [];
  for (const name of Object.keys(MAP_FILES) as MapName[]) {
    const file = MAP_FILES[name];
    // `add map` on an existing key would add a duplicate, so existing keys are `set`.
    for (const [key, entry] of after.maps[name]) {
      const old = before.maps[name].get(key);
      if (!old) upserts.push(addMap(file, key, entry.value));
      else if (old.value !== entry.value) upserts.push(setMap(file, key, entry.value));
    }
    for (const key of before.maps[name].keys()) if (!after.maps[name].has(key)) deletes.push(delMap(file, key));
  }
  return [...upserts, ...deletes];
}

/**
 * Routing that lives in rules rather than maps: the route groups' conditions, and the regex keys,
 * whose order decides (`map_reg` takes the first match, and `add map` could only append). Values
 * under those keys still change at runtime.
 */
function routingReasons(before: RenderedMaps, after: RenderedMaps): string[] {
  const reasons: string[] = [];
  // Which frontend holds a group's rules counts too: a group moved to another listener moves its rules.
  const rules = (m: RenderedMaps) => `${m.groups.map((g) => g.prefix).join(' ')}\n${groupRules(m.groups, MAP_FILES.groups).map((r) => r.line).join('\n')}`;
  if (rules(before) !== rules(after)) reasons.push('route conditions changed');
  if (String([...before.maps.regex.keys()]) !== String([...after.maps.regex.keys()])) reasons.push('regular-expression routes changed');
  return reasons;
}

/** The frontend has a redirect rule per code in use: a new code is a reload. Same routes, same codes. */
function redirectReasons(prev: Model, next: Model): string[] {
  if (prev.routes === next.routes) return [];
  const codes = redirectCodes(next);
  return String(redirectCodes(prev)) === String(codes) ? [] : [`HTTPS redirect codes in use changed to [${codes.join(', ')}]`];
}

/**
 * Pure: the Runtime API commands that take HAProxy from `prev` to `next`, or the reasons a reload
 * is needed. Throws `RenderRefusedError` like `render` for a model that cannot be rendered. With the
 * `maps` memo `render` uses too, a route change builds the maps of `next` once for both (`prev`'s
 * are the ones rendered last).
 */
export function planUpdate(prev: Applied, next: Applied, maps?: MapsMemo): UpdatePlan {
  const servers = planServers(prev, next);
  // An endpoint-only change hands over the same route and certificate objects: skip rebuilding their
  // maps and lists, which grow with the number of Ingresses.
  const sameCertificates = prev.model.certificates === next.model.certificates && prev.model.defaultCertificate === next.model.defaultCertificate
    && prev.model.listeners === next.model.listeners;
  const certificates = sameCertificates ? undefined : { before: buildCertificates(prev.model), after: buildCertificates(next.model) };
  const sameRoutes = prev.model.routes === next.model.routes && prev.model.defaultBackend === next.model.defaultBackend;
  const routing = sameRoutes ? undefined : {
    before: maps ? maps.get(prev.model) : renderMaps(prev.model),
    after: maps ? maps.get(next.model) : renderMaps(next.model),
  };
  const reasons = [
    ...globalReasons(prev.model.global, next.model.global),
    ...backendReasons(prev.model, next.model),
    ...(certificates ? listenerReasons(prev.model, next.model, certificates.before, certificates.after) : []),
    ...redirectReasons(prev.model, next.model),
    ...(routing ? routingReasons(routing.before, routing.after) : []),
    ...servers.reasons,
  ];
  const commands = [
    ...servers.commands,
    ...(certificates ? certificateCommands(prev.model, next.model, certificates) : []),
    ...(routing ? mapCommands(routing.before, routing.after) : []),
  ];
  if (reasons.length > 0) return { reload: true, reasons };
  return { reload: false, commands };
}
