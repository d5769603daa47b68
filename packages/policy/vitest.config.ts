import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'policy',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { SST_TELEMETRY_DISABLED: '1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
  },
});
