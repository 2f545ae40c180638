/**
 * The seam between the shared translation and its front doors: each front door reads one API's
 * routing objects (Ingress today) and adds to the same model through the same shared tables, so
 * backends, certificates, policy and diagnostics mean the same whichever API asked for them.
 */
import type { Listener, Model, Route } from '../model/types.js';
import type { ObjectRef, Snapshot } from '../store/types.js';
import { resolveGlobalSettings } from './annotations/global-settings.js';
import { SettingsResolver } from './annotations/resolve.js';
import { BackendTable } from './backends.js';
import { CertificateTable, chooseDefaultCertificate } from './certificates.js';
import { defaultBackendFromOption } from './default-backend-service.js';
import { compareText, Diagnostics } from './diagnostics.js';
import type { GatewayApiReport } from './gateway-report.js';
import type { TranslateOptions, TranslateResult } from './types.js';

/** What every front door reads, and the shared tables it adds to. */
export interface FrontDoorContext {
  readonly snapshot: Snapshot;
  readonly options: TranslateOptions;
  readonly diags: Diagnostics;
  /** Annotations and ConfigMap keys, resolved by precedence; a route's own object is one level. */
  readonly settings: SettingsResolver;
  /** Backends from Services and EndpointSlices; a route names the backend `resolve` gives. */
  readonly backends: BackendTable;
  /** Certificates from TLS Secrets, and which Secret serves each SNI host. */
  readonly certificates: CertificateTable;
}

/** What one front door contributes to the model. */
export interface FrontDoorRoutes {
  /** In any order: the merge sorts them. Each names a backend from `FrontDoorContext.backends`. */
  routes: Route[];
  /** The backend for requests no route matches, when this front door's objects name one. */
  defaultBackend?: string;
  /** Listeners beyond the default pair that its routes name (Gateway API). */
  listeners?: Listener[];
  /** Conditions of its Gateway API objects, for status. */
  gatewayApi?: GatewayApiReport;
}

/** One front door, opened once per translation. */
export interface FrontDoor {
  /**
   * Selects the objects this front door implements and claims the SNI hosts they serve in
   * `ctx.certificates`. Every front door is opened before any builds its routes, so that an HTTPS
   * redirect sees every certificate.
   */
  open(ctx: FrontDoorContext): OpenFrontDoor;
}

export interface OpenFrontDoor {
  /** The objects implemented, whose status gets our address. */
  readonly claimed: readonly ObjectRef[];
  /** The routes and default backend; `served` holds every SNI host any front door claimed. */
  build(served: ReadonlySet<string>): FrontDoorRoutes;
}

/**
 * Runs `frontDoors` over one snapshot and merges what they give into one sorted model. The first
 * front door naming a default backend wins; without one, `--default-backend-service` applies.
 */
export function translateWith(frontDoors: readonly FrontDoor[], snapshot: Snapshot, options: TranslateOptions): TranslateResult {
  const diags = new Diagnostics();
  const settings = new SettingsResolver(snapshot, options, diags);
  const ctx: FrontDoorContext = {
    snapshot,
    options,
    diags,
    settings,
    backends: new BackendTable(snapshot, diags, settings),
    certificates: new CertificateTable(snapshot),
  };
  const opened = frontDoors.map((door) => door.open(ctx));
  const served = ctx.certificates.served();
  const built = opened.map((door) => door.build(served));
  const fromDoors = built.find((b) => b.defaultBackend !== undefined)?.defaultBackend;
  const defaultBackend =
    fromDoors ?? (options.defaultBackendService ? defaultBackendFromOption(options.defaultBackendService, snapshot, ctx.backends, diags) : undefined);
  const listeners = built.flatMap((b) => b.listeners ?? []).sort((a, b) => compareText(a.name, b.name));
  const gatewayApi = built.find((b) => b.gatewayApi !== undefined)?.gatewayApi;
  const model: Model = {
    global: resolveGlobalSettings(settings, options),
    routes: built.flatMap((b) => b.routes).sort(compareRoutes),
    ...(defaultBackend !== undefined ? { defaultBackend } : {}),
    backends: ctx.backends.list(),
    certificates: ctx.certificates.list(),
    defaultCertificate: chooseDefaultCertificate(snapshot, options, settings, diags),
    ...(listeners.length > 0 ? { listeners } : {}),
  };
  const ingresses = opened
    .flatMap((door) => door.claimed.filter((ref) => ref.kind === 'Ingress'))
    .sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name));
  const splitServices = ctx.backends.splitServices();
  return {
    model,
    diagnostics: diags.sorted(),
    ingresses,
    endpointSources: ctx.backends.endpointSources(),
    ...(splitServices.size > 0 ? { splitServices } : {}),
    ...(gatewayApi ? { gatewayApi } : {}),
  };
}

/**
 * Within a host, regex routes come first and longest first (they are tried in model order, and the
 * longest is the most specific, as ingress-nginx orders its regex locations); the other kinds live
 * in lookup trees where order does not matter.
 */
function compareRoutes(a: Route, b: Route): number {
  const regex = Number(b.match === 'regex') - Number(a.match === 'regex');
  const longer = a.match === 'regex' && b.match === 'regex' ? b.path.length - a.path.length : 0;
  return compareText(a.host, b.host) || regex || longer || compareText(a.path, b.path) || compareText(a.match, b.match);
}
