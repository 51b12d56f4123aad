// The report as a browser sees it: headless Chromium (Debian's /usr/bin/chromium via playwright-core)
// opens a rendered report from disk and checks that the charts are drawn with the right marks in the
// right places, the tables have their rows, the names read back unescaped, the console is clean and
// nothing but the file itself is requested. Without Chromium the test skips locally and fails in CI.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../src/report/render';
import { NASTY, fixtureDoc, latency, linearHist, logHist, sizes, sqnr } from './report-fixture';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);

describe('report in headless Chromium', () => {
  it('has Chromium in CI', () => {
    // CI installs it (.ci/run); a developer machine without it only skips the browser checks.
    if (process.env.CI) expect(present, `${CHROMIUM} is missing: CI must install Debian's chromium package`).toBe(true);
  });
});

describe.skipIf(!present)('report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'int8kit-report-'));
  const file = join(dir, 'report.html');
  const url = pathToFileURL(file).href;
  const requests: string[] = [], consoleMessages: string[] = [], pageErrors: string[] = [];
  let browser: Browser, page: Page;

  beforeAll(async () => {
    writeFileSync(file, renderReport(fixtureDoc()));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // Anything but the file itself is refused, so a stray URL would also show up as a console error.
    await page.route('**/*', (r) => (r.request().url() === url ? r.continue() : r.abort()));
    await page.goto(url, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Bounding boxes (in SVG units) of chart `i`'s data marks of series `s`, left to right / top to bottom. */
  const boxes = (i: number, s: number, sel = 'path, polygon') =>
    page.$$eval(
      'figure.chart',
      (figs, [i, s, sel]) =>
        [...figs[i as number].querySelectorAll(`svg [ecmeta_ssr_type="chart"][ecmeta_series_index="${s}"]`)]
          .filter((e) => e.matches(sel as string))
          .map((e) => {
            const b = (e as unknown as { getBBox(): { x: number; y: number; width: number; height: number } }).getBBox();
            return { x: b.x, y: b.y, w: b.width, h: b.height, dash: e.getAttribute('stroke-dasharray') };
          }),
      [i, s, sel] as const,
    );

  it('loads with a clean console and requests nothing but the file', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleMessages).toEqual([]);
    expect(requests).toEqual([url]);
  });

  it('draws every chart as an inline SVG with visible size', async () => {
    const charts = await page.$$eval('figure.chart', (figs) => figs.map((f) => ({ kind: f.getAttribute('data-kind'), svg: !!f.querySelector('svg'), w: f.querySelector('svg')!.getBoundingClientRect().width, caption: f.querySelector('figcaption')!.textContent })));
    expect(charts.map((c) => c.kind)).toEqual(['bars', 'bars', 'histogram', 'histogram']);
    for (const c of charts) expect(c.svg && c.w > 200).toBe(true);
    expect(charts.map((c) => c.caption)).toEqual([latency.title, sqnr.title, linearHist.title, logHist.title]);
  });

  it('grouped bars: one bar per non-null value, heights proportional to the values', async () => {
    for (const [s, series] of latency.series.entries()) {
      const bars = await boxes(0, s);
      const values = series.values.filter((v): v is number => v !== null);
      expect(bars.length).toBe(values.length);
      bars.forEach((b, j) => expect(b.h / bars[0].h).toBeCloseTo(values[j] / values[0], 1));
    }
    const hbars = await boxes(1, 0);
    expect(hbars.length).toBe(sqnr.categories.length);
    hbars.forEach((b, j) => expect(b.w / hbars[0].w).toBeCloseTo(sqnr.series[0].values[j]! / sqnr.series[0].values[0]!, 1));
    // The category names read back unescaped (the long one may be truncated with an ellipsis).
    const labels = await page.$$eval('figure.chart', (f) => [...f[1].querySelectorAll('svg text')].map((t) => t.textContent));
    expect(labels).toContain(NASTY);
  });

  it('histogram: one bar per non-empty bin spanning its edges, the chosen range and the observed min/max where the data says', async () => {
    for (const [i, h] of [[2, linearHist], [3, logHist]] as const) {
      const bins = await boxes(i, 0);
      const nonEmpty = h.counts.map((n, j) => [n, j]).filter(([n]) => n > 0);
      expect(bins.length).toBe(nonEmpty.length);
      // Pixel x of a data value, from the first and last drawn bin's edges.
      const [j0, j1] = [nonEmpty[0][1], nonEmpty[nonEmpty.length - 1][1]];
      const px0 = bins[0].x, px1 = bins[bins.length - 1].x + bins[bins.length - 1].w;
      const x = (v: number) => px0 + ((v - h.edges[j0]) / (h.edges[j1 + 1] - h.edges[j0])) * (px1 - px0);
      // Within a pixel: echarts snaps thin lines to half pixels so that they render crisp.
      const near = (px: number, v: number) => expect(Math.abs(px - x(v))).toBeLessThanOrEqual(1);
      bins.forEach((b, k) => near(b.x, h.edges[nonEmpty[k][1]]));
      if (!h.logCounts) bins.forEach((b, k) => expect(b.h / bins[0].h).toBeCloseTo(nonEmpty[k][0] / nonEmpty[0][0], 1));
      else expect(bins[0].h / bins[1].h).toBeCloseTo(2, 1); // 10^4 vs 10^2 on a log axis: twice as tall
      const chosen = await boxes(i, 1, 'polygon');
      expect(chosen.length).toBe(1);
      near(chosen[0].x, h.chosen![0]);
      near(chosen[0].x + chosen[0].w, h.chosen![1]);
      const observed = await boxes(i, 2);
      expect(observed.map((o) => o.dash)).toEqual([expect.any(String), expect.any(String)]);
      near(observed[0].x, h.observed![0]);
      near(observed[1].x, h.observed![1]);
      const legend = await page.$$eval('figure.chart', (f, i) => f[i].querySelector('svg')!.textContent, i);
      expect(legend).toContain('chosen range');
      expect(legend).toContain('observed min/max');
    }
  });

  it('tables have one row per data row, names unescaped', async () => {
    const tables = await page.$$eval('table', (ts) => ts.map((t) => ({ caption: t.querySelector('caption')?.textContent ?? null, rows: t.querySelectorAll('tbody tr').length, cells: [...t.querySelectorAll('td')].map((c) => c.textContent) })));
    // The latency and SQNR charts' numbers tables, and the sizes table.
    expect(tables.map((t) => t.rows)).toEqual([latency.categories.length, sizes.rows.length, sqnr.categories.length]);
    expect(tables[1].caption).toBe(sizes.caption);
    expect(tables[1].cells).toEqual(sizes.rows.flat().map(String));
    expect(await page.title()).toBe(`Report ${NASTY}`);
  });

  it('table of contents links reach their sections', async () => {
    const links = await page.$$eval('nav a', (as) => as.map((a) => [a.textContent, a.ownerDocument.querySelector(a.getAttribute('href')!)?.querySelector('h2')?.textContent]));
    expect(links).toEqual(fixtureDoc().sections.map((s) => [s.heading, s.heading]));
  });
});
