/**
 * Test Kubernetes API server: real list/watch protocol over loopback HTTP for
 * integration tests, the conformance runner and benchmarks.
 */
export { startKubeApiServer } from './server.js';
export type { FailureMatch, KubeApiServer, KubeApiServerOptions, RecordedRequest } from './server.js';
export { ApiError } from './errors.js';
export type { StatusBody } from './errors.js';
export { RESOURCE_TYPES } from './resources.js';
export type { ResourceType } from './resources.js';
export {
  BUNDLE_VERSION_ANNOTATION, customResourceDefinition, GATEWAY_API_BUNDLE, GATEWAY_API_GROUP, GATEWAY_API_KINDS,
  gatewayApiCrd, gatewayApiCrds, readUpstreamCrds, upstreamCrdDir,
} from './gateway-api.js';
export type { CrdOptions, CustomKind, CustomVersion } from './gateway-api.js';
