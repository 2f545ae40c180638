/**
 * A minimal check of the Prometheus Operator's ServiceMonitor (monitoring.coreos.com/v1), a custom
 * resource client-node has no model for. It checks only what the chart writes: the field names
 * below are the operator's (ServiceMonitorSpec, Endpoint, NamespaceSelector), each with its JSON
 * type; any other field is refused rather than passed unchecked. metadata and the label selector
 * are checked against client-node's core models. That an endpoint's port names a port of the
 * selected Service is checked where both are rendered (test/deploy/chart.test.ts).
 */
import { checkValue } from './schema.js';

type FieldCheck = (value: unknown, path: string, errors: string[]) => void;

const string: FieldCheck = (value, path, errors) => checkValue(value, 'string', '', path, errors);
const strings: FieldCheck = (value, path, errors) => checkValue(value, 'Array<string>', '', path, errors);
const boolean: FieldCheck = (value, path, errors) => checkValue(value, 'boolean', '', path, errors);
/** Prometheus durations as the operator's CRD pattern has them: 30s, 1m30s, 500ms. */
const duration: FieldCheck = (value, path, errors) => {
  if (typeof value !== 'string' || value === '' || !/^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$/.test(value)) {
    errors.push(`${path}: expected a Prometheus duration, got ${JSON.stringify(value)}`);
  }
};

function fields(shape: Record<string, FieldCheck>, required: readonly string[] = []): FieldCheck {
  return (value, path, errors) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(`${path}: expected an object`);
      return;
    }
    for (const key of required) if (!(key in value)) errors.push(`${path}.${key}: required`);
    for (const [key, item] of Object.entries(value)) {
      const check = shape[key];
      if (!check) errors.push(`${path}.${key}: not a field this check knows`);
      else check(item, `${path}.${key}`, errors);
    }
  };
}

const endpoint = fields({ port: string, path: string, interval: duration, scrapeTimeout: duration, scheme: string, honorLabels: boolean });
const endpoints: FieldCheck = (value, path, errors) => {
  if (!Array.isArray(value) || value.length === 0) {
    errors.push(`${path}: expected a non-empty array`);
    return;
  }
  value.forEach((item, i) => endpoint(item, `${path}[${i}]`, errors));
};
const spec = fields(
  {
    selector: (value, path, errors) => checkValue(value, 'V1LabelSelector', '', path, errors),
    namespaceSelector: fields({ any: boolean, matchNames: strings }),
    endpoints,
    jobLabel: string,
    targetLabels: strings,
    podTargetLabels: strings,
  },
  ['selector', 'endpoints'],
);

/** Problems of `obj` as a ServiceMonitor, one line each as `path: problem`; empty when it conforms. */
export function validateServiceMonitor(obj: unknown): string[] {
  const errors: string[] = [];
  fields(
    {
      apiVersion: (value, path, errs) => value !== 'monitoring.coreos.com/v1' && errs.push(`${path}: expected monitoring.coreos.com/v1`),
      kind: (value, path, errs) => value !== 'ServiceMonitor' && errs.push(`${path}: expected ServiceMonitor`),
      metadata: (value, path, errs) => checkValue(value, 'V1ObjectMeta', '', path, errs),
      spec,
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  )(obj, 'ServiceMonitor', errors);
  return errors;
}
