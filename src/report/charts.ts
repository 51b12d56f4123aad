// Charts as inline SVG: echarts renders them in Node (server-side, SVG renderer), and the markup is
// trimmed so that ~100 of them make a lean, deterministic, script-free page.
import { createRequire } from 'node:module';
import type * as Echarts from 'echarts';
import type { BarsBlock, HistogramBlock } from './types';
import { fmt } from './html';

/** FP32 vs INT8 must be told apart at a glance in every chart: fixed colours for those names. */
const FP32 = '#7f9cbf';
const INT8 = '#2f7d4f';
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f'];
const BIN = '#6b7f99';
const CHOSEN = '#f28e2b';
const OBSERVED = '#c0392b';
const TEXT = { fontSize: 11, color: '#333' };

export function seriesColors(names: string[]): string[] {
  const preferred = names.map((n) => (/int8/i.test(n) ? INT8 : /fp32|float/i.test(n) ? FP32 : undefined));
  const unique = new Set(preferred).size === names.length && preferred.every((c) => c);
  return unique ? (preferred as string[]) : names.map((_, i) => PALETTE[i % PALETTE.length]);
}

/** echarts takes ~0.3 s to load: only reports pay for it, not every CLI command or `import 'int8kit'`. */
let loaded: typeof Echarts | undefined;
const echarts = () => (loaded ??= createRequire(__filename)('echarts') as typeof Echarts);

/**
 * Renders one chart and cleans its markup: echarts names its CSS classes and clip paths after a
 * process-wide instance counter (zr0-, zr1-, ...), so the same report would differ byte for byte
 * between two calls, and ids must be unique within the page. `id` replaces that prefix. The hover
 * stylesheet and interaction attributes do nothing in a static page and are dropped; the
 * `ecmeta_ssr_type`/`ecmeta_series_index` attributes stay: they say which marks are data.
 */
function svg(option: Echarts.EChartsOption, width: number, height: number, id: string, label: string): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option });
    return chart
      .renderToSVGString()
      .replace(/<style[\s\S]*?<\/style>\s*/g, '')
      .replace(/ class="zr\d+-cls-\d+"| pointer-events="visible"| ecmeta_data_index="\d+"| ecmeta_silent="true"/g, '')
      .replace(/ xmlns(:xlink)?="[^"]*"| version="1\.1"| baseProfile="full"/g, '')
      .replace(/\bzr\d+-/g, `${id}-`)
      .replace(/<svg /, `<svg role="img" aria-label="${label}" `)
      .replace(/><\/(path|polygon|rect)>/g, '/>') // empty elements self-close (HTML parses that in SVG)
      .replace(/\n/g, '');
  } finally {
    chart.dispose(); // an SSR chart that is not disposed keeps a timer alive and the process running
  }
}

export function barsSvg(b: BarsBlock, id: string, label: string): string {
  const colors = seriesColors(b.series.map((s) => s.name));
  const horizontal = !!b.horizontal;
  const slots = b.categories.length * Math.max(1, b.series.length);
  // Vertical: room for each group's bars and for a label of ~16 characters under it.
  const width = horizontal ? 860 : Math.min(900, Math.max(420, 80 + b.categories.length * Math.max(110, b.series.length * 34 + 24)));
  const height = horizontal ? 70 + slots * 18 + b.categories.length * 6 : 300;
  const category = {
    type: 'category' as const,
    data: b.categories,
    inverse: horizontal, // first category on top, as in the table
    axisLabel: { ...TEXT, interval: 0, width: horizontal ? 220 : Math.max(40, (width - 100) / b.categories.length - 4), overflow: 'truncate' as const },
    axisTick: { alignWithLabel: true },
  };
  const value = { type: 'value' as const, name: b.unit, nameTextStyle: TEXT, axisLabel: TEXT };
  return svg(
    {
      color: colors,
      legend: { show: b.series.length > 1, top: 0, textStyle: TEXT },
      grid: { left: horizontal ? 270 : 56, right: horizontal ? 60 : 20, top: b.series.length > 1 ? 36 : 24, bottom: horizontal ? 24 : 40 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: b.series.map((s) => ({
        name: s.name,
        type: 'bar' as const,
        data: s.values,
        barMaxWidth: 40,
        label: { show: true, position: horizontal ? ('right' as const) : ('top' as const), ...TEXT, formatter: (p: { value: unknown }) => fmt(Number(p.value)) },
      })),
    },
    width,
    height,
    id,
    label,
  );
}

/** Span of everything a histogram must show: the bins, the chosen range and the observed range. */
function extent(h: HistogramBlock): [number, number] {
  const xs = [h.edges[0], h.edges[h.edges.length - 1], ...(h.chosen ?? []), ...(h.observed ?? [])];
  let lo = Math.min(...xs), hi = Math.max(...xs);
  if (lo === hi) (lo -= 1), (hi += 1);
  const pad = (hi - lo) * 0.03;
  return [lo - pad, hi + pad];
}

export function histogramSvg(h: HistogramBlock, id: string, label: string): string {
  // Only non-empty bins are drawn: an empty bin has no bar, and a log axis has no zero.
  const bins = h.counts.map((n, i) => [h.edges[i], h.edges[i + 1], n]).filter((b) => b[2] > 0);
  const [lo, hi] = extent(h);
  const maxCount = Math.max(1, ...h.counts);
  const legend = [{ name: 'count', icon: 'rect' }];
  const series: Echarts.SeriesOption[] = [
    {
      name: 'count',
      type: 'custom',
      data: bins,
      encode: { x: [0, 1], y: 2 },
      itemStyle: { color: BIN },
      // A bar spans its bin's edges exactly (bins need not be uniform) and stands on the grid's floor.
      renderItem: (params, api) => {
        const top = api.coord([api.value(0), api.value(2)]);
        const right = api.coord([api.value(1), api.value(2)]);
        const sys = params.coordSys as unknown as { y: number; height: number };
        const floor = sys.y + sys.height;
        // A non-empty bin stays visible however small its count (a count of 1 sits on a log axis's floor).
        const y = Math.min(top[1], floor - 1.5);
        return { type: 'rect', shape: { x: top[0], y, width: Math.max(0.5, right[0] - top[0]), height: floor - y }, style: { fill: BIN } };
      },
    },
  ];
  if (h.chosen) {
    legend.push({ name: `chosen range [${fmt(h.chosen[0])}, ${fmt(h.chosen[1])}]`, icon: 'rect' });
    series.push({
      name: legend[legend.length - 1].name,
      type: 'scatter',
      data: [],
      itemStyle: { color: CHOSEN },
      markArea: { silent: true, itemStyle: { color: CHOSEN, opacity: 0.16, borderColor: CHOSEN, borderWidth: 1 }, data: [[{ xAxis: h.chosen[0] }, { xAxis: h.chosen[1] }]] },
    });
  }
  if (h.observed) {
    legend.push({ name: `observed min/max [${fmt(h.observed[0])}, ${fmt(h.observed[1])}]`, icon: 'path://M0,0h2v10h-2z' });
    series.push({
      name: legend[legend.length - 1].name,
      type: 'scatter',
      data: [],
      itemStyle: { color: OBSERVED },
      markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: OBSERVED, type: 'dashed', width: 1.5 }, data: [{ xAxis: h.observed[0] }, { xAxis: h.observed[1] }] },
    });
  }
  return svg(
    {
      legend: { data: legend, bottom: 0, left: 0, orient: 'vertical', itemWidth: 14, itemHeight: 10, textStyle: TEXT },
      grid: { left: 50, right: 14, top: 14, bottom: 30 + 16 * legend.length },
      xAxis: { type: 'value', min: lo, max: hi, axisLabel: { ...TEXT, formatter: (v: number) => fmt(v) }, splitLine: { show: false } },
      yAxis: h.logCounts
        ? { type: 'log', min: 1, max: Math.max(10, 10 ** Math.ceil(Math.log10(maxCount))), name: 'count (log)', nameTextStyle: TEXT, axisLabel: TEXT }
        : { type: 'value', min: 0, name: 'count', nameTextStyle: TEXT, axisLabel: TEXT },
      series,
    },
    400,
    200 + 16 * legend.length,
    id,
    label,
  );
}
