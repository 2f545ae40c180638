import { isIP } from 'node:net';
import type { Gateway } from '../../store/types.js';
import type { Condition } from '../gateway-report.js';
import { condition } from './conditions.js';

/** Where a Gateway is served, or why it is not. */
export type AddressChoice = { ok: true; address: string } | { ok: false; accepted: boolean; problem: Condition };

/**
 * Gives each Gateway (sorted by namespace/name) one address: its first `spec.addresses` entry when
 * it sets any, else one from `pool`. A pool address a Gateway already reports in its status stays
 * with it while free, so Gateways coming and going do not move the others; the rest take the free
 * pool addresses in order.
 */
export function assignAddresses(gateways: readonly Gateway[], pool: readonly string[]): Map<Gateway, AddressChoice> {
  const choices = new Map<Gateway, AddressChoice>();
  const taken = new Set<string>();
  const waiting: Gateway[] = [];
  for (const gateway of gateways) {
    if (gateway.spec.addresses.length === 0) {
      waiting.push(gateway);
      continue;
    }
    const choice = staticAddress(gateway, pool, taken);
    if (choice.ok) taken.add(choice.address);
    choices.set(gateway, choice);
  }
  const inPool = new Set(pool);
  const rest: Gateway[] = [];
  for (const gateway of waiting) {
    const previous = gateway.status.addresses.find((a) => inPool.has(a.value) && !taken.has(a.value))?.value;
    if (previous === undefined) {
      rest.push(gateway);
      continue;
    }
    taken.add(previous);
    choices.set(gateway, { ok: true, address: previous });
  }
  const free = pool.filter((a) => !taken.has(a));
  for (const gateway of rest) {
    const address = free.shift();
    choices.set(
      gateway,
      address !== undefined
        ? { ok: true, address }
        : { ok: false, accepted: true, problem: condition('Programmed', false, 'AddressNotAssigned', 'no address is left in the --gateway-address pool') },
    );
  }
  return choices;
}

function staticAddress(gateway: Gateway, pool: readonly string[], taken: ReadonlySet<string>): AddressChoice {
  const wanted = gateway.spec.addresses[0];
  if (wanted.type !== 'IPAddress' || isIP(wanted.value) === 0) {
    const message = `only one IPAddress address is supported, not ${JSON.stringify(wanted.type)} ${JSON.stringify(wanted.value)}`;
    return { ok: false, accepted: false, problem: condition('Accepted', false, 'UnsupportedAddress', message) };
  }
  if ((pool.length > 0 && !pool.includes(wanted.value)) || taken.has(wanted.value)) {
    const why = taken.has(wanted.value) ? 'another Gateway uses it' : 'it is not in the --gateway-address pool';
    return { ok: false, accepted: true, problem: condition('Programmed', false, 'AddressNotUsable', `address ${wanted.value} cannot be used: ${why}`) };
  }
  return { ok: true, address: wanted.value };
}
