import type { PemFile } from '../../model/types.js';
import { findSecret, readCaFile, readClientCertificate } from './secrets.js';
import { defineKey, ok, refuse } from './types.js';
import { parseBool } from './values.js';

const GROUP = 'TLS and protocols to backends';
const BACKEND_SCOPES = ['service', 'ingress', 'configmap'] as const;

export const SERVER_SSL = defineKey<boolean>({
  name: 'server-ssl',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'bool',
  fallback: false,
  defaultText: 'false',
  doc: 'Connects to the pods over TLS. Without `server-ca` their certificates are not verified.',
  parse: parseBool,
});

export const SERVER_CA = defineKey<PemFile>({
  name: 'server-ca',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'Secret ("name" or "namespace/name")',
  doc: 'CA bundle (`ca.crt`, else `tls.crt`) that pod certificates must chain to; implies `server-ssl`.',
  parse(raw, context) {
    const secret = findSecret(raw, context);
    return secret.ok ? readCaFile(secret.value) : secret;
  },
});

export const SERVER_CRT = defineKey<PemFile>({
  name: 'server-crt',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: 'Secret ("name" or "namespace/name")',
  doc: 'TLS Secret (`tls.crt`, `tls.key`) presented to the pods as client certificate (mutual TLS); implies `server-ssl`.',
  parse(raw, context) {
    const secret = findSecret(raw, context);
    return secret.ok ? readClientCertificate(secret.value) : secret;
  },
});

export const SERVER_PROTO = defineKey<'h2'>({
  name: 'server-proto',
  scopes: BACKEND_SCOPES,
  group: GROUP,
  type: '"h2"',
  doc: 'Speaks HTTP/2 to the pods (gRPC): in the clear, or offered through ALPN with TLS.',
  parse: (raw) => (raw === 'h2' ? ok('h2') : refuse('is not "h2"')),
});

/** Every key of this group, in docs order. */
export const BACKEND_TLS_KEYS = [SERVER_SSL, SERVER_CA, SERVER_CRT, SERVER_PROTO];
