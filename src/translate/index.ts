import type { Model, Route } from '../model/types.js';
import { refOf, type Snapshot } from '../store/types.js';
import { BackendTable } from './backends.js';
import { readConfig, type ControllerConfig } from './config-map.js';
import { chooseDefaultBackend } from './default-backend.js';
import { globalSettings } from './defaults.js';
import { compareText, Diagnostics } from './diagnostics.js';
import { selectIngresses } from './ingress-class.js';
import { claimRoutes, type ClaimedRoute } from './routes.js';
import { collectCertificates, defaultCertificate, isCovered, servedHosts } from './tls.js';
import type { TranslateOptions, TranslateResult } from './types.js';

export { dumpModel } from './dump.js';
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
  const config = readConfig(snapshot, options.configMap, diags);
  const certificates = collectCertificates(ingresses, snapshot, diags);
  const backends = new BackendTable(snapshot, diags);
  const served = servedHosts(certificates);
  const routes = claimRoutes(ingresses, diags)
    .map((claim) => toRoute(claim, backends, served, config, options.httpsPort))
    .sort(compareRoutes);
  const defaultBackend = chooseDefaultBackend(ingresses, options, snapshot, backends, diags);
  const model: Model = {
    global: globalSettings(options),
    routes,
    ...(defaultBackend !== undefined ? { defaultBackend } : {}),
    backends: backends.list(),
    certificates,
    defaultCertificate: defaultCertificate(snapshot, options, diags),
  };
  const owned = ingresses.map(refOf).sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name));
  return { model, diagnostics: diags.sorted(), ingresses: owned };
}

function toRoute(
  claim: ClaimedRoute,
  backends: BackendTable,
  served: ReadonlySet<string>,
  config: ControllerConfig,
  httpsPort: number,
): Route {
  const source = refOf(claim.ingress);
  const route: Route = { host: claim.host, path: claim.path, match: claim.match, backend: backends.resolve(source, claim.service), source };
  // Only hosts we hold a certificate for are redirected: sending a client to HTTPS where it would
  // get the default certificate trades a working page for a certificate error.
  if (config.sslRedirect && isCovered(claim.host, served)) {
    route.httpsRedirect = { code: config.sslRedirectCode, port: httpsPort };
  }
  return route;
}

function compareRoutes(a: Route, b: Route): number {
  return compareText(a.host, b.host) || compareText(a.path, b.path) || compareText(a.match, b.match);
}
