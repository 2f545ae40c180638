/** The demo's command line: where its manifests are and the loopback ports it serves on. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** The demo's ports, as the README and the examples' walkthroughs show them. */
export const DEMO_PORTS = { 'http-port': '8080', 'https-port': '8443', 'health-port': '10254' } as const;

export interface DemoOptions {
  manifests: string;
  httpPort: number;
  httpsPort: number;
  healthPort: number;
  smoke: boolean;
}

export function parseDemoArgs(argv: string[], root: string): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      manifests: { type: 'string', default: join(root, 'examples', 'demo') },
      'http-port': { type: 'string', default: DEMO_PORTS['http-port'] },
      'https-port': { type: 'string', default: DEMO_PORTS['https-port'] },
      'health-port': { type: 'string', default: DEMO_PORTS['health-port'] },
      smoke: { type: 'boolean', default: false },
    },
  });
  return {
    manifests: values.manifests!,
    httpPort: Number(values['http-port']),
    httpsPort: Number(values['https-port']),
    healthPort: Number(values['health-port']),
    smoke: Boolean(values.smoke),
  };
}
