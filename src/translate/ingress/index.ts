import type { Mutable, Route } from '../../model/types.js';
import { refOf } from '../../store/types.js';
import { resolveHttpsRedirect } from '../annotations/global-settings.js';
import { regexHosts } from '../annotations/nginx/paths.js';
import { isRegexIngress } from '../annotations/nginx/routing.js';
import { isCovered } from '../certificates.js';
import type { FrontDoor, FrontDoorContext, OpenFrontDoor } from '../front-door.js';
import { attachCanaries, canaryRoutes, splitCanaries } from './canary.js';
import { ingressDefaultBackend } from './default-backend.js';
import { selectIngresses } from './ingress-class.js';
import { claimRoutes, type ClaimedRoute } from './routes.js';
import { claimCertificates } from './tls.js';

/**
 * The Ingress front door: the Ingresses of our class (oldest first, the order conflicts are settled
 * in), their TLS entries, rules and default backend. An Ingress's annotations apply to its routes
 * at the `ingress` level, under the Service's.
 */
export const ingressFrontDoor: FrontDoor = {
  open(ctx: FrontDoorContext): OpenFrontDoor {
    const { snapshot, options, diags, settings, backends } = ctx;
    const ingresses = selectIngresses(snapshot, options, diags);
    claimCertificates(ingresses, ctx.certificates, diags);
    return {
      claimed: ingresses.map(refOf),
      build: (served) => {
        const { mains, canaries } = splitCanaries(ingresses, settings);
        const claims = claimRoutes(mains, diags, regexHosts(mains, (i) => isRegexIngress(settings.of(i))));
        const attached = attachCanaries(claims, canaries, settings, diags);
        return {
          routes: claims.flatMap((claim) => {
            const route = toRoute(claim, ctx, served);
            const canary = attached.get(claim);
            return canary ? canaryRoutes(route, canary, settings.of(claim.ingress), backends) : [route];
          }),
          defaultBackend: ingressDefaultBackend(mains, backends, settings, diags),
        };
      },
    };
  },
};

function toRoute(claim: ClaimedRoute, ctx: FrontDoorContext, served: ReadonlySet<string>): Route {
  const { backends, settings, options } = ctx;
  const source = refOf(claim.ingress);
  const own = settings.of(claim.ingress);
  const backend = backends.resolve(source, claim.service, own);
  const route: Mutable<Route> = { host: claim.host, path: claim.path, match: claim.match, backend, source };
  const redirect = resolveHttpsRedirect(settings, own, isCovered(claim.host, served), options.httpsPort);
  if (redirect) route.httpsRedirect = redirect;
  return route;
}
