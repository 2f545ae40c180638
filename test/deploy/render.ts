/**
 * Renders the installations in deploy/ and finds objects in the result: the kustomize overlays with
 * `kubectl kustomize`, the Helm chart with `helm template`, both with the project's own binaries
 * (test/support/tools.ts), never whatever is on PATH.
 */
import YAML from 'yaml';
import { join } from 'node:path';
import { repoRoot, runTool } from '../support/tools.js';

export { repoRoot };

/** A rendered Kubernetes object, loosely typed: tests read what they check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered YAML: each check reads the fields it checks
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** Every overlay, by folder name under deploy/overlays. */
export const OVERLAYS = ['deployment-loadbalancer', 'daemonset-nodeport', 'dev'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** The chart's folder. */
export const CHART = join('deploy', 'helm', 'portcullis');

/** One installation as rendered: where it came from, its namespace and the name its objects share. */
export interface Rendering {
  label: string;
  namespace: string;
  name: string;
  objects: KubeObject[];
}

const rendered = new Map<string, KubeObject[]>();

/** The objects `kubectl kustomize deploy/overlays/<overlay>` prints (rendered once per process). */
export function render(overlay: Overlay): KubeObject[] {
  const key = `kustomize ${overlay}`;
  if (!rendered.has(key)) rendered.set(key, parseObjects(runTool('kubectl', ['kustomize', join(repoRoot(), 'deploy', 'overlays', overlay)]), overlay));
  return structuredClone(rendered.get(key)!);
}

/**
 * The objects `helm template RELEASE deploy/helm/portcullis --namespace NS` prints with `values`
 * (written to a file, as a user's `-f values.yaml`), rendered once per process and arguments.
 */
export function renderChart(values: object = {}, release = 'portcullis', namespace = 'portcullis'): KubeObject[] {
  const key = `helm ${release} ${namespace} ${JSON.stringify(values)}`;
  if (!rendered.has(key)) {
    const output = runTool('helm', ['template', release, join(repoRoot(), CHART), '--namespace', namespace, '--values', '-'], JSON.stringify(values));
    rendered.set(key, parseObjects(output, key));
  }
  return structuredClone(rendered.get(key)!);
}

/** Every overlay as a Rendering. */
export function overlayRenderings(): Rendering[] {
  return OVERLAYS.map((overlay) => ({ label: `overlay ${overlay}`, namespace: 'portcullis', name: 'portcullis', objects: render(overlay) }));
}

/**
 * Value sets the chart is checked with, beside its defaults: each turns on what the others leave
 * off, and one renders under another release name and namespace so no name is hard-coded.
 */
export const CHART_VALUE_SETS: ReadonlyArray<{ label: string; values: object; release?: string; namespace?: string }> = [
  { label: 'defaults', values: {} },
  { label: 'daemonset', values: { kind: 'DaemonSet', service: { type: 'NodePort', nodePorts: { http: 30080, https: 30443 } } } },
  { label: 'metrics', values: { metrics: { service: true, haproxyStatsPort: 9101, serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } } } },
  { label: 'leader election', values: { replicas: 3, leaderElection: { name: 'edge-status', leaseDuration: 30, renewDeadline: 20, retryPeriod: 4 } } },
  {
    label: 'one replica, own namespace and release',
    release: 'edge',
    namespace: 'ingress',
    values: { replicas: 1, namespace: { create: true }, logLevel: 'debug', config: { 'ssl-redirect': false, 'ssl-redirect-code': null, 'timeout-server': '2m' }, ingressClass: { name: 'edge', default: true } },
  },
];

/** The chart with each value set, as Renderings. */
export function chartRenderings(): Rendering[] {
  return CHART_VALUE_SETS.map(({ label, values, release = 'portcullis', namespace = 'portcullis' }) => ({
    label: `chart ${label}`,
    namespace,
    name: release.includes('portcullis') ? release : `${release}-portcullis`,
    objects: renderChart(values, release, namespace),
  }));
}

/** Every installation deploy/ offers: the overlays and the chart's value sets. */
export function allRenderings(): Rendering[] {
  return [...overlayRenderings(), ...chartRenderings()];
}

function parseObjects(output: string, source: string): KubeObject[] {
  return YAML.parseAllDocuments(output)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((obj): obj is KubeObject => obj !== null);
}

/** The object of `kind` named `name`; fails the test when absent. */
export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered (have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return found;
}

/** The controller workload: the Deployment or the DaemonSet, whichever the overlay renders. */
export function workload(objects: readonly KubeObject[]): KubeObject {
  const found = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet');
  if (found.length !== 1) throw new Error(`expected one Deployment or DaemonSet, found ${found.length}`);
  return found[0];
}

/** `--name=value` arguments as a map (a bare `--flag` maps to "true"); repeated flags keep the last. */
export function flagsOf(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`argument ${JSON.stringify(arg)} is not written --flag=value`);
    flags.set(match[1], match[2] ?? 'true');
  }
  return flags;
}
