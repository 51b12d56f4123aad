// The terminal view of an InspectResult: one table row per layer, the output error and the ranking.
import type { InspectResult, LayerReport } from './inspect';

/** dB with one decimal; "inf" for an exact match, "-" when not measured. */
export const db = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v.toFixed(1));
const num = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(v > 0 && v < 0.001 ? 4 : 2)}%`);
const range = (r: [number, number] | null | undefined) => (r ? `[${num(r[0])}, ${num(r[1])}]` : '-');

export const LAYER_COLUMNS = ['layer', 'op', 'act SQNR dB (sim/int8)', 'weight SQNR dB', 'act MSE', 'chosen range', 'observed range', 'clipped', 'saturating pairs', 'only-this-layer out SQNR dB'];

/** One row of LAYER_COLUMNS. */
export function layerRow(l: LayerReport): string[] {
  const sat = l.saturation ? `${l.saturation.saturating} (${pct(l.saturation.fraction)})` : '-';
  const w = l.weight ? `${db(l.weight.sqnr)}${l.weight.perChannel ? ' (per-ch)' : ''}` : '-';
  return [l.name, l.opType, `${db(l.activation?.sqnr)} / ${db(l.activationInt8?.sqnr)}`, w, l.activation ? num(l.activation.mse) : '-', range(l.range?.chosen), range(l.range?.observed), pct(l.range?.clipped), sat, db(l.onlyThisLayerSqnr)];
}

function table(columns: string[], rows: string[][]): string {
  const width = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  return [line(columns), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * The result as text for a terminal: the layer table, the output SQNR, the top layers and notes.
 * @param r What {@link inspect} returned.
 * @param top How many of the layers most responsible for the output error to list (default 5).
 * @returns Lines of text joined by newlines.
 * @throws Never for a result of {@link inspect}: string formatting only.
 */
export function formatInspect(r: InspectResult, top = 5): string {
  const out = [table(LAYER_COLUMNS, r.layers.map(layerRow)), ''];
  out.push(`model output SQNR vs FP32 over ${r.samples} samples: ${db(r.output.simulateSqnr)} dB simulated (QDQ), ${r.output.int8Sqnr === null ? `- on the INT8 kernels (${r.output.int8Note})` : `${db(r.output.int8Sqnr)} dB on the INT8 kernels`}`);
  const all = r.layers[r.layers.length - 1]?.cumulativeSqnr;
  if (all !== null && all !== undefined && Math.abs(all - r.output.simulateSqnr) > 0.05)
    out.push(`with only the layers' Q/DQ pairs (the others, e.g. on Add or pooling outputs, in float): ${db(all)} dB`);
  if (r.ranking.length) {
    out.push(`layers most responsible for the output error (lowest output SQNR with only that layer quantized):`);
    const byName = new Map(r.layers.map((l) => [l.name, l]));
    r.ranking.slice(0, top).forEach((name, i) => out.push(`  ${i + 1}. ${name} (${byName.get(name)!.opType}): ${db(byName.get(name)!.onlyThisLayerSqnr)} dB`));
  }
  out.push(r.saturationNote);
  for (const l of r.layers) for (const n of l.notes) out.push(`note: ${l.name}: ${n}`);
  return out.join('\n');
}
