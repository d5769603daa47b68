/** A labelled value of a bar chart. */
export interface Bar {
  label: string;
  value: number;
}

/** A bar made of named parts (stacked). */
export interface StackedBar {
  label: string;
  parts: Array<{ name: string; value: number }>;
}

const PALETTE = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#84cc16', '#ec4899'];
const LABEL_WIDTH = 170;
const BAR_HEIGHT = 20;
const GAP = 6;
const CHART_WIDTH = 760;

/** Escapes text for HTML and SVG. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Horizontal bars as inline SVG, optionally on a log scale (throughputs differ by orders of
 * magnitude between designs). No script, no external resource.
 */
export function barChart(bars: readonly Bar[], options: { unit: string; log?: boolean }): string {
  const plotted = bars.filter((b) => Number.isFinite(b.value) && b.value >= 0);
  const max = Math.max(1, ...plotted.map((b) => b.value));
  const scale = (v: number) => {
    if (v <= 0) return 0;
    if (!options.log) return v / max;
    return Math.log10(1 + v) / Math.log10(1 + max);
  };
  const plotWidth = CHART_WIDTH - LABEL_WIDTH - 110;
  const height = plotted.length * (BAR_HEIGHT + GAP) + GAP;
  const rows = plotted.map((bar, i) => {
    const y = GAP + i * (BAR_HEIGHT + GAP);
    const width = Math.max(1, scale(bar.value) * plotWidth);
    return (
      `<text x="${LABEL_WIDTH - 8}" y="${y + 14}" text-anchor="end">${escapeXml(bar.label)}</text>` +
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${PALETTE[i % PALETTE.length]}" rx="2"/>` +
      `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 14}">${escapeXml(formatNumber(bar.value))} ${escapeXml(options.unit)}</text>`
    );
  });
  return svg(height, rows.join(''), options.log ? 'log scale' : '');
}

/** Stacked horizontal bars with a legend (e.g. the ceiling's primitives next to the hot path's CPU). */
export function stackedChart(bars: readonly StackedBar[], options: { unit: string }): string {
  const names = [...new Set(bars.flatMap((b) => b.parts.map((p) => p.name)))];
  const color = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length];
  const max = Math.max(1e-9, ...bars.map((b) => b.parts.reduce((sum, p) => sum + Math.max(0, p.value), 0)));
  const plotWidth = CHART_WIDTH - LABEL_WIDTH - 110;
  const legendHeight = 22;
  const rows = bars.map((bar, i) => {
    const y = legendHeight + GAP + i * (BAR_HEIGHT + GAP);
    let x = LABEL_WIDTH;
    const total = bar.parts.reduce((sum, p) => sum + Math.max(0, p.value), 0);
    const rects = bar.parts.map((part) => {
      const width = (Math.max(0, part.value) / max) * plotWidth;
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${color(part.name)}"><title>${escapeXml(`${part.name}: ${formatNumber(part.value)} ${options.unit}`)}</title></rect>`;
      x += width;
      return rect;
    });
    return (
      `<text x="${LABEL_WIDTH - 8}" y="${y + 14}" text-anchor="end">${escapeXml(bar.label)}</text>${rects.join('')}` +
      `<text x="${(x + 6).toFixed(1)}" y="${y + 14}">${escapeXml(formatNumber(total))} ${escapeXml(options.unit)}</text>`
    );
  });
  let lx = LABEL_WIDTH;
  const legend = names.map((name) => {
    const item = `<rect x="${lx}" y="4" width="12" height="12" fill="${color(name)}"/><text x="${lx + 16}" y="14">${escapeXml(name)}</text>`;
    lx += 24 + name.length * 7;
    return item;
  });
  return svg(legendHeight + bars.length * (BAR_HEIGHT + GAP) + GAP, legend.join('') + rows.join(''), '');
}

function svg(height: number, body: string, caption: string): string {
  const captionText = caption
    ? `<text x="${CHART_WIDTH - 4}" y="${height + 12}" text-anchor="end" class="caption">${escapeXml(caption)}</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${height + 16}" viewBox="0 0 ${CHART_WIDTH} ${height + 16}" font-family="system-ui, sans-serif" font-size="12">${body}${captionText}</svg>`;
}

/** Thousands separated, up to 3 significant decimals. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 4;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}
