/**
 * Runtime API client over HAProxy's unix stats socket. A batch of commands shares one connection
 * in the CLI's interactive mode (`prompt`), where every answer ends with the prompt `\n> `; the
 * commands go one at a time, so the batch stops at the first failure and nothing after it runs.
 * HAProxy answers in free text with no status code: each command carries the answer that means
 * success, anything else is a failure.
 */
import { createConnection, type Socket } from 'node:net';
import { ControllerError } from '../../errors.js';
import type { RuntimeCommand } from '../types.js';
import { describeCommand, wireText } from './commands.js';

/** A batch that stopped: `completed` commands before the failed one took effect. */
export class RuntimeBatchError extends ControllerError {
  readonly completed: number;
  constructor(message: string, completed: number, options?: { cause?: unknown }) {
    super('PCL_ERR_RUNTIME_API', message, options);
    this.completed = completed;
  }
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

const PROMPT = '\n> ';

/** One interactive CLI session: `ask` writes a command and resolves with its answer. */
class PromptSession {
  private buffer = '';
  private waiter: { resolve: (answer: string) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      this.waiter?.reject(this.failure);
      this.waiter = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by HAProxy')));
  }

  /** Resolves with the next answer, without its prompt and trimmed. */
  next(timeoutMs: number): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      this.waiter = {
        resolve: (answer) => (clearTimeout(timer), resolve(answer)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      this.deliver();
    });
  }

  ask(text: string, timeoutMs: number): Promise<string> {
    this.socket.write(text);
    return this.next(timeoutMs);
  }

  private deliver(): void {
    const end = this.buffer.indexOf(PROMPT);
    if (end < 0 || !this.waiter) return;
    // While a payload is read, HAProxy prompts each of its lines with "+ " before the answer.
    const answer = this.buffer.slice(0, end).replace(/^(\+ )+/, '').trim();
    this.buffer = this.buffer.slice(end + PROMPT.length);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter.resolve(answer);
  }

  close(): void {
    this.socket.end('quit\n');
  }
}

export class RuntimeClient {
  constructor(
    readonly socketPath: string,
    readonly timeoutMs = 5000,
  ) {}

  /**
   * Runs `commands` in order over one connection, stopping at the first failure. Resolves with
   * one trimmed answer per command; rejects with RuntimeBatchError (PCL_ERR_RUNTIME_API) naming
   * the failed command (never its payload), HAProxy's answer, and how many commands took effect.
   */
  async run(commands: readonly RuntimeCommand[]): Promise<string[]> {
    if (commands.length === 0) return [];
    const answers: string[] = [];
    let session: PromptSession | undefined;
    try {
      session = new PromptSession(createConnection(this.socketPath));
      // Turning the prompt on answers with an empty line and the first prompt.
      await session.ask('prompt\n', this.timeoutMs);
      for (const command of commands) {
        let answer: string;
        try {
          answer = await session.ask(wireText(command), this.timeoutMs);
        } catch (cause) {
          throw new RuntimeBatchError(`runtime API unreachable for "${describeCommand(command)}": ${(cause as Error).message}`, answers.length, { cause });
        }
        if (!command.success.test(answer)) {
          throw new RuntimeBatchError(`"${describeCommand(command)}" failed: ${answer.split('\n').slice(0, 3).join(' / ')}`, answers.length);
        }
        answers.push(answer);
      }
      return answers;
    } catch (err) {
      if (err instanceof RuntimeBatchError) throw err;
      throw new RuntimeBatchError(`runtime API unreachable: ${(err as Error).message}`, answers.length, { cause: err });
    } finally {
      session?.close();
    }
  }
}
