import {
  GATEWAY_API_GROUP,
  type BackendRef,
  type BackendTLSPolicy,
  type Condition,
  type Gateway,
  type GatewayAddress,
  type GatewayApiKind,
  type GatewayClass,
  type GroupKind,
  type GRPCRoute,
  type HeaderModifier,
  type HTTPRoute,
  type HTTPRouteMatch,
  type LabelSelector,
  type Listener,
  type ObjectMeta,
  type ObjectReference,
  type ParentReference,
  type PathModifier,
  type ReferenceGrant,
  type RouteFilter,
  type RouteStatus,
} from '../store/types.js';
import { arr, bool, num, rec, str, stringMap, strings, timestamp } from './raw.js';

/**
 * The Gateway API half of `normalise`. Defaults the CRD schemas declare are filled in here, since
 * only a real API server applies them and a manifest folder has none: group and kind of references,
 * `allowedRoutes` (Same namespace), TLS mode Terminate, match types, backend weight 1, the
 * catch-all PathPrefix `/` match of a rule without matches, redirect status 302.
 */
export function normaliseGatewayApi(kind: GatewayApiKind, raw: Record<string, unknown>, metadata: ObjectMeta): GatewayClass | Gateway | HTTPRoute | GRPCRoute | ReferenceGrant | BackendTLSPolicy {
  const spec = rec(raw.spec);
  const status = rec(raw.status);
  switch (kind) {
    case 'GatewayClass':
      return {
        kind, metadata,
        spec: {
          controllerName: str(spec.controllerName) ?? '',
          ...(spec.parametersRef !== undefined ? { parametersRef: reference(spec.parametersRef, '', '') } : {}),
          ...(str(spec.description) !== undefined ? { description: str(spec.description) } : {}),
        },
        status: { conditions: conditions(status.conditions), supportedFeatures: arr(status.supportedFeatures).map((f) => ({ name: str(rec(f).name) ?? '' })) },
      };
    case 'Gateway':
      return {
        kind, metadata,
        spec: {
          gatewayClassName: str(spec.gatewayClassName) ?? '', listeners: arr(spec.listeners).map(listener), addresses: arr(spec.addresses).map(address),
          ...(rec(spec.infrastructure).parametersRef !== undefined ? { parametersRef: reference(rec(spec.infrastructure).parametersRef, '', '') } : {}),
        },
        status: {
          addresses: arr(status.addresses).map(address),
          conditions: conditions(status.conditions),
          listeners: arr(status.listeners).map((l) => {
            const r = rec(l);
            return { name: str(r.name) ?? '', supportedKinds: arr(r.supportedKinds).map((k) => groupKind(k, GATEWAY_API_GROUP, '')), attachedRoutes: num(r.attachedRoutes) ?? 0, conditions: conditions(r.conditions) };
          }),
        },
      };
    case 'HTTPRoute':
      return {
        kind, metadata,
        spec: {
          parentRefs: arr(spec.parentRefs).map(parentRef), hostnames: strings(spec.hostnames),
          rules: (Array.isArray(spec.rules) ? spec.rules : [{}]).map((r) => {
            const rule = rec(r);
            const timeouts = rule.timeouts === undefined ? undefined : rec(rule.timeouts);
            const retry = rule.retry === undefined ? undefined : rec(rule.retry);
            return {
              ...(str(rule.name) !== undefined ? { name: str(rule.name) } : {}),
              matches: (Array.isArray(rule.matches) && rule.matches.length ? rule.matches : [{}]).map(httpMatch),
              filters: arr(rule.filters).map(filter),
              backendRefs: arr(rule.backendRefs).map(backendRef),
              ...(timeouts ? { timeouts: { ...optional('request', str(timeouts.request)), ...optional('backendRequest', str(timeouts.backendRequest)) } } : {}),
              ...(retry ? { retry: { codes: arr(retry.codes).filter((c): c is number => typeof c === 'number'), ...optional('attempts', num(retry.attempts)), ...optional('backoff', str(retry.backoff)) } } : {}),
            };
          }),
        },
        status: routeStatus(status),
      };
    case 'GRPCRoute':
      return {
        kind, metadata,
        spec: {
          parentRefs: arr(spec.parentRefs).map(parentRef), hostnames: strings(spec.hostnames),
          rules: arr(spec.rules).map((r) => {
            const rule = rec(r);
            return {
              ...(str(rule.name) !== undefined ? { name: str(rule.name) } : {}),
              matches: arr(rule.matches).map((m) => {
                const match = rec(m);
                const method = match.method === undefined ? undefined : rec(match.method);
                return {
                  ...(method ? { method: { type: str(method.type) ?? 'Exact', ...optional('service', str(method.service)), ...optional('method', str(method.method)) } } : {}),
                  headers: headerMatches(match.headers),
                };
              }),
              filters: arr(rule.filters).map(filter),
              backendRefs: arr(rule.backendRefs).map(backendRef),
            };
          }),
        },
        status: routeStatus(status),
      };
    case 'ReferenceGrant':
      return {
        kind, metadata,
        spec: {
          from: arr(spec.from).map((f) => ({ ...groupKind(f, '', ''), namespace: str(rec(f).namespace) ?? '' })),
          to: arr(spec.to).map((t) => ({ ...groupKind(t, '', ''), ...optional('name', str(rec(t).name)) })),
        },
      };
    case 'BackendTLSPolicy': {
      const validation = rec(spec.validation);
      return {
        kind, metadata,
        spec: {
          targetRefs: arr(spec.targetRefs).map((t) => ({ ...groupKind(t, '', ''), name: str(rec(t).name) ?? '', ...optional('sectionName', str(rec(t).sectionName)) })),
          validation: {
            caCertificateRefs: arr(validation.caCertificateRefs).map((c) => reference(c, '', '')),
            ...optional('wellKnownCACertificates', str(validation.wellKnownCACertificates)),
            hostname: str(validation.hostname) ?? '',
            subjectAltNames: arr(validation.subjectAltNames).map((s) => {
              const r = rec(s);
              return { type: str(r.type) ?? '', ...optional('hostname', str(r.hostname)), ...optional('uri', str(r.uri)) };
            }),
          },
          options: stringMap(spec.options),
        },
        status: {
          ancestors: arr(status.ancestors).map((a) => {
            const r = rec(a);
            return { ancestorRef: parentRef(r.ancestorRef), controllerName: str(r.controllerName) ?? '', conditions: conditions(r.conditions) };
          }),
        },
      };
    }
  }
}

/** `{ key: value }` when the value is set, `{}` otherwise: optional fields stay absent, not undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function groupKind(raw: unknown, defaultGroup: string, defaultKind: string): GroupKind {
  const r = rec(raw);
  return { group: str(r.group) ?? defaultGroup, kind: str(r.kind) ?? defaultKind };
}

function reference(raw: unknown, defaultGroup: string, defaultKind: string): ObjectReference {
  const r = rec(raw);
  return { ...groupKind(r, defaultGroup, defaultKind), name: str(r.name) ?? '', ...optional('namespace', str(r.namespace)), ...optional('port', num(r.port)) };
}

function parentRef(raw: unknown): ParentReference {
  const r = rec(raw);
  return { ...groupKind(r, GATEWAY_API_GROUP, 'Gateway'), name: str(r.name) ?? '', ...optional('namespace', str(r.namespace)), ...optional('sectionName', str(r.sectionName)), ...optional('port', num(r.port)) };
}

function conditions(raw: unknown): Condition[] {
  return arr(raw).map((c) => {
    const r = rec(c);
    return {
      type: str(r.type) ?? '', status: str(r.status) ?? '', reason: str(r.reason) ?? '', message: str(r.message) ?? '',
      ...optional('observedGeneration', num(r.observedGeneration)), lastTransitionTime: timestamp(r.lastTransitionTime),
    };
  });
}

function selector(raw: unknown): LabelSelector {
  const r = rec(raw);
  return {
    matchLabels: stringMap(r.matchLabels),
    matchExpressions: arr(r.matchExpressions).map((e) => ({ key: str(rec(e).key) ?? '', operator: str(rec(e).operator) ?? '', values: strings(rec(e).values) })),
  };
}

function listener(raw: unknown): Listener {
  const r = rec(raw);
  const tls = r.tls === undefined ? undefined : rec(r.tls);
  const allowed = rec(r.allowedRoutes);
  const namespaces = rec(allowed.namespaces);
  return {
    name: str(r.name) ?? '',
    ...optional('hostname', str(r.hostname)),
    port: num(r.port) ?? 0,
    protocol: str(r.protocol) ?? '',
    ...(tls ? { tls: { mode: str(tls.mode) ?? 'Terminate', certificateRefs: arr(tls.certificateRefs).map((c) => reference(c, '', 'Secret')), options: stringMap(tls.options) } } : {}),
    allowedRoutes: {
      namespaces: { from: str(namespaces.from) ?? 'Same', ...(namespaces.selector !== undefined ? { selector: selector(namespaces.selector) } : {}) },
      kinds: arr(allowed.kinds).map((k) => groupKind(k, GATEWAY_API_GROUP, '')),
    },
  };
}

function address(raw: unknown): GatewayAddress {
  const r = rec(raw);
  return { type: str(r.type) ?? 'IPAddress', value: str(r.value) ?? '' };
}

function headerMatches(raw: unknown): { type: string; name: string; value: string }[] {
  return arr(raw).map((h) => ({ type: str(rec(h).type) ?? 'Exact', name: str(rec(h).name) ?? '', value: str(rec(h).value) ?? '' }));
}

function httpMatch(raw: unknown): HTTPRouteMatch {
  const r = rec(raw);
  // A match without a path matches every path, as the schema's default does.
  const path = rec(r.path ?? {});
  return {
    path: { type: str(path.type) ?? 'PathPrefix', value: str(path.value) ?? '/' },
    headers: headerMatches(r.headers),
    queryParams: headerMatches(r.queryParams),
    ...optional('method', str(r.method)),
  };
}

function headerModifier(raw: unknown): HeaderModifier {
  const r = rec(raw);
  const changes = (v: unknown) => arr(v).map((h) => ({ name: str(rec(h).name) ?? '', value: str(rec(h).value) ?? '' }));
  return { set: changes(r.set), add: changes(r.add), remove: strings(r.remove) };
}

function pathModifier(raw: unknown): PathModifier | undefined {
  if (raw === undefined) return undefined;
  const r = rec(raw);
  return { type: str(r.type) ?? '', ...optional('replaceFullPath', str(r.replaceFullPath)), ...optional('replacePrefixMatch', str(r.replacePrefixMatch)) };
}

function filter(raw: unknown): RouteFilter {
  const r = rec(raw);
  const out: RouteFilter = { type: str(r.type) ?? '' };
  if (r.requestHeaderModifier !== undefined) out.requestHeaderModifier = headerModifier(r.requestHeaderModifier);
  if (r.responseHeaderModifier !== undefined) out.responseHeaderModifier = headerModifier(r.responseHeaderModifier);
  if (r.requestRedirect !== undefined) {
    const x = rec(r.requestRedirect);
    out.requestRedirect = {
      ...optional('scheme', str(x.scheme)), ...optional('hostname', str(x.hostname)), ...optional('path', pathModifier(x.path)),
      ...optional('port', num(x.port)), statusCode: num(x.statusCode) ?? 302,
    };
  }
  if (r.urlRewrite !== undefined) {
    const x = rec(r.urlRewrite);
    out.urlRewrite = { ...optional('hostname', str(x.hostname)), ...optional('path', pathModifier(x.path)) };
  }
  if (r.requestMirror !== undefined) {
    const x = rec(r.requestMirror);
    const fraction = x.fraction === undefined ? undefined : rec(x.fraction);
    out.requestMirror = {
      backendRef: reference(x.backendRef, '', 'Service'), ...optional('percent', num(x.percent)),
      ...(fraction ? { fraction: { numerator: num(fraction.numerator) ?? 0, denominator: num(fraction.denominator) ?? 100 } } : {}),
    };
  }
  if (r.cors !== undefined) {
    const x = rec(r.cors);
    out.cors = {
      allowOrigins: strings(x.allowOrigins), ...optional('allowCredentials', bool(x.allowCredentials)), allowMethods: strings(x.allowMethods),
      allowHeaders: strings(x.allowHeaders), exposeHeaders: strings(x.exposeHeaders), ...optional('maxAge', num(x.maxAge)),
    };
  }
  if (r.extensionRef !== undefined) out.extensionRef = reference(r.extensionRef, '', '');
  return out;
}

function backendRef(raw: unknown): BackendRef {
  const r = rec(raw);
  return { ...reference(r, '', 'Service'), weight: num(r.weight) ?? 1, filters: arr(r.filters).map(filter) };
}

function routeStatus(status: Record<string, unknown>): RouteStatus {
  return {
    parents: arr(status.parents).map((p) => {
      const r = rec(p);
      return { parentRef: parentRef(r.parentRef), controllerName: str(r.controllerName) ?? '', conditions: conditions(r.conditions) };
    }),
  };
}
