/**
 * Step definitions. As upstream, each feature file registers only its own
 * regexes, so a step written for one feature is undefined in another.
 */
import {
  assertDistinctPods,
  assertHeaderTable,
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
import type { RunStep } from './gherkin.js';
import type { ScenarioWorld } from './world.js';

/** Runs a matched step; `args` are the regex capture groups. */
export type StepHandler = (world: ScenarioWorld, args: string[], step: RunStep) => Promise<void> | void;

/** A step regex and what it does. */
export interface StepDefinition {
  pattern: RegExp;
  run: StepHandler;
}

function captured(world: ScenarioWorld): Capture {
  if (!world.captured) throw new Error('no response has been captured yet');
  return world.captured;
}

function docString(step: RunStep): string {
  if (step.docString === undefined) throw new Error('the step needs a doc string');
  return step.docString;
}

function check(fn: (c: Capture, arg: string) => void): StepHandler {
  return (world, [arg]) => fn(captured(world), arg);
}

const def = (pattern: RegExp, run: StepHandler): StepDefinition => Object.freeze({ pattern, run });

const STEP = Object.freeze({
  newNamespace: def(/^a new random namespace$/, (w) => w.newNamespace()),
  ingressNamedWithSpec: def(/^an Ingress resource named "([^"]*)" with this spec:$/, (w, [name], s) =>
    w.createIngressFromSpec(name, docString(s)),
  ),
  ingressManifest: def(/^an Ingress resource$/, (w, _a, s) => w.createIngressFromManifest(docString(s))),
  ingressInNewNamespace: def(/^an Ingress resource in a new random namespace$/, (w, _a, s) =>
    w.createIngressInNewNamespace(docString(s)),
  ),
  tlsSecret: def(/^a self-signed TLS secret named "([^"]*)" for the "([^"]*)" hostname$/, (w, [name, host]) =>
    w.createTlsSecret(name, host),
  ),
  statusShows: def(/^The Ingress status shows the IP address or FQDN where it is exposed$/, (w) => w.expectAddress()),
  statusShowsNot: def(/^The Ingress status should not contain the IP address or FQDN$/, (w) => w.expectNoAddress()),
  sendHostPath: def(/^I send a "([^"]*)" request to http:\/\/"([^"]*)"\/"([^"]*)"$/, async (w, [method, host, path]) => {
    await w.send(method, 'http', host, path);
  }),
  sendUrl: def(/^I send a "([^"]*)" request to "([^"]*)"$/, async (w, [method, rawUrl]) => {
    const url = new URL(rawUrl);
    await w.send(method, url.protocol.replace(/:$/, ''), url.host, url.pathname);
  }),
  sendMany: def(/^I send (\d+) requests to "([^"]*)"$/, (w, [count, url]) => w.sendMany(Number(count), url)),
  scale: def(/^The backend deployment "([^"]*)" for the ingress resource is scaled to (\d+)$/, (w, [svc, n]) =>
    w.scale(svc, Number(n)),
  ),
  statusCode: def(/^the response status-code must be (\d+)$/, check((c, n) => assertStatusCode(c, Number(n)))),
  servedBy: def(/^the response must be served by the "([^"]*)" service$/, check(assertServedBy)),
  responseProto: def(/^the response proto must be "([^"]*)"$/, check(assertResponseProto)),
  responseHeaders: def(/^the response headers must contain <key> with matching <value>$/, (w, _a, s) =>
    assertHeaderTable('response', captured(w), s.table),
  ),
  requestMethod: def(/^the request method must be "([^"]*)"$/, check(assertRequestMethod)),
  requestPath: def(/^the request path must be "([^"]*)"$/, check(assertRequestPath)),
  requestProto: def(/^the request proto must be "([^"]*)"$/, check(assertRequestProto)),
  requestHost: def(/^the request host must be "([^"]*)"$/, check(assertRequestHost)),
  requestHeaders: def(/^the request headers must contain <key> with matching <value>$/, (w, _a, s) =>
    assertHeaderTable('request', captured(w), s.table),
  ),
  secureHostname: def(/^the secure connection must verify the "([^"]*)" hostname$/, check(assertTlsHostname)),
  distinctPods: def(
    /^all the responses status-code must be (\d+) and the response body should contain the IP address of (\d+) different Kubernetes pods$/,
    (w, [status, pods]) => assertDistinctPods(w.podsByStatus, Number(status), Number(pods)),
  ),
});

/** Registrations per feature file, as in upstream `test/conformance/<feature>/feature.go`. */
const FEATURE_STEPS: Readonly<Record<string, readonly StepDefinition[]>> = Object.freeze({
  default_backend: [
    STEP.newNamespace, STEP.ingressNamedWithSpec, STEP.statusShows, STEP.sendHostPath, STEP.statusCode,
    STEP.servedBy, STEP.responseProto, STEP.responseHeaders, STEP.requestMethod, STEP.requestPath,
    STEP.requestProto, STEP.requestHeaders,
  ],
  host_rules: [
    STEP.newNamespace, STEP.tlsSecret, STEP.ingressManifest, STEP.statusShows, STEP.sendUrl,
    STEP.secureHostname, STEP.statusCode, STEP.servedBy, STEP.requestHost,
  ],
  ingress_class: [STEP.ingressInNewNamespace, STEP.statusShowsNot],
  load_balancing: [
    STEP.newNamespace, STEP.ingressNamedWithSpec, STEP.statusShows, STEP.scale, STEP.sendMany, STEP.distinctPods,
  ],
  path_rules: [
    STEP.ingressInNewNamespace, STEP.statusShows, STEP.sendUrl, STEP.statusCode, STEP.servedBy, STEP.requestPath,
  ],
});

/** The step definitions a feature file registers (none for an unknown file). */
export function stepsForFeature(featureFile: string): readonly StepDefinition[] {
  return FEATURE_STEPS[featureFile] ?? [];
}

/** The feature files that have step definitions. */
export function knownFeatures(): string[] {
  return Object.keys(FEATURE_STEPS);
}

/** A step text resolved against the registrations. */
export type StepMatch =
  | { kind: 'matched'; definition: StepDefinition; args: string[] }
  | { kind: 'undefined' }
  | { kind: 'ambiguous'; count: number };

/** Finds the single definition whose regex matches `text`. */
export function matchStep(definitions: readonly StepDefinition[], text: string): StepMatch {
  const hits = definitions.flatMap((definition) => {
    const m = definition.pattern.exec(text);
    return m ? [{ definition, args: m.slice(1) }] : [];
  });
  if (hits.length === 0) return { kind: 'undefined' };
  if (hits.length > 1) return { kind: 'ambiguous', count: hits.length };
  return { kind: 'matched', ...hits[0] };
}
