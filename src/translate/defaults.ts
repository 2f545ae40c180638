import { DEFAULT_TIMEOUTS, type GlobalSettings } from '../model/types.js';
import type { TranslateOptions } from './types.js';

/** Global settings not (yet) configurable; the one place their defaults live. */
export const GLOBAL_DEFAULTS = {
  /** 0 leaves maxconn to HAProxy, which derives it from the file-descriptor limit it really has. */
  maxconn: 0,
  nbthread: 0,
  /** Half an hour lets long downloads and WebSockets finish after a reload. */
  hardStopAfter: 1_800_000,
  serverHeader: 'portcullis',
} as const;

/** The model's global section: listen addresses from the options, the rest from the defaults. */
export function globalSettings(options: Pick<TranslateOptions, 'bindAddress' | 'httpPort' | 'httpsPort' | 'statsPort'>): GlobalSettings {
  return {
    bindAddress: options.bindAddress,
    httpPort: options.httpPort,
    httpsPort: options.httpsPort,
    ...(options.statsPort ? { statsPort: options.statsPort } : {}),
    ...GLOBAL_DEFAULTS,
    timeouts: { ...DEFAULT_TIMEOUTS },
  };
}
