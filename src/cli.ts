#!/usr/bin/env node
import { ControllerError } from './errors.js';
import { createLogger } from './app/logger.js';
import { checkPaths, helpText, parseOptions, type CliOptions } from './app/options.js';
import { migrateCommand } from './app/migrate-command.js';
import { renderCommand } from './app/render-command.js';
import { runController } from './app/run-controller.js';

/** Process entry: parses flags, runs a command, owns signals and the exit code. */
async function main(argv: string[]): Promise<number> {
  // migrate reads its own few flags: it runs nothing, so the controller's flags mean nothing to it.
  if (argv[0] === 'migrate') return migrateCommand(argv.slice(1), process.stdout, process.stderr);
  let options: CliOptions;
  try {
    options = parseOptions(argv);
    checkPaths(options);
  } catch (err) {
    if (err instanceof ControllerError) {
      // One line: the full help would push the message off the screen.
      process.stderr.write(`portcullis: ${err.message}; see portcullis --help\n`);
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
    // SIGINT (Ctrl-C) and SIGHUP (the terminal closed) stop as gently as SIGTERM: HAProxy runs in
    // its own process group, so only this process hears them and it drains HAProxy itself.
    const stop = (signal: string) => {
      // A repeat is ignored: a wrapper (the demo) forwards SIGTERM while the terminal's SIGINT
      // reaches us too, and neither means "skip the drain".
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
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`portcullis: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
