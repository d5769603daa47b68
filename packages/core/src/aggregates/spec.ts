import type { z } from 'zod';
import type { CompiledCatalog, CompiledEvent } from '../model/catalog.ts';
import { AggregateConfigurationError } from './errors.ts';

/** Longest dimension value a released cell may carry (the aggregate cell schema's limit). */
export const MAX_DIMENSION_VALUE_LENGTH = 64;

/** A public numeric field aggregated as sum, min, max and a fixed-bucket histogram. */
export interface MetricSpec {
  /** Field name, and name of the metric in released cells. */
  readonly name: string;
  /** Inclusive upper bounds of the histogram buckets, strictly increasing; one more bucket holds the rest. */
  readonly bounds: readonly number[];
  /** Smallest value the field's schema allows, when it sets one. Noise on sums needs both ends. */
  readonly lowerBound?: number;
  /** Largest value the field's schema allows, when it sets one. */
  readonly upperBound?: number;
}

/** What an event type contributes to aggregates, derived from its field classifications. */
export interface AggregateSpec {
  readonly catalog: string;
  readonly type: string;
  /**
   * Outbound attribute names to group by: public fields marked `dimension` (the tenant is its own
   * key, not a dimension) and the generalized name (`as`) of quasi fields marked `dimension`.
   */
  readonly dimensions: readonly string[];
  readonly metrics: readonly MetricSpec[];
}

const specs = new WeakMap<CompiledEvent, AggregateSpec>();

/**
 * The aggregate spec of one compiled event type (memoized). Throws
 * {@link AggregateConfigurationError} when a public dimension could hold long free text or a
 * metric's bounds are not strictly increasing: both are catalog errors, found at startup.
 *
 * @example aggregateSpecOf(clinicbook.get('appointment.booked', 1)!).dimensions // ['department', 'channel']
 */
export function aggregateSpecOf(def: CompiledEvent): AggregateSpec {
  const known = specs.get(def);
  if (known) return known;
  const dimensions: string[] = [];
  const metrics: MetricSpec[] = [];
  for (const field of def.fields) {
    const meta = field.meta;
    if (meta.class === 'quasi' && meta.dimension) dimensions.push(meta.as);
    if (meta.class !== 'public' || field.name === 'tenantId') continue;
    if (meta.dimension) {
      checkShortLabel(def.type, field.name, field.schema);
      dimensions.push(field.name);
    }
    if (meta.metric)
      metrics.push(metricSpec(def.type, field.name, field.schema, meta.metric.histogramBounds));
  }
  const spec: AggregateSpec = { catalog: def.catalog, type: def.type, dimensions, metrics };
  specs.set(def, spec);
  return spec;
}

/** Specs of every event type of a catalog, by type. Compiling them at startup surfaces catalog errors early. */
export function aggregateSpecsOf(catalog: CompiledCatalog): ReadonlyMap<string, AggregateSpec> {
  const out = new Map<string, AggregateSpec>();
  for (const [type, versions] of catalog.events) {
    for (const def of versions.values()) {
      const spec = aggregateSpecOf(def);
      const previous = out.get(type);
      // Versions of one type share cells, so they must agree on what a cell holds.
      if (previous && JSON.stringify(previous) !== JSON.stringify(spec)) {
        throw new AggregateConfigurationError(`versions of ${type} disagree on dimensions or metrics`, type);
      }
      out.set(type, spec);
    }
  }
  return out;
}

function metricSpec(type: string, name: string, schema: z.ZodType, bounds: readonly number[]): MetricSpec {
  if (
    bounds.length === 0 ||
    bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number)))
  ) {
    throw new AggregateConfigurationError(
      `${type}.${name}: histogram bounds must be finite and strictly increasing`,
      type,
      name,
    );
  }
  const number = unwrap(schema) as { minValue?: unknown; maxValue?: unknown };
  const lower =
    typeof number.minValue === 'number' && Number.isFinite(number.minValue) ? number.minValue : undefined;
  const upper =
    typeof number.maxValue === 'number' && Number.isFinite(number.maxValue) ? number.maxValue : undefined;
  return {
    name,
    bounds: [...bounds],
    ...(lower !== undefined ? { lowerBound: lower } : {}),
    ...(upper !== undefined ? { upperBound: upper } : {}),
  };
}

// A dimension value becomes a released cell's key: it must be a short label (an enum, a bounded
// string, a number or a boolean), never a field that could hold free text.
function checkShortLabel(type: string, name: string, schema: z.ZodType): void {
  const unwrapped = unwrap(schema);
  const kind = unwrapped._zod.def.type;
  const inner = unwrapped as unknown as { maxLength?: unknown; options?: unknown };
  const ok =
    kind === 'number' ||
    kind === 'boolean' ||
    (kind === 'enum' &&
      Array.isArray(inner.options) &&
      inner.options.every((o) => String(o).length <= MAX_DIMENSION_VALUE_LENGTH)) ||
    (kind === 'string' &&
      typeof inner.maxLength === 'number' &&
      inner.maxLength <= MAX_DIMENSION_VALUE_LENGTH);
  if (!ok) {
    throw new AggregateConfigurationError(
      `${type}.${name}: a dimension must be an enum, a number, a boolean or a string of at most ${MAX_DIMENSION_VALUE_LENGTH} characters`,
      type,
      name,
    );
  }
}

function unwrap(schema: z.ZodType): z.ZodType & { _zod: { def: { type: string } } } {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { innerType?: z.ZodType };
    if (!def.innerType) return current as z.ZodType & { _zod: { def: { type: string } } };
    current = def.innerType;
  }
}
