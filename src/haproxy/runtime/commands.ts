/**
 * Runtime API commands as data (HAProxy 2.6 management guide, section 9.3): the words, an optional
 * payload, and the answer HAProxy gives when it worked. Built only here; every word goes through
 * `cliWord`, so a model string can neither end a command (`;`) nor add one, and a payload comes
 * from `text.pem` or validated crt-list words, so it holds no empty line that could end it early.
 */
import { cliWord, identifier } from '../render/text.js';
import type { RuntimeCommand } from '../types.js';

/** Any answer but one saying the command was not understood or not allowed. */
const NOT_REFUSED = /^(?!Unknown command|Permission denied)/;

function command(kind: RuntimeCommand['kind'], words: string[], success: RegExp, payload?: string): RuntimeCommand {
  return payload === undefined ? { kind, words: words.map(cliWord), success } : { kind, words: words.map(cliWord), payload, success };
}

function server(backend: string, slot: string): string {
  return `${identifier(backend)}/${identifier(slot)}`;
}

/** A command that reads state (`show info`, `show servers state`): any answer but a refusal is one. */
export function query(...words: string[]): RuntimeCommand {
  return command('query', words, NOT_REFUSED);
}

/**
 * A dynamic server; HAProxy 2.6 creates it in maintenance and without `default-server` settings.
 * `options` are the server-line words from `serverOptionWords`.
 */
export function addServer(backend: string, slot: string, endpoint: string, options: readonly string[] = []): RuntimeCommand {
  return command('server', ['add', 'server', server(backend, slot), endpoint, ...options], /^New server registered/);
}

/** Starts the health checks of a dynamic server (they are off until asked for). */
export function enableHealth(backend: string, slot: string): RuntimeCommand {
  return command('server', ['enable', 'health', server(backend, slot)], /^$/);
}

/** `ip` must be an IP literal: 2.6 cannot set a DNS name without a resolvers section. */
export function setServerAddr(backend: string, slot: string, ip: string, port: number): RuntimeCommand {
  return command('server', ['set', 'server', server(backend, slot), 'addr', ip, 'port', String(port)], /^(IP changed from|no need to change the addr)/);
}

/** `drain` and `ready` also take a server out of maintenance. */
export function setServerState(backend: string, slot: string, state: 'ready' | 'drain' | 'maint'): RuntimeCommand {
  return command('server', ['set', 'server', server(backend, slot), 'state', state], /^$/);
}

/** 0-256; 0 takes the server out of the balancing without touching its state. */
export function setServerWeight(backend: string, slot: string, value: number): RuntimeCommand {
  return command('server', ['set', 'server', server(backend, slot), 'weight', String(value)], /^$/);
}

/** Adds an entry; on an existing key HAProxy would keep both, so use `setMap` for those. */
export function addMap(file: string, key: string, value: string): RuntimeCommand {
  return command('map', ['add', 'map', file, key, value], /^$/);
}

/** Changes the value of an existing key (fails with "entry not found" otherwise). */
export function setMap(file: string, key: string, value: string): RuntimeCommand {
  return command('map', ['set', 'map', file, key, value], /^$/);
}

/** Deletes every entry with `key`. */
export function delMap(file: string, key: string): RuntimeCommand {
  return command('map', ['del', 'map', file, key], /^$/);
}

/** An empty certificate store entry, filled by `setSslCert` + `commitSslCert`. */
export function newSslCert(file: string): RuntimeCommand {
  return command('certificate', ['new', 'ssl', 'cert', file], /^New empty certificate store/);
}

/** `pem` must come from `text.pem` (no empty line, so the payload cannot end early). */
export function setSslCert(file: string, pem: string): RuntimeCommand {
  return command('certificate', ['set', 'ssl', 'cert', file], /^Transaction (created|updated) for certificate/, pem.replace(/\n+$/, ''));
}

/** Makes the pending `setSslCert` transaction live for new TLS handshakes. */
export function commitSslCert(file: string): RuntimeCommand {
  return command('certificate', ['commit', 'ssl', 'cert', file], /\nSuccess!$/);
}

/** Removes a certificate no crt-list entry uses any more. */
export function delSslCert(file: string): RuntimeCommand {
  return command('certificate', ['del', 'ssl', 'cert', file], /^Certificate '.*' deleted!$/);
}

/** `entry` holds the words of a crt-list line (`crtListWords`: file and SNI filters, all validated). */
export function addCrtListEntry(crtList: string, entry: readonly string[]): RuntimeCommand {
  return command('certificate', ['add', 'ssl', 'crt-list', crtList], /\nSuccess!$/, entry.map(cliWord).join(' '));
}

/** Removes the crt-list entry of certificate `file`. */
export function delCrtListEntry(crtList: string, file: string): RuntimeCommand {
  return command('certificate', ['del', 'ssl', 'crt-list', crtList, file], /^Entry '.*' deleted in crtlist/);
}

/** The command line without its payload: what messages show (certificates stay out of logs). */
export function describeCommand(c: RuntimeCommand): string {
  const head = c.words.join(' ');
  return head.length > 200 ? `${head.slice(0, 200)}...` : head;
}

/** The command as tests read it: its line, then `<<` and its payload lines. */
export function commandLine(c: RuntimeCommand): string {
  return c.payload === undefined ? c.words.join(' ') : `${c.words.join(' ')} <<\n${c.payload}\n`;
}

/** The bytes sent for a command: a payload ends with the empty line that closes it. */
export function wireText(c: RuntimeCommand): string {
  return c.payload === undefined ? `${c.words.join(' ')}\n` : `${c.words.join(' ')} <<\n${c.payload}\n\n`;
}
