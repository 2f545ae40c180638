import type { GatewayClass, Snapshot } from '../../store/types.js';
import { compareText } from '../diagnostics.js';
import type { GatewayClassReport } from '../gateway-report.js';
import { condition } from './conditions.js';

/**
 * What GatewayClass `status.supportedFeatures` claims: exactly what this front door translates
 * and the model renders. Not claimed: mirrors (HAProxy 2.6 has no traffic mirror), CORS, retries,
 * per-backendRef filters, h2c towards the Gateway itself, and TLS to backends.
 */
export const SUPPORTED_FEATURES: readonly string[] = [
  'Gateway',
  'GatewayPort8080',
  'GatewayStaticAddresses',
  'HTTPRoute',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteBackendTimeout',
  'HTTPRouteHostRewrite',
  'HTTPRouteMethodMatching',
  'HTTPRouteNamedRouteRule',
  'HTTPRouteParentRefPort',
  'HTTPRoutePathRedirect',
  'HTTPRoutePathRewrite',
  'HTTPRoutePortRedirect',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteRequestTimeout',
  'HTTPRouteResponseHeaderModification',
  'HTTPRouteSchemeRedirect',
  'ReferenceGrant',
].slice().sort(compareText);

/** Our GatewayClasses (sorted by name) and their reports; the accepted ones serve Gateways. */
export function selectClasses(snapshot: Snapshot, controllerName: string): { accepted: Set<string>; reports: GatewayClassReport[] } {
  const accepted = new Set<string>();
  const reports: GatewayClassReport[] = [];
  const ours: GatewayClass[] = [...snapshot.gatewayClasses.values()].filter((c) => c.spec.controllerName === controllerName);
  ours.sort((a, b) => compareText(a.metadata.name, b.metadata.name));
  for (const cls of ours) {
    // No parameters are read: a class that points at some is refused rather than half-served.
    const ok = cls.spec.parametersRef === undefined;
    if (ok) accepted.add(cls.metadata.name);
    reports.push({
      name: cls.metadata.name,
      generation: cls.metadata.generation,
      conditions: [
        ok
          ? condition('Accepted', true, 'Accepted', 'served by this controller')
          : condition('Accepted', false, 'InvalidParameters', 'parametersRef is not supported by this controller'),
      ],
      supportedFeatures: SUPPORTED_FEATURES,
    });
  }
  return { accepted, reports };
}
