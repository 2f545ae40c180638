/**
 * The slice of kube-apiserver object validation a controller can run into:
 * names, labels, annotations and the no-new-finalizers-while-deleting rule.
 * Failures are 422 Invalid with one cause per field, like the real server.
 */
import { invalid, type StatusCause } from './errors.js';
import type { KubeObject } from './json-value.js';
import type { NameRule, ResourceType } from './resources.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

const NAME_RULES: Readonly<Record<NameRule, { pattern: RegExp; max: number; describe: string }>> = Object.freeze({
  subdomain: {
    pattern: SUBDOMAIN, max: 253,
    describe: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  },
  label: {
    pattern: LABEL, max: 63,
    describe: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  },
  dns1035: {
    pattern: DNS1035, max: 63,
    describe: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  },
});

function nameCauses(type: ResourceType, name: string | undefined): StatusCause[] {
  if (!name) return [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }];
  const rule = NAME_RULES[type.nameRule];
  if (name.length > rule.max) {
    return [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": must be no more than ${rule.max} characters` }];
  }
  if (!rule.pattern.test(name)) {
    return [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": ${rule.describe}` }];
  }
  return [];
}

function mapCauses(field: string, map: unknown, checkValues: boolean): StatusCause[] {
  if (map === undefined || map === null) return [];
  if (typeof map !== 'object' || Array.isArray(map)) {
    return [{ reason: 'FieldValueInvalid', field, message: 'Invalid value: must be a map of strings' }];
  }
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (!QUALIFIED_NAME.test(key)) {
      causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'` });
    }
    if (typeof value !== 'string') {
      causes.push({ reason: 'FieldValueInvalid', field: `${field}[${key}]`, message: 'Invalid value: must be a string' });
    } else if (checkValues && !LABEL_VALUE.test(value)) {
      causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'` });
    }
  }
  return causes;
}

/** Throws 422 Invalid when the object's metadata would be rejected by kube-apiserver. */
export function validateObject(type: ResourceType, obj: KubeObject, previous?: KubeObject): void {
  const meta = obj.metadata;
  const causes = [
    ...nameCauses(type, meta.name),
    ...mapCauses('metadata.labels', meta.labels, true),
    ...mapCauses('metadata.annotations', meta.annotations, false),
  ];
  if (meta.finalizers !== undefined && (!Array.isArray(meta.finalizers) || meta.finalizers.some((f) => typeof f !== 'string'))) {
    causes.push({ reason: 'FieldValueInvalid', field: 'metadata.finalizers', message: 'Invalid value: must be a list of strings' });
  }
  if (previous?.metadata.deletionTimestamp) {
    const before = new Set(previous.metadata.finalizers ?? []);
    const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length) {
      causes.push({ reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` });
    }
  }
  if (causes.length) throw invalid(type, meta.name ?? '', causes);
}
