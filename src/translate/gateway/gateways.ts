import type { Listener as ModelListener, Mutable } from '../../model/types.js';
import { certificateId, gatewayListenerName } from '../../model/names.js';
import { GATEWAY_API_GROUP, refOf, type Gateway, type GroupKind, type Listener, type ObjectRef } from '../../store/types.js';
import { compareText } from '../diagnostics.js';
import type { FrontDoorContext } from '../front-door.js';
import type { Condition } from '../gateway-report.js';
import { checkHost } from '../hosts.js';
import { assignAddresses, type AddressChoice } from './addresses.js';
import { WILDCARD_LABELS } from './hostnames.js';
import { condition, HTTP_ROUTE_KIND, referencePermitted } from './conditions.js';

/** One listener of one of our Gateways, checked. */
export interface GatewayListener {
  readonly gateway: Gateway;
  readonly spec: Listener;
  /** Lower-case; '' when the listener names none. */
  readonly hostname: string;
  /** Routes may attach (protocol known, not conflicted). */
  readonly attachable: boolean;
  /** The model listener its routes are served on; absent when it cannot be programmed. */
  readonly served?: string;
  readonly supportedKinds: readonly GroupKind[];
  readonly conditions: Condition[];
  attachedRoutes: number;
}

export interface OurGateway {
  readonly gateway: Gateway;
  readonly ref: ObjectRef;
  readonly address?: string;
  readonly listeners: readonly GatewayListener[];
  readonly conditions: readonly Condition[];
}

const PROTOCOLS: Record<string, 'http' | 'https'> = { HTTP: 'http', HTTPS: 'https' };

function listenerName(gateway: Gateway, port: number): string {
  return gatewayListenerName(gateway.metadata.namespace, gateway.metadata.name, port);
}

/**
 * The Gateways of our accepted classes (sorted by namespace/name), their listeners checked, and
 * the model listeners they are served on: one per Gateway address and port.
 */
export function openGateways(ctx: FrontDoorContext, classes: ReadonlySet<string>): { gateways: OurGateway[]; listeners: ModelListener[] } {
  const gateways = [...ctx.snapshot.gateways.values()].filter((g) => classes.has(g.spec.gatewayClassName));
  gateways.sort((a, b) => compareText(a.metadata.namespace, b.metadata.namespace) || compareText(a.metadata.name, b.metadata.name));
  const addresses = assignAddresses(gateways, ctx.options.gatewayAddresses ?? []);
  const ours: OurGateway[] = [];
  const models: ModelListener[] = [];
  for (const gateway of gateways) {
    if (gateway.spec.parametersRef) {
      ours.push(rejectedForParameters(ctx, gateway));
      continue;
    }
    const built = openGateway(ctx, gateway, addresses.get(gateway)!);
    ours.push(built.gateway);
    models.push(...built.listeners);
  }
  return { gateways: ours, listeners: models };
}

function openGateway(ctx: FrontDoorContext, gateway: Gateway, choice: AddressChoice): { gateway: OurGateway; listeners: ModelListener[] } {
  const ref = refOf(gateway);
  const byPort = new Map<number, { protocol: string; hostnames: Set<string>; model?: Mutable<ModelListener> }>();
  const listeners: GatewayListener[] = [];
  const models: Mutable<ModelListener>[] = [];
  for (const spec of gateway.spec.listeners) {
    const conditions: Condition[] = [];
    const protocol = PROTOCOLS[spec.protocol];
    const host = checkHost(spec.hostname, true);
    const hostname = host.ok ? host.host : '';
    const kinds = routeKinds(spec);
    let accepted = condition('Accepted', true, 'Accepted', 'listener is valid');
    let resolved = kinds.invalid
      ? condition('ResolvedRefs', false, 'InvalidRouteKinds', 'allowedRoutes.kinds lists a kind other than HTTPRoute')
      : condition('ResolvedRefs', true, 'ResolvedRefs', 'all references are resolved');
    let conflicted = condition('Conflicted', false, 'NoConflicts', 'no conflict');
    if (!protocol) accepted = condition('Accepted', false, 'UnsupportedProtocol', `protocol ${JSON.stringify(spec.protocol)} is not supported (HTTP, HTTPS)`);
    else if (!host.ok) accepted = condition('Accepted', false, 'UnsupportedValue', `hostname: ${host.reason}`);
    else if (spec.port < 1 || spec.port > 65535) accepted = condition('Accepted', false, 'PortUnavailable', `port ${spec.port} is out of range`);
    const slot = byPort.get(spec.port);
    if (accepted.status === 'True' && slot) {
      if (slot.protocol !== spec.protocol) conflicted = condition('Conflicted', true, 'ProtocolConflict', `port ${spec.port} is used with protocol ${slot.protocol}`);
      else if (slot.hostnames.has(hostname)) conflicted = condition('Conflicted', true, 'HostnameConflict', `another listener on port ${spec.port} has the same hostname`);
    }
    const attachable = accepted.status === 'True' && conflicted.status === 'False';
    let certificates: string[] = [];
    if (attachable && protocol === 'https') {
      const tls = checkTls(ctx, gateway, spec, hostname);
      certificates = tls.ids;
      if (tls.problem) resolved = tls.problem;
      if (tls.unsupported) accepted = tls.unsupported;
    }
    let served: string | undefined;
    const usable = attachable && accepted.status === 'True' && (protocol === 'http' || certificates.length > 0);
    if (attachable) {
      const entry = slot ?? { protocol: spec.protocol, hostnames: new Set<string>() };
      entry.hostnames.add(hostname);
      byPort.set(spec.port, entry);
      if (usable && choice.ok) {
        if (!entry.model) {
          entry.model = { name: listenerName(gateway, spec.port), address: choice.address, port: spec.port, protocol: protocol!, wildcardLabels: WILDCARD_LABELS, source: ref };
          models.push(entry.model);
        }
        addCertificates(entry.model, certificates, hostname);
        served = entry.model.name;
      }
    }
    const programmed = served
      ? condition('Programmed', true, 'Programmed', `served on ${choice.ok ? choice.address : ''}:${spec.port}`)
      : condition('Programmed', false, choice.ok ? 'Invalid' : 'Pending', choice.ok ? 'the listener is not valid' : 'the Gateway has no address');
    conditions.push(accepted, conflicted, programmed, resolved);
    listeners.push({ gateway, spec, hostname, attachable, served, supportedKinds: protocol ? kinds.valid : [], conditions, attachedRoutes: 0 });
  }
  // Certificates a listener serves only by default claim no SNI host, yet must be in the model.
  for (const model of models) for (const id of model.certificates ?? []) ctx.certificates.retain(id);
  return { gateway: { gateway, ref, address: choice.ok ? choice.address : undefined, listeners, conditions: gatewayConditions(ctx, gateway, choice, listeners) }, listeners: models };
}

/**
 * Portcullis reads no implementation parameters, so any `infrastructure.parametersRef` names
 * something it cannot honour: the Gateway is rejected whole (Accepted=False, InvalidParameters)
 * rather than served without what its owner asked for.
 */
function rejectedForParameters(ctx: FrontDoorContext, gateway: Gateway): OurGateway {
  const ref = refOf(gateway);
  const p = gateway.spec.parametersRef!;
  const message = `infrastructure.parametersRef ${p.group ? `${p.group}/` : ''}${p.kind} "${p.name}" is not supported: Portcullis takes no Gateway parameters`;
  ctx.diags.error('PCL_GATEWAY_NOT_ACCEPTED', ref, message);
  const listeners: GatewayListener[] = gateway.spec.listeners.map((spec) => ({
    gateway, spec, hostname: '', attachable: false, supportedKinds: PROTOCOLS[spec.protocol] ? routeKinds(spec).valid : [], attachedRoutes: 0,
    conditions: [
      condition('Accepted', false, 'Pending', 'the Gateway is not accepted'),
      condition('Conflicted', false, 'NoConflicts', 'no conflict'),
      condition('Programmed', false, 'Pending', 'the Gateway is not accepted'),
      condition('ResolvedRefs', true, 'ResolvedRefs', 'all references are resolved'),
    ],
  }));
  return {
    gateway, ref, listeners,
    conditions: [condition('Accepted', false, 'InvalidParameters', message), condition('Programmed', false, 'Invalid', message)],
  };
}

function gatewayConditions(ctx: FrontDoorContext, gateway: Gateway, choice: AddressChoice, listeners: readonly GatewayListener[]): Condition[] {
  const ref = refOf(gateway);
  const valid = listeners.filter((l) => l.conditions.every((c) => (c.type === 'Conflicted' ? c.status === 'False' : c.status === 'True') || c.type === 'Programmed'));
  const allValid = valid.length === listeners.length;
  if (!choice.ok) ctx.diags.error('PCL_GATEWAY_NOT_ACCEPTED', ref, choice.problem.message);
  if (!allValid) ctx.diags.error('PCL_GATEWAY_NOT_ACCEPTED', ref, `${listeners.length - valid.length} of ${listeners.length} listeners are not valid; see the listener conditions`);
  const accepted =
    !choice.ok && !choice.accepted
      ? choice.problem
      : condition('Accepted', allValid || valid.length > 0, allValid ? 'Accepted' : 'ListenersNotValid', allValid ? 'accepted' : 'some listeners are not valid');
  const programmed = !choice.ok
    ? choice.accepted
      ? choice.problem
      : condition('Programmed', false, 'Invalid', choice.problem.message)
    : listeners.some((l) => l.served)
      ? condition('Programmed', true, 'Programmed', `served on ${choice.address}`)
      : condition('Programmed', false, 'Invalid', 'no listener can be served');
  return [accepted, programmed];
}

function routeKinds(spec: Listener): { valid: GroupKind[]; invalid: boolean } {
  if (spec.allowedRoutes.kinds.length === 0) return { valid: [HTTP_ROUTE_KIND], invalid: false };
  const valid = spec.allowedRoutes.kinds.filter((k) => k.group === GATEWAY_API_GROUP && k.kind === 'HTTPRoute');
  return { valid: valid.length > 0 ? [HTTP_ROUTE_KIND] : [], invalid: valid.length < spec.allowedRoutes.kinds.length };
}

/** Claims the listener's certificates for its hostname; a listener without one serves its first by default. */
function checkTls(
  ctx: FrontDoorContext,
  gateway: Gateway,
  spec: Listener,
  hostname: string,
): { ids: string[]; problem?: Condition; unsupported?: Condition } {
  const tls = spec.tls;
  if (tls && tls.mode !== 'Terminate') {
    return { ids: [], unsupported: condition('Accepted', false, 'UnsupportedValue', `tls.mode ${JSON.stringify(tls.mode)} is not supported on HTTPS (Terminate)`) };
  }
  const refs = tls?.certificateRefs ?? [];
  if (refs.length === 0) return { ids: [], problem: condition('ResolvedRefs', false, 'InvalidCertificateRef', 'an HTTPS listener needs a certificateRef') };
  const ids: string[] = [];
  let problem: Condition | undefined;
  for (const ref of refs) {
    const namespace = ref.namespace ?? gateway.metadata.namespace;
    const name = `Secret "${namespace}/${ref.name}"`;
    if (ref.group !== '' || ref.kind !== 'Secret') {
      problem ??= condition('ResolvedRefs', false, 'InvalidCertificateRef', `certificateRef ${ref.group}/${ref.kind} is not a Secret`);
      continue;
    }
    const from = { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: gateway.metadata.namespace };
    if (!referencePermitted(ctx.snapshot, from, { group: '', kind: 'Secret', namespace, name: ref.name })) {
      problem ??= condition('ResolvedRefs', false, 'RefNotPermitted', `${name} is in another namespace and no ReferenceGrant allows it`);
      continue;
    }
    const claim = ctx.certificates.claim(namespace, ref.name, hostname ? [hostname] : []);
    if (claim.status === 'pending') continue;
    if (claim.status !== 'ok') {
      const why = claim.status === 'not-found' ? 'does not exist' : claim.reason;
      problem ??= condition('ResolvedRefs', false, 'InvalidCertificateRef', `${name} ${why}`);
      continue;
    }
    ids.push(certificateId(namespace, ref.name));
  }
  return { ids, problem };
}

function addCertificates(model: Mutable<ModelListener>, ids: readonly string[], hostname: string): void {
  if (ids.length === 0) return;
  const certs = new Set(model.certificates ?? []);
  for (const id of ids) certs.add(id);
  model.certificates = [...certs].sort(compareText);
  // A listener without hostname answers every name: its certificate is the fallback.
  if (hostname === '' || model.defaultCertificate === undefined) model.defaultCertificate = ids[0];
}
