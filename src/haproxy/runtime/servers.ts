/**
 * Server slot changes as Runtime API commands. A slot that changes hands gets its new address
 * (`set server ... addr`) then its state; a freed slot goes to maintenance, which keeps established
 * connections but takes no new request; slots beyond the running capacity are `add server`ed
 * (dynamic servers start in maintenance, so spare ones need nothing more).
 */
import type { Backend, Server } from '../../model/types.js';
import { FREE_SLOT_ENDPOINT } from '../render/config.js';
import { serversByKey, slotName } from '../render/layout.js';
import { needsReloadToGrow, serverOptionWords } from '../render/policy.js';
import { serverAddress, weight } from '../render/text.js';
import type { Applied, RuntimeCommand } from '../types.js';
import { addServer, enableHealth, setServerAddr, setServerState, setServerWeight } from './commands.js';

export interface ServerPlan {
  commands: RuntimeCommand[];
  /** Why these changes need a reload (empty when the commands are enough). */
  reasons: string[];
}

interface SlotChange {
  backend: Backend;
  index: number;
  before: Server | undefined;
  after: Server | undefined;
  /** The slot does not exist in the running HAProxy yet. */
  added: boolean;
  /**
   * Some server of the backend, before or after, carries a weight: a slot that changes hands then
   * always gets its weight set, since a freed slot keeps the weight of whoever held it last.
   */
  weighted: boolean;
}

/** The weight HAProxy gives a server line without one. */
const DEFAULT_WEIGHT = 1;

function weightOf(server: Server, source: Backend['source']): number {
  return server.weight === undefined ? DEFAULT_WEIGHT : weight(server.weight, source);
}

function slotCommands(change: SlotChange, plan: ServerPlan): void {
  const { backend, index, before, after, added } = change;
  const name = backend.name;
  const slot = slotName(index);
  // Dynamic servers ignore `default-server`, so they get the options of the configured ones.
  const options = serverOptionWords(backend);
  if (after === undefined) {
    if (added) plan.commands.push(addServer(name, slot, FREE_SLOT_ENDPOINT, options));
    else if (before !== undefined) plan.commands.push(setServerState(name, slot, 'maint'));
    return;
  }
  const sameServer = before !== undefined && before.address === after.address && before.port === after.port;
  if (sameServer) {
    const w = weightOf(after, backend.source);
    if (weightOf(before, backend.source) !== w) plan.commands.push(setServerWeight(name, slot, w));
    if (before.state !== after.state) plan.commands.push(setServerState(name, slot, after.state));
    return;
  }
  const address = serverAddress(after.address, after.port, backend.source);
  if (address.ip === undefined) {
    plan.reasons.push(`server ${name}/${slot} has a DNS name (${after.address}) that only a reload resolves`);
    return;
  }
  if (added) {
    const weightWords = after.weight === undefined ? [] : ['weight', String(weightOf(after, backend.source))];
    plan.commands.push(addServer(name, slot, address.endpoint, [...weightWords, ...options]));
    // Health checks of a dynamic server start only when asked to.
    if (backend.server?.check) plan.commands.push(enableHealth(name, slot));
  } else {
    plan.commands.push(setServerAddr(name, slot, address.ip, after.port));
    if (change.weighted) plan.commands.push(setServerWeight(name, slot, weightOf(after, backend.source)));
  }
  plan.commands.push(setServerState(name, slot, after.state));
}

function slotServer(key: string | null | undefined, servers: Map<string, Server>): Server | undefined {
  return key === null || key === undefined ? undefined : servers.get(key);
}

/**
 * Pure: commands that bring the servers of every backend present in both `prev` and `next` from
 * the old slots to the new ones. Backends that exist on one side only are a reload's business.
 */
export function planServers(prev: Applied, next: Applied): ServerPlan {
  const plan: ServerPlan = { commands: [], reasons: [] };
  const previous = new Map(prev.model.backends.map((b) => [b.name, b]));
  for (const backend of next.model.backends) {
    const old = previous.get(backend.name);
    if (!old) continue;
    const before = prev.layout.backends[backend.name];
    const after = next.layout.backends[backend.name];
    if (!before || !after) {
      plan.reasons.push(`backend ${backend.name} has no slot layout`);
      continue;
    }
    if (after.length < before.length) {
      plan.reasons.push(`backend ${backend.name} has fewer server slots`);
      continue;
    }
    if (after.length > before.length && needsReloadToGrow(backend)) {
      plan.reasons.push(`backend ${backend.name} needs more server slots, and its TLS files are only read on a reload`);
      continue;
    }
    // An unchanged backend (same object, same slots) needs nothing: endpoint changes touch few.
    if (old === backend && before === after) continue;
    const oldServers = serversByKey(old.servers);
    const newServers = serversByKey(backend.servers);
    const weighted = [...old.servers, ...backend.servers].some((s) => s.weight !== undefined);
    for (let index = 0; index < after.length; index++) {
      const change: SlotChange = {
        backend,
        index,
        before: slotServer(before[index], oldServers),
        after: slotServer(after[index], newServers),
        added: index >= before.length,
        weighted,
      };
      slotCommands(change, plan);
    }
  }
  return plan;
}
