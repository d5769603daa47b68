import type { Command } from 'commander';

interface CheckOptions {
  template?: string;
  dataRegion?: string;
  json?: boolean;
  account?: string;
  acceptType?: string[];
}

/** Bad usage of `check` exits 3, its "unusable input": its 2 means "review", which CI may let pass. */
export const usageExitCode = 3;

/** `residency check`: residency policy checks over our own stacks (synthesized offline) or any CloudFormation template. */
export function register(program: Command): void {
  program
    .command('check')
    .description(
      'check residency rules: with no --template, synthesize both of our stages offline; exit 0 clean, 1 violations, 2 review, 3 unusable input',
    )
    .option(
      '--template <file>',
      'a CloudFormation template (JSON) or a directory of *.template.json, e.g. cdk.out',
    )
    .option('--data-region <region>', 'the data region resources must be in')
    .option('--account <id>', 'the AWS account principals must belong to')
    .option('--accept-type <type...>', 'resource types to accept without review (repeatable)')
    .option('--json', 'machine-readable findings', false)
    .action(async (options: CheckOptions) => {
      // Loaded on use: synthesis pulls in SST and the CDK, which other commands never need.
      const { runCheck } = await import('@residency/policy');
      const result = await runCheck({
        ...(options.template ? { templatePath: options.template } : {}),
        ...(options.dataRegion ? { dataRegion: options.dataRegion } : {}),
        ...(options.account ? { account: options.account } : {}),
        ...(options.acceptType ? { acceptTypes: options.acceptType } : {}),
        json: options.json === true,
      });
      process.stdout.write(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
      process.exitCode = result.exitCode;
    });
}
