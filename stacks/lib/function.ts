import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Function as SstFunction } from 'sst/constructs/Function.js';
import type { Stack } from 'sst/constructs/Stack.js';
import type { StageConfig } from './config.ts';
import { removalPolicy } from './stage.ts';

/** What differs between our functions; everything else is fixed by `residencyFunction`. */
export interface ResidencyFunctionProps {
  /** `path/to/module.export`, relative to the repository root. */
  readonly handler: string;
  /** Environment variables the handler reads (it fails closed when one is missing). */
  readonly environment: Record<string, string>;
  /** Timeout. Default 30. */
  readonly timeoutSeconds?: number;
  /** Memory. Default 1024. */
  readonly memoryMegabytes?: number;
}

/**
 * An SST function with the project's fixed settings: nodejs22.x on arm64, ESM, no sourcemap upload,
 * no X-Ray (so no `xray:*` on `*` in its role), and its own log group with the stage's retention,
 * so nothing logs into an implicit group that never expires.
 *
 * @example residencyFunction(stack, 'Ingest', config, { handler: handlers.ingest, environment })
 */
export function residencyFunction(
  stack: Stack,
  id: string,
  config: StageConfig,
  props: ResidencyFunctionProps,
): SstFunction {
  const logGroup = new LogGroup(stack, `${id}Logs`, {
    retention: config.logRetentionDays as RetentionDays,
    removalPolicy: removalPolicy(config),
  });
  return new SstFunction(stack, id, {
    handler: props.handler,
    runtime: 'nodejs22.x',
    architecture: 'arm_64',
    tracing: 'disabled',
    timeout: props.timeoutSeconds ?? 30,
    memorySize: props.memoryMegabytes ?? 1024,
    environment: props.environment,
    logGroup,
    // Sourcemaps would be uploaded by a custom resource to the bootstrap bucket; we do without.
    nodejs: { format: 'esm', sourcemap: false },
  });
}

/**
 * Every SST v2 stack carries a `CustomResourceHandler` function for SST's own custom resources.
 * Give it a log group with the stage's retention like every other function.
 */
export function retainCustomResourceHandlerLogs(stack: Stack, config: StageConfig): void {
  const logGroup = new LogGroup(stack, 'CustomResourceHandlerLogs', {
    retention: config.logRetentionDays as RetentionDays,
    removalPolicy: removalPolicy(config),
  });
  const cfn = stack.customResourceHandler.node.defaultChild as CfnFunction;
  cfn.loggingConfig = { logGroup: logGroup.logGroupName };
}
