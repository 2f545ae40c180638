/**
 * Renders the kustomize overlays in deploy/ with `kubectl kustomize` and finds objects in the
 * result. kubectl comes from the system (scripts/ensure-deps.sh installs Debian's
 * kubernetes-client where it is missing); KUBECTL overrides the binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

/** A rendered Kubernetes object, loosely typed: tests read what they check. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** Every overlay, by folder name under deploy/overlays. */
export const OVERLAYS = ['deployment-loadbalancer', 'daemonset-nodeport', 'dev'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** The checkout's root, found from wherever the compiled test lives. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'portcullis') return dir;
    dir = dirname(dir);
  }
  throw new Error('package.json of portcullis not found above the test');
}

/** The objects `kubectl kustomize deploy/overlays/<overlay>` prints. */
export function render(overlay: Overlay): KubeObject[] {
  const kubectl = process.env.KUBECTL ?? 'kubectl';
  let output: string;
  try {
    output = execFileSync(kubectl, ['kustomize', join(repoRoot(), 'deploy', 'overlays', overlay)], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${kubectl} not found: install kubectl (Debian: kubernetes-client) or set KUBECTL`);
    throw new Error(`kubectl kustomize ${overlay} failed: ${e.stderr ?? e.message}`);
  }
  return YAML.parseAllDocuments(output)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${overlay}: ${doc.errors[0].message}`);
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
