import type { PathMatch } from '../../model/types.js';

/** Result of checking one `spec.rules[].http.paths[]` entry's path and pathType. */
export type PathCheck =
  | { ok: true; path: string; match: PathMatch }
  | { ok: false; code: 'PCL_INVALID_PATH' | 'PCL_INVALID_PATH_TYPE'; message: string };

/**
 * Characters RFC 3986 allows in a path: unreserved, sub-delims, ':', '@', '/' and %XX escapes.
 * Anything else (spaces, control characters, '#', '?', regex syntax such as '|' or '[') could not be
 * matched literally by HAProxy, or would break the map file the path is written to.
 */
const URL_PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

/**
 * Normalises a path for the model. `Exact` keeps the path as written. `Prefix` matches whole
 * segments, so a trailing '/' adds nothing and is dropped (except for the root '/'); a missing path
 * means '/'. `ImplementationSpecific` is ours to define, and we define it as `Prefix`.
 */
export function checkPath(path: string | undefined, pathType: string): PathCheck {
  if (pathType !== 'Exact' && pathType !== 'Prefix' && pathType !== 'ImplementationSpecific') {
    const message = pathType
      ? `pathType ${JSON.stringify(pathType)} is not Exact, Prefix or ImplementationSpecific`
      : 'pathType is missing (Exact, Prefix or ImplementationSpecific)';
    return { ok: false, code: 'PCL_INVALID_PATH_TYPE', message };
  }
  const written = path === undefined || path === '' ? (pathType === 'Exact' ? '' : '/') : path;
  if (!written.startsWith('/')) {
    return { ok: false, code: 'PCL_INVALID_PATH', message: `path ${JSON.stringify(written)} does not start with "/"` };
  }
  if (!URL_PATH.test(written)) {
    return { ok: false, code: 'PCL_INVALID_PATH', message: `path ${JSON.stringify(written)} has characters that are not valid in a URL path` };
  }
  if (pathType === 'Exact') return { ok: true, path: written, match: 'exact' };
  return { ok: true, path: written.replace(/\/+$/, '') || '/', match: 'prefix' };
}
