// HTML building blocks of the report page: escaping, tables, number formatting and the page's CSS.
// Everything user-supplied (layer names, file paths, captions) goes through esc().

export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Three significant digits for small values, fewer decimals for large ones: chart labels must stay short. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return String(Number(v.toPrecision(3)));
}

const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : esc(String(v)));
/** Numbers, and numbers already formatted as text ("97.81", "2.75x", "-3.5 %"), align right. */
const numeric = (v: string | number | null) => typeof v === 'number' || (typeof v === 'string' && /^[-+]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?\s*(x|%|ms|dB)?$/i.test(v));

export function table(columns: string[], rows: (string | number | null)[][], caption?: string): string {
  const head = `<thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((v) => `<td${numeric(v) ? ' class="num"' : ''}>${cell(v)}</td>`).join('')}</tr>`).join('')}</tbody>`;
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}${head}${body}</table>`;
}

/** The whole stylesheet: system fonts only (nothing to fetch), charts scale down on narrow screens. */
export const CSS = `body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
nav ol { columns: 2; } .summary { color: #444; }
table { border-collapse: collapse; margin: 1em 0; } caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; } th { background: #f3f4f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1em 0; } figcaption { font-weight: 600; margin-bottom: 0.2em; } figure svg { max-width: 100%; height: auto; display: block; }
.hists { display: flex; flex-wrap: wrap; gap: 0 1.5em; } .hists figure { width: 400px; }
details { margin: 0.3em 0 1em; } summary { cursor: pointer; color: #555; }`;
