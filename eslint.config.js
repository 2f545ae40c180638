// Lint: the folder boundaries each src/*/README.md states, no module-level mutable state, and
// typescript-eslint's recommended rules. Run by `npm test` (scripts/lint.sh).
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import boundaries from './tools/lint/boundaries.js';

const srcRoot = fileURLToPath(new URL('./src', import.meta.url));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { portcullis: boundaries },
    rules: {
      'portcullis/boundaries': ['error', { srcRoot }],
      // A leading underscore marks a value left out on purpose (rest destructuring, unused arguments).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      // Module-level `let` is shared mutable state: state belongs to an object someone owns.
      'no-restricted-syntax': [
        'error',
        { selector: 'Program > VariableDeclaration[kind="let"]', message: 'no module-level mutable state: keep it in an instance' },
        { selector: 'Program > ExportNamedDeclaration > VariableDeclaration[kind="let"]', message: 'no module-level mutable state: keep it in an instance' },
      ],
    },
  },
);
