/** Writes the generated documentation files: `node dist/tools/gen-docs.js` (npm run docs). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorsDoc, repoRoot } from './docs.js';

const root = repoRoot();
await writeFile(join(root, 'docs', 'errors.md'), errorsDoc());
