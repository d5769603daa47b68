import { TemplateError } from './errors.ts';
import { evaluate } from './evaluate.ts';
import { loadTemplates } from './load-templates.ts';
import { synthesizeOwnStages } from './own-stages.ts';
import { quoteValue } from './redact.ts';
import { EXIT, exitCodeOf, formatJson, formatText } from './report.ts';
import { rules } from './rules/index.ts';
import type { StageTemplate } from './types.ts';

/** Options of `runCheck`, as the `residency check` command passes them. */
export interface RunCheckOptions {
  /** A CloudFormation template (JSON), or a directory of `*.template.json` (e.g. `cdk.out`, nested assemblies included). Default: synthesize our own stages. */
  readonly templatePath?: string;
  /** The region personal data must stay in. Default `RESIDENCY_DATA_REGION`, else `ap-south-1`. */
  readonly dataRegion?: string;
  /** Print JSON instead of text. Default false. */
  readonly json?: boolean;
  /** The account the template deploys to; literal account ids elsewhere count as outside. Default unknown. */
  readonly account?: string;
  /** Resource types reviewed and accepted (not reported by RES-014). Default none. */
  readonly acceptTypes?: readonly string[];
  /** Where `RESIDENCY_*` settings for our own stages come from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The outcome of a check: what to print and how to exit. */
export interface CheckResult {
  /** 0 clean, 1 violations, 2 only items for review, 3 input could not be checked. */
  readonly exitCode: number;
  readonly output: string;
}

/**
 * Runs the residency rules: on a user's template (`templatePath`), or, without one, on this
 * repository's data and control stages synthesized offline and checked together.
 *
 * @example
 * const { exitCode, output } = await runCheck({ templatePath: 'cdk.out/MyStack.template.json' });
 * process.stdout.write(output);
 * process.exitCode = exitCode;
 */
export async function runCheck(options: RunCheckOptions = {}): Promise<CheckResult> {
  const env = options.env ?? process.env;
  const dataRegion = options.dataRegion ?? env.RESIDENCY_DATA_REGION ?? 'ap-south-1';
  let stages: StageTemplate[];
  try {
    stages =
      options.templatePath === undefined
        ? await synthesizeOwnStages({ dataRegion, env })
        : await loadTemplates(options.templatePath);
  } catch (error) {
    // A bad template, or a bad RESIDENCY_* setting for our own stages (StageConfigError, stacks/lib/config.ts).
    const invalid =
      error instanceof TemplateError || (error instanceof Error && error.name === 'StageConfigError');
    if (!invalid) throw error;
    // A JSON parse error quotes the text around where it breaks, which may hold a URL with secrets.
    const message = quoteValue(error.message);
    const output = options.json
      ? `${JSON.stringify({ ok: false, exitCode: EXIT.invalidInput, error: message }, null, 2)}\n`
      : `residency check: ${message}\n`;
    return { exitCode: EXIT.invalidInput, output };
  }
  const findings = evaluate(stages, {
    dataRegion,
    account: options.account,
    acceptTypes: options.acceptTypes,
  });
  const subject = { stages, dataRegion, rules };
  return {
    exitCode: exitCodeOf(findings),
    output: options.json ? formatJson(subject, findings) : formatText(subject, findings),
  };
}
