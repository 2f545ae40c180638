/**
 * The haproxy layer: renders the load-balancer model into HAProxy configuration, plans Runtime API
 * updates, and runs HAProxy. Imports only `model` and `errors`.
 */
export { planLayout } from './render/layout.js';
export { render } from './render/config.js';
export { RenderRefusedError } from './render/text.js';
export { planUpdate } from './runtime/plan.js';
export { RuntimeClient } from './runtime/client.js';
export { HAProxyDriver } from './process/driver.js';
export { validateConfig } from './process/validate.js';
export type {
  Applied, ApplyError, ApplyResult, DriverCounters, DriverOptions, Layout, Rendered, RenderedFile, RuntimeCommand,
  RuntimeCommandKind, UpdatePlan,
} from './types.js';
