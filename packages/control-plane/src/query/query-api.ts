import { TenantIdSchema } from '@residency/core';
import { z } from 'zod';
import { type HttpRequest, type HttpResponse, json } from '../http/http-types.ts';
import { type ControlPlaneStore, MAX_SERIES_CELLS } from '../store/control-plane-store.ts';

const DaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const NameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/);
const TypeSchema = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/);

const CountsQuerySchema = z
  .object({
    by: z.enum(['tenant', 'type', 'day', 'dimension']),
    dimension: NameSchema.optional(),
    tenant: TenantIdSchema.optional(),
  })
  .refine((q) => q.by !== 'dimension' || q.dimension, { message: 'by=dimension needs dimension=<name>' });

const DistinctQuerySchema = z.object({ tenant: TenantIdSchema, day: DaySchema });

const AggregatesQuerySchema = z.object({
  type: TypeSchema,
  tenant: TenantIdSchema.optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SERIES_CELLS).optional(),
});

/** One point of an aggregate time series: the released counts of every cell in one window, summed. */
export interface SeriesPoint {
  windowStart: string;
  count: number;
}

const paramsOf = (query: URLSearchParams) =>
  Object.fromEntries([...query.entries()].filter(([, v]) => v !== ''));

// A parameter given twice is ambiguous (which one did a cache or a log see?): refused, not guessed.
const hasRepeats = (query: URLSearchParams) => new Set(query.keys()).size !== [...query.keys()].length;

function bad(error: z.ZodError): HttpResponse {
  return json(400, {
    ok: false,
    reason: 'bad-query',
    issues: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
  });
}

/**
 * The query API (JSON over GET): `/api/counts?by=tenant|type|day|dimension[&dimension=][&tenant=]`,
 * `/api/distinct-patients?tenant=&day=`, `/api/aggregates?type=[&tenant=][&from=][&to=][&limit=]`,
 * `/api/aggregate-types`, `/api/alerts?day=`, `/api/health`. Returns undefined for other paths.
 *
 * `/api/aggregates` answers the newest whole windows of the range, at most `limit` cells (default
 * and cap {@link MAX_SERIES_CELLS}) unless one window alone has more; `truncated` says older
 * windows were left out, and `nextTo` is the `to` that asks for them.
 */
export async function handleQuery(
  store: ControlPlaneStore,
  request: HttpRequest,
): Promise<HttpResponse | undefined> {
  if (request.path !== '/api/health' && hasRepeats(request.query))
    return json(400, { ok: false, reason: 'bad-query', issues: ['a parameter is repeated'] });
  const params = paramsOf(request.query);
  switch (request.path) {
    case '/api/health':
      return json(200, { ok: true });
    case '/api/counts': {
      const parsed = CountsQuerySchema.safeParse(params);
      if (!parsed.success) return bad(parsed.error);
      const counts = await store.counts(parsed.data.by, parsed.data);
      return json(200, { ...parsed.data, counts });
    }
    case '/api/distinct-patients': {
      const parsed = DistinctQuerySchema.safeParse(params);
      if (!parsed.success) return bad(parsed.error);
      const distinctPatients = await store.distinctPatients(parsed.data.tenant, parsed.data.day);
      return json(200, { ...parsed.data, distinctPatients });
    }
    case '/api/aggregates': {
      const parsed = AggregatesQuerySchema.safeParse(params);
      if (!parsed.success) return bad(parsed.error);
      const { cells, truncated, nextTo } = await store.aggregateSeries(parsed.data);
      const byWindow = new Map<string, number>();
      for (const cell of cells) {
        const key = new Date(cell.windowStart).toISOString();
        byWindow.set(key, (byWindow.get(key) ?? 0) + cell.count);
      }
      const series: SeriesPoint[] = [...byWindow].map(([windowStart, count]) => ({ windowStart, count }));
      return json(200, { ...parsed.data, series, cells, truncated, ...(nextTo ? { nextTo } : {}) });
    }
    case '/api/aggregate-types':
      return json(200, { types: await store.aggregateTypes() });
    case '/api/alerts': {
      const parsed = z.object({ day: DaySchema }).safeParse(params);
      if (!parsed.success) return bad(parsed.error);
      return json(200, { day: parsed.data.day, alerts: await store.listAlerts(parsed.data.day) });
    }
    default:
      return undefined;
  }
}
