import { defineConfig } from 'vitest/config';

/**
 * One Vitest run over every package (each package's tests/ is a project) plus the stack and
 * end-to-end tests under test/. Coverage thresholds apply to packages/*\/src.
 */
export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: ['packages/*/vitest.config.ts', 'test/vitest.config.ts', 'test/*/vitest.config.ts'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      thresholds: { lines: 70, functions: 70, branches: 60, statements: 70 },
    },
  },
});
