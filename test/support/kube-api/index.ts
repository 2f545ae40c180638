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
