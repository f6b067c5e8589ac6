import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Long files first. On a clean clone Vitest knows no durations and keeps the glob's order, which
 * put the browser suites (up to two minutes a file) last: the run ended with one worker busy and
 * two idle (in CI the main pass took 998 s for 2,262 s of tests on three workers). With a cache of
 * durations (a local rerun) Vitest's own longest-first order is kept within each group.
 */
const SLOW = [/\/e2e\//, /\/cli\/src\/(cli|serve)\./, /two-nodes|reliability\/|sync-correctness|live-permissions|outgoing-webhooks\.deliver|openapi\./];
class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const group = (id: string) => {
      const i = SLOW.findIndex((re) => re.test(id));
      return i < 0 ? SLOW.length : i;
    };
    return ordered
      .map((spec, at) => ({ spec, at, group: group(spec.moduleId) }))
      .sort((a, b) => a.group - b.group || a.at - b.at)
      .map((x) => x.spec);
  }
}

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/examples/**/*.test.ts', 'packages/web/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most tests wait on sockets and databases, not the CPU: three files at a time use a 2-core machine well.
    maxWorkers: 3,
    reporters: ['default'],
    sequence: { sequencer: SlowFilesFirst },
  },
});
