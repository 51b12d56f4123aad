// evalReportDoc / evalText: the figures of an EvalResult land in the right cells, classes are listed
// worst INT8 drop first, an FP32-only result has no INT8 column, and renderReport makes a
// self-contained page of it.
import { describe, expect, it } from 'vitest';
import { evalReportDoc, evalText, worstClasses, type EvalResult } from '../src';
import { renderReport } from '../src/report/render';
import type { BarsBlock, TableBlock } from '../src/report/types';

const metrics = (top1Correct: number, topkCorrect: number, ips: number) => ({ top1Correct, topkCorrect, top1: top1Correct / 2, topk: topkCorrect / 2, imagesPerSecond: ips });
const result: EvalResult = {
  count: 200, topk: 5, classes: 3,
  fp32: metrics(180, 198, 1000), int8: metrics(170, 196, 2500), agreementCount: 185, agreement: 92.5,
  perClass: [
    { index: 0, name: 'cat', count: 100, fp32: 90, int8: 90, drop: 0 },
    { index: 1, name: 'dog', count: 60, fp32: 95, int8: 80, drop: 15 },
    { index: 2, name: 'eel', count: 40, fp32: 80, int8: 75, drop: 5 },
  ],
};
const subject = { model: 'm.onnx', int8Model: 'q.onnx', data: 'val/', sizes: { fp32Bytes: 4 * 1024 * 1024, int8Bytes: 1024 * 1024 } };

describe('evaluation report', () => {
  it('tables and bars hold the result, worst class first', () => {
    const doc = evalReportDoc(result, subject);
    expect(doc.sections.map((s) => s.heading)).toEqual(['Accuracy', 'Model size', 'Per-class accuracy']);
    const acc = doc.sections[0].blocks[0] as TableBlock;
    expect(acc.columns).toEqual(['', 'FP32', 'INT8']);
    expect(acc.rows).toEqual([['top-1 %', '90.00', '85.00'], ['top-5 %', '99.00', '98.00'], ['images/s', '1000', '2500'], ['agreement with FP32 top-1 %', '', '92.50']]);
    expect((doc.sections[1].blocks[0] as TableBlock).rows).toEqual([['4.00 MB', '1.00 MB', '4.00x']]);
    const [bars, table] = doc.sections[2].blocks as [BarsBlock, TableBlock];
    expect(bars.categories).toEqual(['dog', 'eel', 'cat']);
    expect(bars.series).toEqual([{ name: 'FP32', values: [95, 80, 90] }, { name: 'INT8', values: [80, 75, 90] }]);
    expect(table.rows[0]).toEqual(['dog', 60, '95.00', '80.00', '15.00']);
    const html = renderReport(doc);
    expect(html).toContain('<td class="num">92.50</td>');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('ties in drop: the lower accuracy first; FP32 only: no INT8 column', () => {
    const tied: EvalResult = { ...result, perClass: [{ ...result.perClass[0], int8: 90, drop: 0 }, { ...result.perClass[2], int8: 80, drop: 0 }] };
    expect(worstClasses(tied).map((c) => c.name)).toEqual(['eel', 'cat']);
    const fp32Only: EvalResult = { ...result, int8: undefined, agreement: undefined, agreementCount: undefined, perClass: result.perClass.map(({ index, name, count, fp32 }) => ({ index, name, count, fp32 })) };
    const doc = evalReportDoc(fp32Only, { model: 'm.onnx', data: 'val/' });
    expect(doc.sections.map((s) => s.heading)).toEqual(['Accuracy', 'Per-class accuracy']);
    expect((doc.sections[0].blocks[0] as TableBlock).rows).toEqual([['top-1 %', '90.00'], ['top-5 %', '99.00'], ['images/s', '1000']]);
    expect((doc.sections[1].blocks[0] as BarsBlock).series.map((s) => s.name)).toEqual(['FP32']);
    expect(evalText(fp32Only, { model: 'm.onnx', data: 'val/' }, 2)).toContain('Classes (2 of 3):\n| class | samples | FP32 top-1 % |\n|---|---|---|\n| eel | 40 | 80.00 |\n| cat | 100 | 90.00 |');
  });
});
