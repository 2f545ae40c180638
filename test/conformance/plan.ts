/**
 * The run structure both scenario formats compile to: a run is a list of
 * steps, each step a label (what the report shows) and the actions it
 * performs. The project's scenario files (`scenario-file.ts`) and the
 * upstream feature files (`gherkin.ts` + `steps.ts`) produce the same
 * actions, so one executor and one set of checks serve both, and the two
 * can be compared action for action.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import {
  assertDistinctPods,
  assertHeaders,
  assertRequestHost,
  assertRequestMethod,
  assertRequestPath,
  assertRequestProto,
  assertResponseProto,
  assertServedBy,
  assertStatusCode,
  assertTlsHostname,
} from './assertions.js';
import type { Capture } from './client.js';
import type { ScenarioWorld } from './world.js';

/** Where one request goes: `host` empty means the status address itself. */
export interface Target {
  scheme: string;
  host: string;
  /** Always starts with `/`. */
  path: string;
}

/** One thing a step does; every check reads the last captured round trip. */
export type Action =
  | { do: 'namespace' }
  | { do: 'tls-secret'; name: string; host: string }
  | { do: 'ingress'; manifest: V1Ingress }
  | { do: 'await-address' }
  | { do: 'address-withheld' }
  | { do: 'scale'; service: string; replicas: number }
  | ({ do: 'send'; method: string } & Target)
  | ({ do: 'send-many'; count: number } & Target)
  | { do: 'expect-status'; code: number }
  | { do: 'expect-service'; service: string }
  | { do: 'expect-response-proto'; proto: string }
  | { do: 'expect-response-headers'; headers: Array<[string, string]> }
  | { do: 'expect-request-method'; method: string }
  | { do: 'expect-request-path'; path: string }
  | { do: 'expect-request-proto'; proto: string }
  | { do: 'expect-request-host'; host: string }
  | { do: 'expect-request-headers'; headers: Array<[string, string]> }
  | { do: 'expect-tls-hostname'; host: string }
  | { do: 'expect-distinct-pods'; status: number; pods: number };

/** A step of a run; `error` set means the step cannot run (undefined, malformed) and fails when reached. */
export interface PlannedStep {
  label: string;
  actions: Action[];
  error?: string;
}

/** One scenario run, from either format. */
export interface PlannedRun {
  source: 'project' | 'upstream';
  /** File name without extension, e.g. `default-backend` or `default_backend`. */
  featureFile: string;
  /** Title of the file's feature. */
  feature: string;
  name: string;
  /** `column=value` pairs of an upstream Examples row. */
  example?: string;
  tags: string[];
  steps: PlannedStep[];
}

/** Adds the leading `/` both formats may leave out. */
export function absolutePath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/** Splits a URL into a {@link Target}, as the client will send it. */
export function targetOf(rawUrl: string): Target {
  const url = new URL(rawUrl);
  return { scheme: url.protocol.replace(/:$/, ''), host: url.host, path: absolutePath(url.pathname) };
}

function captured(world: ScenarioWorld): Capture {
  if (!world.captured) throw new Error('no response has been captured yet');
  return world.captured;
}

/** Performs one action against the scenario's world. */
export async function perform(world: ScenarioWorld, action: Action): Promise<void> {
  switch (action.do) {
    case 'namespace': return world.newNamespace();
    case 'tls-secret': return world.createTlsSecret(action.name, action.host);
    // A copy: the world completes the object (namespace, class) and runs must not share it.
    case 'ingress': return world.createIngressObject(structuredClone(action.manifest));
    case 'await-address': return world.expectAddress();
    case 'address-withheld': return world.expectNoAddress();
    case 'scale': return world.scale(action.service, action.replicas);
    case 'send': {
      await world.send(action.method, action.scheme, action.host, action.path);
      return;
    }
    case 'send-many': return world.sendMany(action.count, action);
    case 'expect-status': return assertStatusCode(captured(world), action.code);
    case 'expect-service': return assertServedBy(captured(world), action.service);
    case 'expect-response-proto': return assertResponseProto(captured(world), action.proto);
    case 'expect-response-headers': return assertHeaders('response', captured(world), action.headers);
    case 'expect-request-method': return assertRequestMethod(captured(world), action.method);
    case 'expect-request-path': return assertRequestPath(captured(world), action.path);
    case 'expect-request-proto': return assertRequestProto(captured(world), action.proto);
    case 'expect-request-host': return assertRequestHost(captured(world), action.host);
    case 'expect-request-headers': return assertHeaders('request', captured(world), action.headers);
    case 'expect-tls-hostname': return assertTlsHostname(captured(world), action.host);
    case 'expect-distinct-pods': return assertDistinctPods(world.podsByStatus, action.status, action.pods);
  }
}
