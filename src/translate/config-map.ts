import type { HttpsRedirect } from '../model/types.js';
import { refOf, type Snapshot } from '../store/types.js';
import type { Diagnostics } from './diagnostics.js';

/** Controller-wide settings read from the ConfigMap named by `--configmap`. */
export interface ControllerConfig {
  /** Redirect plain-HTTP requests for TLS hosts to HTTPS. */
  sslRedirect: boolean;
  sslRedirectCode: HttpsRedirect['code'];
}

/** One ConfigMap key: its name, what it accepts (for messages), its parser and its default. */
interface ConfigKey<T> {
  key: string;
  expected: string;
  parse(raw: string): T | undefined;
  fallback: T;
}

type KeyTable = { [F in keyof ControllerConfig]: ConfigKey<ControllerConfig[F]> };

const REDIRECT_CODES: readonly HttpsRedirect['code'][] = [301, 302, 303, 307, 308];

/**
 * Every key the controller reads. Annotations will reuse the same keys and parsers, layered as
 * Service > Ingress > ConfigMap > default.
 */
export const CONFIG_KEYS: KeyTable = {
  sslRedirect: {
    key: 'ssl-redirect',
    expected: '"true" or "false"',
    parse: (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined),
    fallback: true,
  },
  sslRedirectCode: {
    key: 'ssl-redirect-code',
    expected: 'one of 301, 302, 303, 307, 308',
    parse: (raw) => REDIRECT_CODES.find((code) => String(code) === raw),
    fallback: 302,
  },
};

/**
 * Reads the ConfigMap `namespace/name`. A missing ConfigMap or key means the default; a value that
 * does not parse is reported and the default is used, so one typo never stops the controller.
 */
export function readConfig(snapshot: Snapshot, configMap: string | undefined, diags: Diagnostics): ControllerConfig {
  const source = configMap ? snapshot.configMaps.get(configMap) : undefined;
  const read = <F extends keyof ControllerConfig>(field: F): ControllerConfig[F] => {
    const spec: ConfigKey<ControllerConfig[F]> = CONFIG_KEYS[field];
    const raw = source?.data[spec.key];
    if (!source || raw === undefined) return spec.fallback;
    const value = spec.parse(raw.trim());
    if (value !== undefined) return value;
    diags.error(
      'PCL_INVALID_CONFIG_VALUE',
      refOf(source),
      `${spec.key}: ${JSON.stringify(raw)} is not ${spec.expected}; the default ${JSON.stringify(spec.fallback)} is used`,
    );
    return spec.fallback;
  };
  return { sslRedirect: read('sslRedirect'), sslRedirectCode: read('sslRedirectCode') };
}
