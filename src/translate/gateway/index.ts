import type { FrontDoor, FrontDoorContext, OpenFrontDoor } from '../front-door.js';
import { compareText } from '../diagnostics.js';
import { selectClasses } from './classes.js';
import { openGateways } from './gateways.js';
import { buildHttpRoutes } from './http-routes.js';

/**
 * The Gateway API front door: GatewayClasses whose controllerName is ours, their Gateways (each on
 * an address of its own, its listeners in `Model.listeners`) and the HTTPRoutes attached to them,
 * with every object's conditions in `TranslateResult.gatewayApi`. Nothing happens without
 * `gatewayControllerName`, so Ingress-only setups translate exactly as before.
 */
export const gatewayFrontDoor: FrontDoor = {
  open(ctx: FrontDoorContext): OpenFrontDoor {
    const controllerName = ctx.options.gatewayControllerName;
    if (!controllerName) return { claimed: [], build: () => ({ routes: [] }) };
    const classes = selectClasses(ctx.snapshot, controllerName);
    // Listeners claim their certificates now, before any front door builds its routes.
    const { gateways, listeners } = openGateways(ctx, classes.accepted);
    return {
      claimed: gateways.map((g) => g.ref),
      build: () => {
        const { routes, reports } = buildHttpRoutes(ctx, gateways, listeners);
        if (classes.reports.length === 0) return { routes };
        return {
          routes,
          listeners,
          gatewayApi: {
            controllerName,
            gatewayClasses: classes.reports,
            gateways: gateways.map((g) => ({
              ref: g.ref,
              generation: g.gateway.metadata.generation,
              conditions: g.conditions,
              addresses: g.address !== undefined ? [{ type: 'IPAddress' as const, value: g.address }] : [],
              listeners: g.listeners.map((l) => ({
                name: l.spec.name,
                attachedRoutes: l.attachedRoutes,
                supportedKinds: l.supportedKinds,
                conditions: l.conditions,
              })),
            })),
            routes: reports.sort((a, b) => compareText(a.ref.namespace, b.ref.namespace) || compareText(a.ref.name, b.ref.name)),
          },
        };
      },
    };
  },
};
