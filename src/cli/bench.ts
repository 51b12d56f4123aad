import { invalid } from '../errors';
import { bench, formatTable } from '../bench/bench';

export async function benchCommand(model: string, o: { backends: string; threads: string; peers?: string; precision: string; rounds: string; json?: boolean; inputShape: string[] }) {
  if (o.precision !== 'fp32') throw invalid('--precision', 'fp32 (int8 arrives with the quantizer)', o.precision);
  const threads = o.threads.split(',').map(Number);
  if (!threads.every((t) => Number.isInteger(t) && t >= 1)) throw invalid('--threads', 'a list of integers >= 1 such as 1,2', o.threads);
  const results = await bench(model, {
    backends: o.backends.split(','),
    threads,
    peers: o.peers ? o.peers.split(',') : [],
    rounds: Number(o.rounds),
    roundMs: 300,
    inputShapes: Object.fromEntries(o.inputShape.map((spec) => {
      const [name, dims] = spec.split('=');
      if (!name || !dims || !/^\d+(x\d+)*$/.test(dims)) throw invalid('--input-shape', 'NAME=1x3x224x224', spec);
      return [name, dims.split('x').map(Number)];
    })),
  });
  console.log(o.json ? JSON.stringify({ model, results }) : formatTable(model, results));
}
