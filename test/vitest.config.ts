import { defineProject } from 'vitest/config';

/**
 * The root test folder. Project `stacks`: SST stacks synthesized offline and asserted with
 * aws-cdk-lib/assertions. Other folders under test/ bring their own projects.
 */
export default defineProject({
  test: {
    name: 'stacks',
    include: ['stacks/**/*.test.ts'],
    // Synthesis loads SST and CDK (a few seconds on a busy 2-core machine).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { SST_TELEMETRY_DISABLED: '1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
  },
});
