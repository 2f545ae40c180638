/**
 * Where the controller finds its API server: a kubeconfig file, or the pod's service account.
 * Here so that only `sources` knows the Kubernetes client; the app passes the result along.
 */
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';

export type KubeConfig = k8s.KubeConfig;

/** Loads `file`, or the in-cluster configuration when no file is given. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kubeConfig = new k8s.KubeConfig();
  if (file) kubeConfig.loadFromFile(file);
  else kubeConfig.loadFromCluster();
  return kubeConfig;
}

/** The API server's address, for the log line that says what is watched. */
export function apiServerOf(kubeConfig: KubeConfig): string | undefined {
  return kubeConfig.getCurrentCluster()?.server;
}

/** The pod's namespace (downward API or service account), else the kubeconfig context's, else default. */
export function podNamespace(kubeConfig: KubeConfig): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
  } catch {
    return kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
  }
}
