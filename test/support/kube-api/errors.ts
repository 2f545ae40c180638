/**
 * API errors as kube-apiserver reports them: a `Status` object whose `code`
 * is also the HTTP status. Clients branch on `reason` and `code`, so both
 * follow k8s.io/apimachinery/pkg/api/errors.
 */
import { qualifiedKind, qualifiedResource, type ResourceType } from './resources.js';

/** One field-level problem inside an Invalid error. */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

/** The `metav1.Status` wire shape. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  /** Empty except on an expired continue token, where it offers an inconsistent continuation. */
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

/** Thrown by storage and handlers; the HTTP layer sends `status` as the body with `status.code`. */
export class ApiError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'ApiError';
  }

  /** HTTP status code. */
  get code(): number {
    return this.status.code;
  }

  /** Machine-readable reason, e.g. `NotFound`. */
  get reason(): string | undefined {
    return this.status.reason;
  }
}

/** Reasons kube-apiserver uses for plain HTTP codes (StatusReasonForCode). */
const REASON_BY_CODE: Readonly<Record<number, string>> = Object.freeze({
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Expired', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
});

/** A failure Status; `reason` defaults to the one kube-apiserver pairs with `code`. */
export function failureStatus(code: number, message: string, reason?: string, details?: StatusBody['details']): StatusBody {
  const status: StatusBody = {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message,
    reason: reason ?? REASON_BY_CODE[code] ?? (code >= 500 ? 'InternalError' : 'Unknown'), code,
  };
  if (details) status.details = details;
  return status;
}

function resourceDetails(type: ResourceType, name: string): NonNullable<StatusBody['details']> {
  return type.group ? { name, group: type.group, kind: type.plural } : { name, kind: type.plural };
}

/** Any code, for injected failures. */
export function statusError(code: number, message = `injected failure (HTTP ${code})`): ApiError {
  return new ApiError(failureStatus(code, message));
}

/** 404 for a named object of a known type. */
export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(failureStatus(404, `${qualifiedResource(type)} "${name}" not found`, 'NotFound', resourceDetails(type, name)));
}

/** 404 for a namespace missing when creating inside it. */
export function namespaceNotFound(namespace: string): ApiError {
  return new ApiError(failureStatus(404, `namespaces "${namespace}" not found`, 'NotFound', { name: namespace, kind: 'namespaces' }));
}

/** 404 for a URL that names nothing the server serves. */
export function pathNotFound(): ApiError {
  return new ApiError(failureStatus(404, 'the server could not find the requested resource', 'NotFound', {}));
}

/** 409 on create of an existing name. */
export function alreadyExists(type: ResourceType, name: string): ApiError {
  return new ApiError(failureStatus(409, `${qualifiedResource(type)} "${name}" already exists`, 'AlreadyExists', resourceDetails(type, name)));
}

/** 409 on a stale resourceVersion or failed precondition. */
export function conflict(type: ResourceType, name: string, why: string): ApiError {
  const message = `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`;
  return new ApiError(failureStatus(409, message, 'Conflict', resourceDetails(type, name)));
}

/** The message kube-apiserver gives for an optimistic-concurrency failure. */
export const STALE_OBJECT_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/** 400 with a free-form message. */
export function badRequest(message: string): ApiError {
  return new ApiError(failureStatus(400, message, 'BadRequest'));
}

/** 405 for a verb the path does not support. */
export function methodNotAllowed(): ApiError {
  return new ApiError(failureStatus(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed', {}));
}

/** 422 validation failure listing each bad field. */
export function invalid(type: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const message = `${qualifiedKind(type)} "${name}" is invalid: ${summary}`;
  return new ApiError(failureStatus(422, message, 'Invalid', { name, group: type.group || undefined, kind: type.kind, causes }));
}

/** 403 for writes the server refuses outright (terminating or protected namespaces). */
export function forbidden(type: ResourceType, name: string, why: string): ApiError {
  const message = `${qualifiedResource(type)} "${name}" is forbidden: ${why}`;
  return new ApiError(failureStatus(403, message, 'Forbidden', resourceDetails(type, name)));
}

/** 410 for a continue token or resourceVersion older than retained history. */
export function expired(message: string): ApiError {
  return new ApiError(failureStatus(410, message, 'Expired'));
}

/** 500, used where kube-apiserver also answers with an internal error. */
export function internalError(message: string): ApiError {
  return new ApiError(failureStatus(500, `Internal error occurred: ${message}`, 'InternalError', { causes: [{ message }] }));
}

/** 415 for a body or patch media type the server does not decode. */
export function unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
  const message = `the body of the request was in an unknown format (${contentType}) - accepted media types include: ${accepted.join(', ')}`;
  return new ApiError(failureStatus(415, message, 'UnsupportedMediaType'));
}
