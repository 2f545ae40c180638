/**
 * The error and diagnostic catalogue: every stable code the controller emits, with its meaning.
 * Codes are contract (logs, Events, metrics labels and tests match on them); never rename one.
 * `docs/errors.md` is checked against this list by a test.
 */

export const DIAGNOSTIC_CODES = {
  // Ingress selection and shape
  PCL_INGRESS_CLASS_NOT_FOUND: 'spec.ingressClassName names an IngressClass that does not exist',
  PCL_RESOURCE_BACKEND_UNSUPPORTED: 'a resource backend (not a Service) is not supported',
  PCL_BACKEND_MISSING: 'a path or defaultBackend names no Service',
  PCL_INVALID_HOST: 'a host is not a valid DNS name or one-label wildcard',
  PCL_INVALID_PATH: 'a path is empty, does not start with "/", or has characters HAProxy cannot match',
  PCL_INVALID_PATH_TYPE: 'pathType is not Exact, Prefix or ImplementationSpecific',
  PCL_ROUTE_CONFLICT: 'another Ingress already claims the same host, path and path type (oldest wins)',
  PCL_DEFAULT_BACKEND_CONFLICT: 'another Ingress already sets a defaultBackend (oldest wins)',
  PCL_CANARY_WITHOUT_MAIN: 'a canary Ingress names a host and path no main Ingress routes; that path of the canary is ignored',
  PCL_CANARY_CONFLICT: 'another canary Ingress already serves the same host and path (oldest wins)',
  // Services and endpoints
  PCL_SERVICE_NOT_FOUND: 'the referenced Service does not exist',
  PCL_SERVICE_PORT_NOT_FOUND: 'the Service has no port with that name or number',
  PCL_NO_READY_ENDPOINTS: 'the Service has no ready endpoint; requests get 503',
  PCL_DEFAULT_BACKEND_SERVICE_NOT_FOUND: 'the --default-backend-service Service does not exist',
  // TLS
  PCL_TLS_SECRET_NOT_FOUND: 'a TLS Secret named by an Ingress does not exist',
  PCL_TLS_SECRET_INVALID: 'a TLS Secret lacks tls.crt/tls.key or does not hold PEM data',
  PCL_TLS_SECRET_CROSS_NAMESPACE: 'a Secret in another namespace was referenced without being allowed',
  PCL_DEFAULT_CERTIFICATE_INVALID: 'the --default-ssl-certificate Secret is missing or invalid; a generated one is served',
  PCL_TLS_HOST_CONFLICT: 'another TLS Secret already serves the same host (the oldest Ingress wins)',
  // Controller ConfigMap
  PCL_INVALID_CONFIG_VALUE: 'a ConfigMap key has a value the controller cannot read; the default is used',
  // Annotations (docs/annotations.md)
  PCL_INVALID_ANNOTATION: 'an annotation has a value the controller cannot read; it is ignored and the next level (Ingress, ConfigMap, default) applies',
  PCL_ANNOTATION_NOT_APPLICABLE: 'a known annotation is set on a kind of object where it has no effect',
  PCL_UNKNOWN_ANNOTATION: 'a haproxy.org/ annotation the controller does not support',
  PCL_ANNOTATION_SECRET_INVALID: 'a Secret named by auth-secret, server-ca, server-crt or ssl-certificate is missing or unusable',
  PCL_ANNOTATION_SECRET_CROSS_NAMESPACE: 'an annotation names a Secret in another namespace, which is not allowed',
  PCL_SNIPPET_DISABLED: 'a config snippet is set but snippets are off (--allow-config-snippets); it is ignored',
  PCL_SNIPPET_INVALID: 'a config snippet has a line that would leave its section or is not text; the snippet is left out',
  // Gateway API
  PCL_GATEWAY_NOT_ACCEPTED: 'a Gateway of our GatewayClass, or one of its listeners, is invalid or has no address; its Programmed condition says why',
  PCL_ROUTE_NOT_ACCEPTED: 'an HTTPRoute is not attached to a parent it names (no such listener, not allowed, no hostname in common) or uses a value not supported',
  PCL_ROUTE_REF_UNRESOLVED: 'an HTTPRoute backendRef names a missing Service, a kind other than Service, or another namespace without a ReferenceGrant',
  // HAProxy
  PCL_CONFIG_REJECTED: 'HAProxy rejected the configuration generated for this object; the object was left out',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export const ERROR_CODES = {
  PCL_ERR_HAPROXY_VALIDATION: 'haproxy -c rejected a configuration; the last good one keeps serving',
  PCL_ERR_HAPROXY_START: 'HAProxy could not be started',
  PCL_ERR_HAPROXY_EXITED: 'HAProxy exited unexpectedly and is being restarted',
  PCL_ERR_HAPROXY_RELOAD: 'a reload of HAProxy failed',
  PCL_ERR_RUNTIME_API: 'a Runtime API command failed; a reload applies the change instead',
  PCL_ERR_KUBE_STALE: 'the Kubernetes API cannot be watched; HAProxy serves the last view of the cluster until the watches list again',
  PCL_ERR_STATE_WRITE: 'the state folder cannot be written (full disk, read-only); the last good configuration keeps serving',
  PCL_ERR_KUBE_WATCH: 'a watch of the Kubernetes API failed and is restarted with backoff',
  PCL_ERR_GATEWAY_API_CRDS: 'Gateway API CRDs are missing or serve no version the controller reads; those kinds are not watched and Ingresses are still served (with --gateway-api on, not ready until they are installed)',
  PCL_ERR_STATUS_UPDATE: 'writing an Ingress status failed and will be retried',
  PCL_ERR_GATEWAY_STATUS_UPDATE: 'writing a GatewayClass, Gateway or route status failed and will be retried, planned again from the objects as they are then',
  PCL_ERR_MANIFEST_PARSE: 'a manifest file could not be parsed; its objects are kept as they were',
  PCL_ERR_USAGE: 'the command line is invalid',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An operational failure at an edge (I/O, processes). Match on `code`, not on the class. */
export class ControllerError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControllerError';
    this.code = code;
  }
}
