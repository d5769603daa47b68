import { ScenarioUnavailableError } from '../errors.ts';

/**
 * Loads a package a scenario needs only when the scenario runs, so a package that is missing or
 * does not load (another team's work in progress) skips that scenario with the reason instead of
 * failing the whole run.
 *
 * @example const { createProducer } = await importFor('e2e', '@residency/producer', () => import('@residency/producer'));
 */
export async function importFor<T>(scenario: string, what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new ScenarioUnavailableError(scenario, `${what}, which did not load (${reason})`, { cause });
  }
}
