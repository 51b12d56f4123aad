import { Command } from 'commander';
import { Int8kitError } from '../errors';
import { version } from '../runtime/info';
import { infoCommand } from './info';
import { runCommand } from './run';
import { benchCommand } from './bench';
import { quantizeCommand } from './quantize';

const program = new Command()
  .name('int8kit')
  .description('INT8 quantization and fast quantized inference for Node.js')
  .version(version());

program
  .command('info')
  .description('version, CPU features, backends and the kernels each uses')
  .option('--json', 'print one JSON object')
  .action(infoCommand);

program
  .command('run <model>')
  .description('run an ONNX model on .npy inputs, writing one .npy per output')
  .requiredOption('--input <name=file.npy>', 'an input (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .requiredOption('--output-dir <dir>', 'where to write <output>.npy files')
  .option('--backend <name>', 'native or wasm (default: the best that loads)')
  .option('--threads <n>', 'intra-op threads (native backend)')
  .action(runCommand);

program
  .command('bench <model>')
  .description('latency of int8kit (per backend and thread count) against peers, interleaved in one run; MODEL is a file or resnet18-like, mobilenetv2-like, bert-like, bert-like-768')
  .option('--input-shape <name=dims>', 'dims for an input with symbolic dims, e.g. input_ids=1x128 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option('--backends <list>', 'int8kit backends', 'native')
  .option('--threads <list>', 'thread counts', '1')
  .option('--peers <list>', 'peer engines to run on the same model (onnxruntime)')
  .option('--precision <p>', 'fp32', 'fp32')
  .option('--rounds <n>', 'interleaved rounds', '7')
  .option('--json', 'print { model, results: [...] }')
  .action(benchCommand);

program
  .command('quantize <model>')
  .description('quantize an ONNX model: static INT8 calibrated on DATA, dynamic INT8 (weights only) or FP16 weights')
  .requiredOption('-o, --output <file>', 'where to write the quantized ONNX model')
  .option('--mode <mode>', 'static, dynamic or fp16', 'static')
  .option('--calib <data>', 'calibration data (static): a .npy file (axis 0 = samples), a folder of .npy files, or a folder of png/jpg/jpeg/webp images')
  .option('--samples <n>', 'use at most the first N calibration samples')
  .option('--qconfig <name>', 'fbgemm, x86, qnnpack, symmetric or pow2')
  .option('--observer <name>', 'minmax, moving-avg, histogram, percentile, entropy, mse or pow2')
  .option('--per-channel', 'per-channel weight scales')
  .option('--exclude <names>', 'comma-separated node names or op types kept in FP32')
  .option('--preprocess <name>', 'for image folders: imagenet, imagenet-caffe, mnist or none (default imagenet)')
  .action(quantizeCommand);

program
  .command('demo')
  .description('quantize, evaluate and benchmark an embedded MNIST model')
  .action(() => {
    console.log('int8kit demo: not available yet. It arrives with the quantizer and the INT8 runtime;');
    console.log('meanwhile `npx int8kit info` shows the backends and kernels this machine uses.');
  });

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Int8kitError ? `int8kit: ${e.message}` : e);
  process.exitCode = 1;
});
