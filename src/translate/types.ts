import type { DiagnosticCode } from '../errors.js';
import type { Certificate, Model, Timeouts } from '../model/types.js';
import type { ObjectRef } from '../store/types.js';
import type { GatewayApiReport } from './gateway-report.js';

export interface Diagnostic {
  /** `error`: the object (or part of it) was left out. `warning`: applied, but probably not as meant. */
  severity: 'error' | 'warning';
  code: DiagnosticCode;
  source: ObjectRef;
  message: string;
}

export interface TranslateOptions {
  /** Name of our IngressClass (`--ingress-class`). */
  ingressClass: string;
  /** Value matched against IngressClass `spec.controller` (`--controller-name`). */
  controllerName: string;
  watchIngressWithoutClass: boolean;
  /** `namespace/name` of the ConfigMap with global settings (`--configmap`). */
  configMap?: string;
  /** `namespace/name[:port]` of the fallback Service (`--default-backend-service`). */
  defaultBackendService?: string;
  /** `namespace/name` of the TLS Secret served by default (`--default-ssl-certificate`). */
  defaultSslCertificate?: string;
  /** Served when no default certificate Secret is usable; generated once by the app. */
  fallbackCertificate: Pick<Certificate, 'pem'>;
  bindAddress: string;
  httpPort: number;
  httpsPort: number;
  /** Port of HAProxy's stats page and Prometheus exporter; absent or 0: not served. */
  statsPort?: number;
  /**
   * Objects to leave out, by `Kind/namespace/name`; set after HAProxy rejected their configuration.
   * An Ingress is left out entirely; a Service or the ConfigMap only loses its config snippets.
   */
  excluded?: ReadonlySet<string>;
  /** Read `*-config-snippet` keys (`--allow-config-snippets`); off by default, as they are raw HAProxy configuration. */
  allowConfigSnippets?: boolean;
  /** Let annotations name Secrets in other namespaces (`auth-secret`, `server-ca`, `server-crt`); off by default. */
  allowCrossNamespaceSecrets?: boolean;
  /** `--gateway-address`: the address pool for Gateways without `spec.addresses`. */
  gatewayAddresses?: readonly string[];
}

/** The Service port whose EndpointSlices give a backend its servers. */
export interface EndpointSource {
  /** `namespace/name` of the Service. */
  service: string;
  /** Name of the Service port ('' when unnamed), matched against the slices' port names. */
  portName: string;
}

export interface TranslateResult {
  model: Model;
  /** Sorted by source, then code; one per problem, never repeated for the same cause. */
  diagnostics: Diagnostic[];
  /** Ingresses this controller owns (their status gets our address), sorted by namespace/name. */
  ingresses: ObjectRef[];
  /**
   * By backend name, where servers come from (backends of ExternalName or missing Services are not
   * listed). Lets `patchEndpoints` apply an EndpointSlice change without a full translation.
   */
  endpointSources?: ReadonlyMap<string, EndpointSource>;
  /** Gateway API objects' conditions, for status; absent when no Gateway API object is ours. */
  gatewayApi?: GatewayApiReport;
}

export type { Timeouts };
