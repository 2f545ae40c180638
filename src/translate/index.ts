import type { Certificate, Mutable, Model, Route } from '../model/types.js';
import { refOf, type Snapshot } from '../store/types.js';
import { configuredDefaultCertificate, resolveGlobalSettings, resolveHttpsRedirect } from './annotations/global-settings.js';
import { SettingsResolver } from './annotations/resolve.js';
import { BackendTable } from './backends.js';
import { chooseDefaultBackend } from './ingress/default-backend.js';
import { compareText, Diagnostics } from './diagnostics.js';
import { selectIngresses } from './ingress/ingress-class.js';
import { claimRoutes, type ClaimedRoute } from './ingress/routes.js';
import { DEFAULT_CERTIFICATE_ID, collectCertificates, defaultCertificate, isCovered, servedHosts } from './ingress/tls.js';
import type { TranslateOptions, TranslateResult } from './types.js';

export { dumpModel } from './dump.js';
export { patchEndpoints } from './incremental.js';
export { formatDiagnostic } from './diagnostics.js';
export type { Diagnostic, TranslateOptions, TranslateResult } from './types.js';

/**
 * Builds the load-balancer model from everything the controller watches. Pure and deterministic:
 * the same snapshot and options give the same result whatever order the objects arrived in. User
 * input never makes it throw; each problem becomes one diagnostic and the rest still applies.
 */
export function translate(snapshot: Snapshot, options: TranslateOptions): TranslateResult {
  const diags = new Diagnostics();
  const ingresses = selectIngresses(snapshot, options, diags);
  const settings = new SettingsResolver(snapshot, options, diags);
  const certificates = collectCertificates(ingresses, snapshot, diags);
  const backends = new BackendTable(snapshot, diags, settings);
  const served = servedHosts(certificates);
  const routes = claimRoutes(ingresses, diags)
    .map((claim) => toRoute(claim, backends, served, settings, options.httpsPort))
    .sort(compareRoutes);
  const defaultBackend = chooseDefaultBackend(ingresses, options, snapshot, backends, diags);
  const model: Model = {
    global: resolveGlobalSettings(settings, options),
    routes,
    ...(defaultBackend !== undefined ? { defaultBackend } : {}),
    backends: backends.list(),
    certificates,
    defaultCertificate: chooseDefaultCertificate(snapshot, options, settings, diags),
  };
  const owned = ingresses.map(refOf).sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name));
  return { model, diagnostics: diags.sorted(), ingresses: owned, endpointSources: backends.endpointSources() };
}

function toRoute(
  claim: ClaimedRoute,
  backends: BackendTable,
  served: ReadonlySet<string>,
  settings: SettingsResolver,
  httpsPort: number,
): Route {
  const source = refOf(claim.ingress);
  const backend = backends.resolve(source, claim.service, claim.ingress);
  const route: Mutable<Route> = { host: claim.host, path: claim.path, match: claim.match, backend, source };
  const redirect = resolveHttpsRedirect(settings, settings.of(claim.ingress), isCovered(claim.host, served), httpsPort);
  if (redirect) route.httpsRedirect = redirect;
  return route;
}

/** The ConfigMap's `ssl-certificate` when usable, else `--default-ssl-certificate`, else the generated one. */
function chooseDefaultCertificate(snapshot: Snapshot, options: TranslateOptions, settings: SettingsResolver, diags: Diagnostics): Certificate {
  const configured = configuredDefaultCertificate(settings);
  if (configured) return { id: DEFAULT_CERTIFICATE_ID, pem: configured.pem, hosts: [], source: configured.source };
  return defaultCertificate(snapshot, options, diags);
}

function compareRoutes(a: Route, b: Route): number {
  return compareText(a.host, b.host) || compareText(a.path, b.path) || compareText(a.match, b.match);
}
