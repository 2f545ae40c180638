/**
 * Shared setup for tests that drive the test apiserver through the real
 * `@kubernetes/client-node` client: a server, a KubeConfig for it, typed API
 * clients, and a bounded wait for asynchronous effects.
 */
import * as k8s from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from './server.js';

/** A server plus clients bound to it. */
export interface ClientFixture {
  server: KubeApiServer;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  net: k8s.NetworkingV1Api;
  discovery: k8s.DiscoveryV1Api;
  coordination: k8s.CoordinationV1Api;
  apps: k8s.AppsV1Api;
}

/** Starts a server and builds clients from its kubeconfig, exactly as a controller would. */
export async function startFixture(options: KubeApiServerOptions = {}): Promise<ClientFixture> {
  const server = await startKubeApiServer(options);
  const kc = new k8s.KubeConfig();
  kc.loadFromString(server.kubeConfig());
  return {
    server,
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    net: kc.makeApiClient(k8s.NetworkingV1Api),
    discovery: kc.makeApiClient(k8s.DiscoveryV1Api),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
  };
}

/** Polls until `check` returns true; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The HTTP status and parsed Status body of a rejected client call. */
export async function apiFailure(call: Promise<unknown>): Promise<{ code: number; reason?: string; message?: string }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof k8s.ApiException) {
      const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      return { code: err.code, reason: body?.reason, message: body?.message };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A raw client-node Watch recording its events. */
export interface RecordedWatch {
  events: Array<{ type: string; object: k8s.KubernetesObject & Record<string, unknown> }>;
  /** Settles with the error (or null) client-node hands to the done callback. */
  done: Promise<unknown>;
  stop(): void;
}

/** Opens a client-node `Watch` on `path` and records every event until stopped or ended. */
export async function recordWatch(kc: k8s.KubeConfig, path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<RecordedWatch> {
  const events: RecordedWatch['events'] = [];
  let settle: (value: unknown) => void = () => {};
  const done = new Promise<unknown>((resolve) => {
    settle = resolve;
  });
  const controller = await new k8s.Watch(kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    (err) => settle(err ?? null),
  );
  return { events, done, stop: () => controller.abort() };
}

/** `TYPE name` for each event, for compact assertions. */
export function eventSummary(watch: RecordedWatch): string[] {
  return watch.events.map((e) => `${e.type} ${e.object.metadata?.name ?? `@${e.object.metadata?.resourceVersion}`}`);
}
