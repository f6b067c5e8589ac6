// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'test-results/**', 'coverage/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@parley/*/src/*', '**/packages/*/src/**'], message: 'Import another package through its exports, not its src/.' }] }],
    },
  },
  {
    // Code that runs everywhere (protocol, SDK core) imports no Node module and no DOM.
    files: ['packages/protocol/src/**/*.ts', 'packages/sdk/src/state/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'ws', 'fs', 'path', 'crypto'], message: 'Protocol and SDK core must run in browsers too.' }] }],
    },
  },
  {
    // Domain code never imports the HTTP framework or the socket library: only its routes adapt
    // it to HTTP, and the gateway to the socket.
    files: ['packages/server/src/{audit,auth,conversations,files,integrations,messages,presence,receipts,search,sync,users}/**/*.ts'],
    ignores: ['**/routes.ts', '**/*-routes.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['fastify', 'ws'].map((name) => ({ name, message: 'Domain code stays transport-free; routes and the gateway adapt it.' })) }],
    },
  },
);
