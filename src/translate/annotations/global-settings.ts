import { DEFAULT_TIMEOUTS, type Certificate, type Mutable, type GlobalSettings, type HttpsRedirect } from '../../model/types.js';
import { GLOBAL_DEFAULTS } from '../defaults.js';
import type { TranslateOptions } from '../types.js';
import { TIMEOUT_CONNECT, TIMEOUT_QUEUE, TIMEOUT_SERVER } from './backend.js';
import {
  DISABLE_ACCESS_LOG, HARD_STOP_AFTER, LOG_FORMAT, MAXCONN, NBTHREAD, SSL_CERTIFICATE, SYSLOG_SERVER, TIMEOUT_CLIENT, TIMEOUT_HTTP_KEEP_ALIVE,
  TIMEOUT_HTTP_REQUEST, TIMEOUT_TUNNEL,
} from './global.js';
import type { ObjectSettings, SettingsResolver } from './resolve.js';
import { SSL_REDIRECT, SSL_REDIRECT_CODE, SSL_REDIRECT_PORT } from './routing.js';
import { FRONTEND_CONFIG_SNIPPET, GLOBAL_CONFIG_SNIPPET } from './snippets.js';
import type { AnnotationDef } from './types.js';

/**
 * The model's global section: listen addresses from the options, the rest from the ConfigMap, else
 * the defaults. Optional fields are present only when the ConfigMap sets them.
 */
export function resolveGlobalSettings(
  resolver: SettingsResolver,
  options: Pick<TranslateOptions, 'bindAddress' | 'httpPort' | 'httpsPort' | 'statsPort'>,
): GlobalSettings {
  const value = <T>(def: AnnotationDef<T>): T | undefined => resolver.resolve(def, [])?.value;
  const time = (def: AnnotationDef<number>, fallback: number) => value(def) ?? fallback;
  const settings: Mutable<GlobalSettings> = {
    bindAddress: options.bindAddress,
    httpPort: options.httpPort,
    httpsPort: options.httpsPort,
    ...(options.statsPort ? { statsPort: options.statsPort } : {}),
    maxconn: value(MAXCONN) ?? GLOBAL_DEFAULTS.maxconn,
    nbthread: value(NBTHREAD) ?? GLOBAL_DEFAULTS.nbthread,
    hardStopAfter: time(HARD_STOP_AFTER, GLOBAL_DEFAULTS.hardStopAfter),
    serverHeader: GLOBAL_DEFAULTS.serverHeader,
    timeouts: {
      client: time(TIMEOUT_CLIENT, DEFAULT_TIMEOUTS.client),
      connect: time(TIMEOUT_CONNECT, DEFAULT_TIMEOUTS.connect),
      server: time(TIMEOUT_SERVER, DEFAULT_TIMEOUTS.server),
      httpRequest: time(TIMEOUT_HTTP_REQUEST, DEFAULT_TIMEOUTS.httpRequest),
      httpKeepAlive: time(TIMEOUT_HTTP_KEEP_ALIVE, DEFAULT_TIMEOUTS.httpKeepAlive),
      tunnel: time(TIMEOUT_TUNNEL, DEFAULT_TIMEOUTS.tunnel),
      queue: time(TIMEOUT_QUEUE, DEFAULT_TIMEOUTS.queue),
    },
  };
  const logFormat = value(LOG_FORMAT);
  const syslog = value(SYSLOG_SERVER);
  const snippet = resolver.resolve(GLOBAL_CONFIG_SNIPPET, []);
  const frontendSnippet = resolver.resolve(FRONTEND_CONFIG_SNIPPET, []);
  if (logFormat) settings.logFormat = logFormat;
  if (value(DISABLE_ACCESS_LOG)) settings.accessLog = false;
  if (syslog) settings.syslogServers = syslog;
  if (snippet?.from) settings.snippet = { lines: snippet.value, source: snippet.from.ref };
  if (frontendSnippet?.from) settings.frontendSnippet = { lines: frontendSnippet.value, source: frontendSnippet.from.ref };
  return settings;
}

/**
 * The HTTPS redirect of a route of `ingress` for `host`. Configured globally, only hosts a
 * certificate covers are redirected: sending a client to HTTPS where it would get the default
 * certificate trades a working page for a certificate error. An Ingress that asks for it itself
 * gets it for all its hosts (its certificate may come from elsewhere, such as a wildcard default).
 */
export function resolveHttpsRedirect(
  resolver: SettingsResolver,
  ingress: ObjectSettings,
  covered: boolean,
  httpsPort: number,
): HttpsRedirect | undefined {
  const redirect = resolver.resolve(SSL_REDIRECT, [ingress]);
  if (!redirect?.value || (!covered && redirect.from?.scope !== 'ingress')) return undefined;
  return {
    code: resolver.resolve(SSL_REDIRECT_CODE, [ingress])!.value,
    port: resolver.resolve(SSL_REDIRECT_PORT, [ingress])?.value ?? httpsPort,
  };
}

/** The default certificate the ConfigMap names (`ssl-certificate`), when it is usable. */
export function configuredDefaultCertificate(resolver: SettingsResolver): Pick<Certificate, 'pem' | 'source'> | undefined {
  return resolver.resolve(SSL_CERTIFICATE, [])?.value;
}
