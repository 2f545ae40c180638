/** Writes the generated documentation files: `node dist/tools/gen-docs.js` (npm run docs). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { annotationsDoc } from './annotations-doc.js';
import { nginxAnnotationsDoc } from './nginx-annotations-doc.js';
import { CHART_DIR, chartReadme } from './chart-doc.js';
import { errorsDoc, repoRoot } from './docs.js';

const root = repoRoot();
await writeFile(join(root, 'docs', 'errors.md'), errorsDoc());
await writeFile(join(root, 'docs', 'annotations.md'), annotationsDoc());
await writeFile(join(root, 'docs', 'nginx-annotations.md'), nginxAnnotationsDoc());
await writeFile(join(root, CHART_DIR, 'README.md'), chartReadme(root));
