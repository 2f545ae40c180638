/**
 * Runtime API client over HAProxy's unix stats socket. One connection per command (the socket's
 * non-interactive mode answers and closes), so a failed command never leaves a half-read stream.
 * HAProxy answers in free text with no status code; each command verb has a known success answer,
 * anything else is a failure.
 */
import { createConnection } from 'node:net';
import { ControllerError } from '../../errors.js';
import { describeCommand } from './commands.js';

const SUCCESS: [RegExp, RegExp][] = [
  [/^set server \S+ addr /, /^(IP changed from|no need to change the addr)/],
  [/^set server \S+ state /, /^$/],
  [/^add server /, /^New server registered/],
  [/^(add|set|del) map /, /^$/],
  [/^new ssl cert /, /^New empty certificate store/],
  [/^set ssl cert /, /^Transaction (created|updated) for certificate/],
  [/^commit ssl cert /, /\nSuccess!$/],
  [/^add ssl crt-list /, /\nSuccess!$/],
  [/^del ssl crt-list /, /^Entry '.*' deleted in crtlist/],
  [/^del ssl cert /, /^Certificate '.*' deleted!$/],
];

const GENERIC_FAILURE = /^(Unknown command|Permission denied)/;

/** Whether `response` (trimmed) is the success answer to `line`. */
export function isSuccess(line: string, response: string): boolean {
  for (const [command, success] of SUCCESS) if (command.test(line)) return success.test(response);
  return !GENERIC_FAILURE.test(response);
}

/** Sends `text` on a fresh connection to `socketPath` and resolves with everything HAProxy answers. */
export function sendText(socketPath: string, text: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.end(text);
  });
}

/** The bytes a command line is sent as: payload commands end with the empty line closing the payload. */
function wireText(line: string): string {
  return line.includes('\n') ? `${line.replace(/\n+$/, '')}\n\n` : `${line}\n`;
}

export class RuntimeClient {
  readonly socketPath: string;
  readonly timeoutMs: number;

  constructor(socketPath: string, timeoutMs = 5000) {
    this.socketPath = socketPath;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Runs `lines` in order, stopping at the first failure. Resolves with one trimmed response per
   * line; rejects with ControllerError PCL_ERR_RUNTIME_API naming the failed command (never its
   * payload) and HAProxy's answer.
   */
  async run(lines: string[]): Promise<string[]> {
    const responses: string[] = [];
    for (const line of lines) {
      let response: string;
      try {
        response = (await sendText(this.socketPath, wireText(line), this.timeoutMs)).trim();
      } catch (cause) {
        throw new ControllerError('PCL_ERR_RUNTIME_API', `runtime API unreachable for "${describeCommand(line)}": ${(cause as Error).message}`, { cause });
      }
      if (!isSuccess(line, response)) {
        throw new ControllerError('PCL_ERR_RUNTIME_API', `"${describeCommand(line)}" failed: ${response.split('\n').slice(0, 3).join(' / ')}`);
      }
      responses.push(response);
    }
    return responses;
  }
}
