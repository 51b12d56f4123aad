// Interim renderer: tables and text as HTML, charts as their numbers in a table. The SVG chart
// renderer replaces the chart half of this file.
import type { ReportBlock, ReportDoc } from './types';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const cell = (v: string | number | null) => (v === null ? '' : esc(String(v)));
const table = (columns: string[], rows: (string | number | null)[][], caption?: string) =>
  `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>` +
  rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('') + '</table>';

function block(b: ReportBlock): string {
  switch (b.kind) {
    case 'text':
      return `<p>${esc(b.text)}</p>`;
    case 'table':
      return table(b.columns, b.rows, b.caption);
    case 'bars':
      return table(['', ...b.series.map((s) => `${s.name} (${b.unit})`)], b.categories.map((c, i) => [c, ...b.series.map((s) => s.values[i])]), b.title);
    case 'histogram':
      return table(['from', 'to', 'count'], b.counts.map((n, i) => [b.edges[i], b.edges[i + 1], n]), b.title);
  }
}

/** One self-contained HTML page (no scripts, no network). */
export function renderReport(doc: ReportDoc): string {
  const sections = doc.sections
    .map((s) => `<h2>${esc(s.heading)}</h2>${s.intro ? `<p>${esc(s.intro)}</p>` : ''}${s.blocks.map(block).join('\n')}`)
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(doc.title)}</title>
<style>body { font: 14px system-ui, sans-serif; margin: 2em; max-width: 70em; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }</style>
</head><body><h1>${esc(doc.title)}</h1>${doc.summary ? `<p>${esc(doc.summary)}</p>` : ''}
${sections}
</body></html>
`;
}
