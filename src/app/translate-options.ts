import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TranslateOptions } from '../translate/types.js';
import type { CliOptions } from './options.js';
import { generateSelfSigned } from './self-signed.js';

/** The package version, for build info and logs (found by walking up to package.json, wherever the build output lives). */
export const VERSION: string = packageVersion(dirname(fileURLToPath(import.meta.url)));

function packageVersion(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'portcullis') return pkg.version ?? '0.0.0';
    }
  }
  return '0.0.0';
}

/**
 * Translate options from the command line. The fallback certificate is generated here, once per
 * process, because translate itself must stay free of randomness.
 */
export function translateOptionsFrom(options: CliOptions): TranslateOptions {
  const fallback = generateSelfSigned({ hosts: ['portcullis.invalid'], commonName: 'Portcullis Default Certificate' });
  return {
    ingressClass: options.ingressClass,
    controllerName: options.controllerName,
    watchIngressWithoutClass: options.watchIngressWithoutClass,
    configMap: options.configMap,
    defaultBackendService: options.defaultBackendService,
    defaultSslCertificate: options.defaultSslCertificate,
    fallbackCertificate: { pem: fallback.certPem + fallback.keyPem },
    bindAddress: options.bindAddress,
    httpPort: options.httpPort,
    httpsPort: options.httpsPort,
    statsPort: options.statsPort || undefined,
    allowConfigSnippets: options.allowConfigSnippets,
    allowCrossNamespaceSecrets: options.allowCrossNamespaceSecrets,
    gatewayControllerName: options.gatewayControllerName,
    gatewayAddresses: options.gatewayAddresses,
  };
}
