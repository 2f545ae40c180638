#!/usr/bin/env node
import { ControllerError } from './errors.js';
import { createLogger } from './app/logger.js';
import { helpText, parseOptions, type CliOptions } from './app/options.js';
import { renderCommand } from './app/render-command.js';
import { runController } from './app/run-controller.js';

/** Process entry: parses flags, runs a command, owns signals and the exit code. */
async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (err instanceof ControllerError) {
      process.stderr.write(`portcullis: ${err.message}\n\n${helpText()}`);
      return 2;
    }
    throw err;
  }
  if (options.command === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (options.command === 'render') return renderCommand(options, process.stdout, process.stderr);

  const logger = createLogger({ level: options.logLevel, format: options.logFormat });
  const running = await runController(options, logger);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('received signal', { signal });
      running.shutdown().then(
        () => resolve(0),
        (err: Error) => {
          logger.error('shutdown failed', { error: err.message });
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`portcullis: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
