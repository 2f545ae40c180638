/** Built-in global defaults (the ConfigMap keys override them); the one place they live. */
export const GLOBAL_DEFAULTS = {
  /** 0 leaves maxconn to HAProxy, which derives it from the file-descriptor limit it really has. */
  maxconn: 0,
  nbthread: 0,
  /** Half an hour lets long downloads and WebSockets finish after a reload. */
  hardStopAfter: 1_800_000,
  serverHeader: 'portcullis',
} as const;
