// renderReport in Node: the page is self-contained (no script, no URL), every user string is escaped,
// the output is deterministic, and each chart's SVG has one data mark per value the doc holds.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors';
import { renderReport } from '../src/report/render';
import type { ReportDoc } from '../src/report/types';
import { NASTY, fixtureDoc, latency, linearHist, logHist, sizes, sqnr } from './report-fixture';

const html = renderReport(fixtureDoc());
const figures = [...html.matchAll(/<figure class="chart" data-kind="(\w+)" id="([\w-]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({ kind: m[1], id: m[2], body: m[3] }));
/** Data marks of series `s`: echarts tags the elements it draws for a series' data. */
const marks = (svg: string, s: number) => [...svg.matchAll(new RegExp(`<(path|polygon)[^>]*ecmeta_series_index="${s}"[^>]*ecmeta_ssr_type="chart"`, 'g'))].length;

describe('renderReport', () => {
  it('is one self-contained page: no script, no URL, no external resource', () => {
    expect(html).not.toMatch(/<script|<iframe|<img|<link|@import|https?:|\/\/www\.|xlink:href/i);
    // The only url() references are the charts' own clip paths, and every href is an in-page anchor.
    for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^#c\d+-/);
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#s\d+$/);
    expect(html).not.toMatch(/\son\w+=/i); // no event handlers
  });

  it('escapes every user-supplied string (titles, headings, categories, cells, text)', () => {
    expect(html).not.toContain('<b>');
    expect(html).not.toContain(']]>');
    const escaped = '&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; &#39;a&#39; {r|t} ]]&gt;';
    expect(html).toContain(`<h1>Report ${escaped}</h1>`);
    expect(html).toContain(`<figcaption>Latency ${escaped}</figcaption>`);
    expect(html).toContain(`<td>${escaped}</td>`);
    expect(html).toContain(`<p>Text ${escaped}</p>`);
    // echarts escapes its own text; the category label in the SVG must decode back to the name.
    const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    const svgTexts = [...figures[0].body.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]));
    expect(svgTexts.some((t) => t.startsWith('<b>x</b>'))).toBe(true);
  });

  it('is deterministic: the same doc gives the same bytes, whatever was rendered before', () => {
    renderReport({ title: 'other', sections: [{ heading: 'h', blocks: [linearHist, latency] }] });
    expect(renderReport(fixtureDoc())).toBe(html);
  });

  it('gives every chart a unique id and every section an anchor in the table of contents', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const clip = [...html.matchAll(/<clipPath id="([^"]+)"/g)].map((m) => m[1]);
    for (const c of clip) expect(ids).toContain(c);
    expect([...html.matchAll(/<a href="#(s\d+)">/g)].map((m) => m[1])).toEqual(['s0', 's1']);
  });

  it('draws one mark per value: bars skip nulls, histograms skip empty bins', () => {
    expect(figures.map((f) => f.kind)).toEqual(['bars', 'bars', 'histogram', 'histogram']);
    const [lat, layers, lin, log] = figures;
    latency.series.forEach((s, i) => expect(marks(lat.body, i)).toBe(s.values.filter((v) => v !== null).length));
    expect(marks(layers.body, 0)).toBe(sqnr.categories.length);
    expect(marks(lin.body, 0)).toBe(linearHist.counts.filter((n) => n > 0).length);
    expect(marks(log.body, 0)).toBe(logHist.counts.filter((n) => n > 0).length);
    // The chosen range is one shaded area (series 1), the observed min and max two dashed lines (series 2).
    for (const h of [lin, log]) {
      expect(marks(h.body, 1)).toBe(1);
      expect([...h.body.matchAll(/<path[^>]*stroke-dasharray[^>]*ecmeta_series_index="2"/g)].length).toBe(2);
      expect(h.body).toContain('chosen range');
      expect(h.body).toContain('observed min/max');
    }
  });

  it('keeps the numbers behind bar charts and tables as table rows', () => {
    const tables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((m) => [...m[1].matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)][0][1].split('<tr>').length - 1);
    expect(tables).toEqual([latency.categories.length, sizes.rows.length, sqnr.categories.length]);
    expect(html).toContain('<td class="num">0.5</td>');
  });

  it('stays lean with many histograms (per-layer reports hold ~100)', () => {
    const edges = Array.from({ length: 129 }, (_, i) => -4 + i / 16);
    const counts = edges.slice(1).map((e) => Math.round(1000 * Math.exp(-e * e)));
    const doc: ReportDoc = { title: 'many', sections: [{ heading: 'h', blocks: Array.from({ length: 100 }, (_, i) => ({ kind: 'histogram' as const, title: `layer ${i}`, edges, counts, chosen: [-3, 3] as [number, number], observed: [-4, 4] as [number, number] })) }] };
    const t0 = performance.now();
    const big = renderReport(doc);
    const perHistogram = big.length / 100;
    expect(perHistogram).toBeLessThan(20_000);
    console.log(`100 histograms of 128 bins: ${(big.length / 1024).toFixed(0)} KB, ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it('rejects malformed blocks with an InvalidArgumentError naming the block', () => {
    const one = (b: unknown) => () => renderReport({ title: 't', sections: [{ heading: 'layers', blocks: [b as ReportDoc['sections'][0]['blocks'][0]] }] });
    const cases: [unknown, RegExp][] = [
      [{ ...linearHist, counts: [1, 2] }, /expected .*"act .* to have counts.length \+ 1 edges .* but received 6 edges for 2 counts/],
      [{ ...linearHist, edges: [0, 1, NaN, 3, 4, 5] }, /edges to be finite and ascending but received NaN of type number at 2/],
      [{ ...linearHist, edges: [0, 2, 1, 3, 4, 5] }, /finite and ascending but received 1 of type number at 2/],
      [{ ...linearHist, counts: [1, -1, 0, 0, 0] }, /counts to be finite and >= 0 but received -1/],
      [{ ...linearHist, chosen: [1, -1] }, /chosen to be \[min, max\] with finite min <= max but received \[1, -1\]/],
      [{ ...linearHist, observed: [0, Infinity] }, /observed to be \[min, max\].*received \[0, Infinity\]/],
      [{ ...latency, series: [{ name: 'FP32', values: [1] }] }, /series "FP32" to have 3 values \(one per category\) but received 1/],
      [{ ...latency, series: [{ name: 'FP32', values: [1, NaN, 2] }] }, /finite numbers or null but received NaN of type number at 1/],
      [{ ...sizes, rows: [[1]] }, /row 0 to have 2 cells \(one per column\) but received 1/],
      [{ kind: 'pie' }, /kind to be text, table, bars or histogram but received "pie"/],
    ];
    for (const [b, message] of cases) {
      expect(one(b)).toThrow(InvalidArgumentError);
      expect(one(b)).toThrow(message);
      expect(one(b)).toThrow(/section 0 \("layers"\) block 0/);
    }
  });

  it('draws degenerate but valid data: empty histogram, one-point range, all-null series, negative bars', () => {
    const html = renderReport({ title: 't', sections: [{ heading: 'h', blocks: [
      { kind: 'histogram', title: 'empty', edges: [0, 1], counts: [0], logCounts: true },
      { kind: 'histogram', title: 'point', edges: [2, 2], counts: [7], chosen: [2, 2], observed: [2, 2] },
      { kind: 'bars', title: 'none', unit: 'ms', categories: ['a', 'b'], series: [{ name: 'INT8', values: [null, null] }] },
      { kind: 'bars', title: 'delta', unit: 'dB', categories: ['a', 'b'], series: [{ name: 'SQNR change', values: [-3, 2] }] },
    ] }] });
    const figs = [...html.matchAll(/<figure[\s\S]*?<\/figure>/g)].map((m) => m[0]);
    expect(figs.map((f) => marks(f, 0))).toEqual([0, 1, 0, 2]);
  });
});
