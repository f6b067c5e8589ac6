import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/examples/**/*.test.ts', 'packages/web/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // A worker process keeps the modules it has loaded from one test file to the next. Each file
    // still gets its own server (testing/fixture.ts) and database; what is shared is the compiled
    // code, which isolated files reloaded every time: 4.5 s of imports per file, a third of the
    // suite's CPU (server, SDK and CLI files: 1,330 s → 764 s here). Test helpers keep no state
    // across files (the CLI harness makes its directory per file).
    isolate: false,
    // Most tests wait on sockets and databases, not the CPU: three files at a time use a 2-core machine well.
    maxWorkers: 3,
    // expect.poll waits for a state to arrive, up to this bound. Vitest's 1 s default was overrun by
    // a settings dialog still loading on a busy CI machine (the state came, the poll had given up).
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
  },
});
