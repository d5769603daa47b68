import { defineProject } from 'vitest/config';

/**
 * Project `reliability`: fault injection, bad input, key and data hygiene, and "copy under
 * bounce" against the real local stack. Slow by nature (emulators restarted, requests held,
 * retries with backoff), so the timeouts are generous; nothing here asserts on time.
 * `BOUNCE_EVENTS=20000 pnpm vitest run --project reliability copy-under-bounce` runs it larger.
 */
export default defineProject({
  test: {
    name: 'reliability',
    include: ['**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    // One file at a time: each starts its own stack, and the machine has two cores.
    fileParallelism: false,
    env: {
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_DEV: 'false',
    },
  },
});
