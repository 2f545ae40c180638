/**
 * Carries out one test: applies its manifests, runs its steps in order with bounded waits, and
 * deletes what it applied. The first step that does not hold ends the test with its reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expectEventually, type Consistency, type Target } from './client.js';
import type { GatewayEnv } from './env.js';
import type { Manifest } from './manifests.js';
import type { Ref, ScenarioTest, Step } from './scenario.js';
import { gatewayAddress, gatewayAndRoutesAccepted, gatewayListeners, gatewayZeroRoutes, noAcceptedParents, objectHasCondition, routeHasCondition, type StatusObject } from './status.js';

export interface Timings {
  /** Longest wait for a status check to hold. */
  statusMs: number;
  consistency: Consistency;
}

const GW = 'gateway.networking.k8s.io/v1';

async function read(env: GatewayEnv, kind: string, ref: Ref, apiVersion = GW): Promise<StatusObject | undefined> {
  return (await env.applier.read({ apiVersion, kind, metadata: { name: ref.name, namespace: ref.namespace } })) as unknown as StatusObject | undefined;
}

/** Polls `check` until it reports nothing wrong, for at most `ms`; the last problems otherwise. */
export async function holdsWithin(check: () => Promise<string[]>, ms: number, intervalMs = 250): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    let problems: string[];
    try {
      problems = await check();
    } catch (err) {
      problems = [(err as Error).message];
    }
    if (!problems.length || Date.now() >= deadline) return problems;
    await sleep(intervalMs);
  }
}

function missing(kind: string, ref: Ref): string[] {
  return [`${kind} ${ref.namespace}/${ref.name} does not exist`];
}

async function target(env: GatewayEnv, ref: Ref, listener: string | undefined, protocol: string | undefined): Promise<Target | string> {
  const gw = (await read(env, 'Gateway', ref)) as (StatusObject & { spec?: { listeners?: Array<{ name: string; port: number; tls?: { certificateRefs?: Array<{ name: string }> } }> } }) | undefined;
  if (!gw) return `Gateway ${ref.namespace}/${ref.name} does not exist`;
  const address = gatewayAddress(gw);
  if (!address) return `Gateway ${ref.namespace}/${ref.name} has no status address`;
  const listeners = gw.spec?.listeners ?? [];
  const l = listener ? listeners.find((x) => x.name === listener) : listeners[0];
  if (!l) return `Gateway ${ref.namespace}/${ref.name} has no listener ${listener ?? ''}`;
  const certName = l.tls?.certificateRefs?.[0]?.name;
  const ca = protocol === 'HTTPS' && certName ? env.secrets.get(`${ref.namespace}/${certName}`)?.certPem : undefined;
  return { address, port: l.port, ...(ca ? { ca } : {}) };
}

async function runStep(env: GatewayEnv, step: Step, t: Timings, controllerName: string): Promise<string[]> {
  switch (step.kind) {
    case 'accepted':
      return holdsWithin(async () => {
        const gw = await read(env, 'Gateway', step.gateway);
        if (!gw) return missing('Gateway', step.gateway);
        const routes = await Promise.all(step.routes.map((r) => read(env, 'HTTPRoute', r)));
        const absent = step.routes.filter((_, i) => !routes[i]);
        if (absent.length) return missing('HTTPRoute', absent[0]);
        return gatewayAndRoutesAccepted(gw, routes as StatusObject[], controllerName);
      }, t.statusMs);
    case 'route-condition':
      return holdsWithin(async () => {
        const route = await read(env, 'HTTPRoute', step.route);
        return route ? routeHasCondition(route, step.gateway, controllerName, step.condition) : missing('HTTPRoute', step.route);
      }, t.statusMs);
    case 'no-accepted-parents':
      return holdsWithin(async () => {
        const route = await read(env, 'HTTPRoute', step.route);
        return route ? noAcceptedParents(route) : missing('HTTPRoute', step.route);
      }, t.statusMs);
    case 'listeners':
    case 'zero-routes':
    case 'gateway-condition':
      return holdsWithin(async () => {
        const gw = await read(env, 'Gateway', step.gateway);
        if (!gw) return missing('Gateway', step.gateway);
        if (step.kind === 'listeners') return gatewayListeners(gw, step.listeners);
        if (step.kind === 'zero-routes') return gatewayZeroRoutes(gw);
        return objectHasCondition(gw, step.condition, `Gateway ${step.gateway.namespace}/${step.gateway.name}`);
      }, t.statusMs);
    case 'requests': {
      const problems: string[] = [];
      for (const c of step.cases) {
        const to = await target(env, step.gateway, step.listener, c.request.protocol);
        if (typeof to === 'string') return [to];
        const result = await expectEventually(c.request, c.expect, to, t.consistency);
        if (!result.ok) problems.push(result.reason);
      }
      return problems;
    }
    case 'apply':
      await env.applyAll(step.manifests);
      return [];
    case 'delete':
      await env.applier.remove({ apiVersion: step.object.apiVersion, kind: step.object.kind, metadata: { name: step.object.ref.name, namespace: step.object.ref.namespace } });
      return [];
  }
}

/** Runs a test's steps against objects already applied; the reason of the first step that fails, or undefined. */
export async function runSteps(env: GatewayEnv, test: ScenarioTest, t: Timings, controllerName: string): Promise<string | undefined> {
  for (const [i, step] of test.steps.entries()) {
    const down = env.controllerDown();
    if (down) return `${down}; ${env.logTail(3).split('\n').join(' | ')}`;
    const problems = await runStep(env, step, t, controllerName);
    if (problems.length) return `step ${i + 1} (${step.kind}): ${problems.slice(0, 3).join('; ')}`;
  }
  return undefined;
}

/** Applies the manifests, runs the steps and deletes the objects again (echo replicas of its Deployments stopped). */
export async function runTest(env: GatewayEnv, test: ScenarioTest, manifests: readonly Manifest[], t: Timings, controllerName: string): Promise<string | undefined> {
  let started: Awaited<ReturnType<GatewayEnv['applyAll']>> = [];
  try {
    started = await env.applyAll(manifests);
    return await runSteps(env, test, t, controllerName);
  } catch (err) {
    return `could not run: ${(err as Error).message}`;
  } finally {
    for (const o of [...manifests].reverse()) await env.applier.remove(o).catch(() => undefined);
    await Promise.all(started.map((r) => r.echo.close()));
  }
}
