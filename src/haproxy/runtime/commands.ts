/**
 * Runtime API command text (HAProxy 2.6 management guide, section 9.3). Every argument goes
 * through `cliWord`, so a model string can neither end a command (`;`) nor add one.
 */
import { cliWord, identifier } from '../render/text.js';
import type { RuntimeCommand } from '../types.js';

function server(backend: string, slot: string): string {
  return `${identifier(backend)}/${identifier(slot)}`;
}

/**
 * A dynamic server; HAProxy 2.6 creates it in maintenance and without `default-server` settings.
 * `options` are the server-line words from `serverOptionWords` (leading space, or '').
 */
export function addServer(backend: string, slot: string, endpoint: string, options = ''): RuntimeCommand {
  const words = options.split(' ').filter((w) => w !== '').map(cliWord);
  return { kind: 'server', line: `add server ${server(backend, slot)} ${cliWord(endpoint)}${words.map((w) => ` ${w}`).join('')}` };
}

/** Starts the health checks of a dynamic server (they are off until asked for). */
export function enableHealth(backend: string, slot: string): RuntimeCommand {
  return { kind: 'server', line: `enable health ${server(backend, slot)}` };
}

/** `ip` must be an IP literal: 2.6 cannot set a DNS name without a resolvers section. */
export function setServerAddr(backend: string, slot: string, ip: string, port: number): RuntimeCommand {
  return { kind: 'server', line: `set server ${server(backend, slot)} addr ${cliWord(ip)} port ${port}` };
}

/** `drain` and `ready` also take a server out of maintenance. */
export function setServerState(backend: string, slot: string, state: 'ready' | 'drain' | 'maint'): RuntimeCommand {
  return { kind: 'server', line: `set server ${server(backend, slot)} state ${state}` };
}

/** Adds an entry; on an existing key HAProxy would keep both, so use `setMap` for those. */
export function addMap(file: string, key: string, value: string): RuntimeCommand {
  return { kind: 'map', line: `add map ${cliWord(file)} ${cliWord(key)} ${cliWord(value)}` };
}

/** Changes the value of an existing key (fails with "entry not found" otherwise). */
export function setMap(file: string, key: string, value: string): RuntimeCommand {
  return { kind: 'map', line: `set map ${cliWord(file)} ${cliWord(key)} ${cliWord(value)}` };
}

/** Deletes every entry with `key`. */
export function delMap(file: string, key: string): RuntimeCommand {
  return { kind: 'map', line: `del map ${cliWord(file)} ${cliWord(key)}` };
}

/** An empty certificate store entry, filled by `setSslCert` + `commitSslCert`. */
export function newSslCert(file: string): RuntimeCommand {
  return { kind: 'certificate', line: `new ssl cert ${cliWord(file)}` };
}

/** `pem` must come from `text.pem` (no empty line, so the payload cannot end early). */
export function setSslCert(file: string, pem: string): RuntimeCommand {
  return { kind: 'certificate', line: `set ssl cert ${cliWord(file)} <<\n${pem.replace(/\n+$/, '')}\n` };
}

/** Makes the pending `setSslCert` transaction live for new TLS handshakes. */
export function commitSslCert(file: string): RuntimeCommand {
  return { kind: 'certificate', line: `commit ssl cert ${cliWord(file)}` };
}

/** Removes a certificate no crt-list entry uses any more. */
export function delSslCert(file: string): RuntimeCommand {
  return { kind: 'certificate', line: `del ssl cert ${cliWord(file)}` };
}

/** `entry` is a crt-list line built by `crtListLine` (file and SNI filters, all validated). */
export function addCrtListEntry(crtList: string, entry: string): RuntimeCommand {
  const words = entry.split(' ').map(cliWord).join(' ');
  return { kind: 'certificate', line: `add ssl crt-list ${cliWord(crtList)} <<\n${words}\n` };
}

/** Removes the crt-list entry of certificate `file`. */
export function delCrtListEntry(crtList: string, file: string): RuntimeCommand {
  return { kind: 'certificate', line: `del ssl crt-list ${cliWord(crtList)} ${cliWord(file)}` };
}

/** The text to show for a command in messages: never a payload (certificates stay out of logs). */
export function describeCommand(line: string): string {
  const head = line.split('\n', 1)[0];
  return head.length > 200 ? `${head.slice(0, 200)}...` : head;
}
