/**
 * Step definitions of the upstream feature files. As upstream, each feature
 * file registers only its own regexes, so a step written for one feature is
 * undefined in another. A matched step becomes the actions of `plan.ts`.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import YAML from 'yaml';
import { headerTableRows } from './assertions.js';
import type { RunStep, ScenarioRun } from './gherkin.js';
import { absolutePath, targetOf, type Action, type PlannedRun, type PlannedStep } from './plan.js';

/** Turns a matched step into actions; `args` are the regex capture groups. Throws when the step is malformed. */
export type StepHandler = (args: string[], step: RunStep) => Action[];

/** A step regex and what it does. */
export interface StepDefinition {
  pattern: RegExp;
  actions: StepHandler;
}

function docString(step: RunStep): string {
  if (step.docString === undefined) throw new Error('the step needs a doc string');
  return step.docString;
}

function manifest(step: RunStep): V1Ingress {
  const ingress = YAML.parse(docString(step)) as V1Ingress;
  if (!ingress || typeof ingress !== 'object') throw new Error('the Ingress manifest is empty');
  return ingress;
}

const def = (pattern: RegExp, actions: StepHandler): StepDefinition => Object.freeze({ pattern, actions });
const one = (action: Action): Action[] => [action];

const STEP = Object.freeze({
  newNamespace: def(/^a new random namespace$/, () => one({ do: 'namespace' })),
  ingressNamedWithSpec: def(/^an Ingress resource named "([^"]*)" with this spec:$/, ([name], s) =>
    one({ do: 'ingress', manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name }, spec: YAML.parse(docString(s)) ?? {} } }),
  ),
  ingressManifest: def(/^an Ingress resource$/, (_a, s) => one({ do: 'ingress', manifest: manifest(s) })),
  ingressInNewNamespace: def(/^an Ingress resource in a new random namespace$/, (_a, s) => [
    { do: 'namespace' },
    { do: 'ingress', manifest: manifest(s) },
  ]),
  tlsSecret: def(/^a self-signed TLS secret named "([^"]*)" for the "([^"]*)" hostname$/, ([name, host]) =>
    one({ do: 'tls-secret', name, host }),
  ),
  statusShows: def(/^The Ingress status shows the IP address or FQDN where it is exposed$/, () => one({ do: 'await-address' })),
  statusShowsNot: def(/^The Ingress status should not contain the IP address or FQDN$/, () => one({ do: 'address-withheld' })),
  sendHostPath: def(/^I send a "([^"]*)" request to http:\/\/"([^"]*)"\/"([^"]*)"$/, ([method, host, path]) =>
    one({ do: 'send', method, scheme: 'http', host, path: absolutePath(path) }),
  ),
  sendUrl: def(/^I send a "([^"]*)" request to "([^"]*)"$/, ([method, url]) => one({ do: 'send', method, ...targetOf(url) })),
  sendMany: def(/^I send (\d+) requests to "([^"]*)"$/, ([count, url]) => one({ do: 'send-many', count: Number(count), ...targetOf(url) })),
  scale: def(/^The backend deployment "([^"]*)" for the ingress resource is scaled to (\d+)$/, ([service, n]) =>
    one({ do: 'scale', service, replicas: Number(n) }),
  ),
  statusCode: def(/^the response status-code must be (\d+)$/, ([n]) => one({ do: 'expect-status', code: Number(n) })),
  servedBy: def(/^the response must be served by the "([^"]*)" service$/, ([service]) => one({ do: 'expect-service', service })),
  responseProto: def(/^the response proto must be "([^"]*)"$/, ([proto]) => one({ do: 'expect-response-proto', proto })),
  responseHeaders: def(/^the response headers must contain <key> with matching <value>$/, (_a, s) =>
    one({ do: 'expect-response-headers', headers: headerTableRows(s.table) }),
  ),
  requestMethod: def(/^the request method must be "([^"]*)"$/, ([method]) => one({ do: 'expect-request-method', method })),
  requestPath: def(/^the request path must be "([^"]*)"$/, ([path]) => one({ do: 'expect-request-path', path: absolutePath(path) })),
  requestProto: def(/^the request proto must be "([^"]*)"$/, ([proto]) => one({ do: 'expect-request-proto', proto })),
  requestHost: def(/^the request host must be "([^"]*)"$/, ([host]) => one({ do: 'expect-request-host', host })),
  requestHeaders: def(/^the request headers must contain <key> with matching <value>$/, (_a, s) =>
    one({ do: 'expect-request-headers', headers: headerTableRows(s.table) }),
  ),
  secureHostname: def(/^the secure connection must verify the "([^"]*)" hostname$/, ([host]) => one({ do: 'expect-tls-hostname', host })),
  distinctPods: def(
    /^all the responses status-code must be (\d+) and the response body should contain the IP address of (\d+) different Kubernetes pods$/,
    ([status, pods]) => one({ do: 'expect-distinct-pods', status: Number(status), pods: Number(pods) }),
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

/**
 * Resolves every step of an upstream run into actions. A step that matches
 * no definition, several, or is malformed keeps its error and fails the run
 * when reached, as godog fails an undefined step.
 */
export function bindRun(run: ScenarioRun): PlannedRun {
  const definitions = stepsForFeature(run.featureFile);
  const steps = run.steps.map((step): PlannedStep => {
    const match = matchStep(definitions, step.text);
    if (match.kind === 'undefined') return { label: step.text, actions: [], error: 'undefined step: no step definition matches this text' };
    if (match.kind === 'ambiguous') return { label: step.text, actions: [], error: `ambiguous step: ${match.count} step definitions match this text` };
    try {
      return { label: step.text, actions: match.definition.actions(match.args, step) };
    } catch (err) {
      return { label: step.text, actions: [], error: err instanceof Error ? err.message : String(err) };
    }
  });
  return { source: 'upstream', ...run, steps };
}
