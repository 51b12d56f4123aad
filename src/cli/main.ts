import { Command, Option } from 'commander';
import { Int8kitError } from '../errors';
import { version } from '../runtime/info';
import { infoCommand } from './info';
import { runCommand } from './run';
import { benchCommand } from './bench';
import { DEFAULT_BACKENDS, SESSION_BACKENDS } from '../bench/bench';
import { quantizeCommand } from './quantize';
import { PREPROCESS_NAMES } from '../data/preprocess';
import { demoCommand } from './demo';
import { inspectCommand } from './inspect';
import { evalCommand } from './eval';

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
  .description('latency, sizes and memory of int8kit FP32 and INT8 (per backend and thread count) against onnxruntime, interleaved in one run; MODEL is a file or resnet18-like, mobilenetv2-like, bert-like, bert-like-768')
  .option('--quantize', 'also benchmark MODEL quantized here to INT8 (see --mode, --calib)')
  .option('--mode <mode>', 'with --quantize: static or dynamic (default: dynamic for a model without Conv, else static)')
  .option('--calib <data>', 'with --quantize --mode static: calibration data as for `int8kit quantize --calib` (default: generated inputs, said on stderr)')
  .option('--samples <n>', 'with --quantize: calibrate on at most N samples')
  .option('--int8 <qmodel>', 'also benchmark this already quantized model (QDQ, QOperator or dynamic ONNX)')
  .option('--input-shape <name=dims>', 'dims for an input with symbolic dims, e.g. input_ids=1x128 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option('--backends <list>', `int8kit backends: ${SESSION_BACKENDS.join(', ')} (each runs the INT8 model when there is one)`, DEFAULT_BACKENDS)
  .option('--threads <list>', 'thread counts', '1')
  .option('--peers <list>', 'peer engines to run on the same models (onnxruntime)')
  .option('--rounds <n>', 'interleaved rounds', '7')
  .addOption(new Option('--round-ms <ms>', 'minimum time per round per configuration (tests use 0)').default('300').hideHelp())
  .addOption(new Option('--probe <engine/backend/threads>', 'measure one row\'s memory in this process (run by bench itself)').hideHelp())
  .option('--json', 'print { model, results: [...], sizes, int8, peakRssBytes }')
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
  .description('quantize an embedded MNIST CNN, evaluate FP32 vs INT8 on real digits, benchmark the backends, write report.html')
  .option('--report <file>', 'where to write the HTML report', 'report.html')
  .option('--rounds <n>', 'interleaved benchmark rounds', '5')
  .action(demoCommand);

program
  .command('inspect <model>')
  .description('per-layer debugging of the INT8 model against FP32 on calibration data: activation and weight SQNR/MSE, chosen vs observed ranges, int16 saturation a plain vpmaddubsw kernel would hit, the layers most responsible for the output error')
  .requiredOption('--calib <data>', 'calibration data as for `int8kit quantize --calib`')
  .option('--int8 <qmodel>', 'the QDQ model to inspect (int8kit\'s or onnxruntime quantize_static output); default: MODEL quantized here (static) with the options below')
  .option('--limit <n>', 'use at most the first N samples (their inputs are held in memory)', '100')
  .option('--backend <name>', 'backend of every run (default: the best that loads)')
  .option('--json', 'print the result as one JSON object')
  .option('--report <file>', 'write an HTML report')
  .option('--top <n>', 'how many layers to rank', '5')
  .option('--qconfig <name>', 'without --int8: fbgemm, x86, qnnpack, symmetric or pow2')
  .option('--observer <name>', 'without --int8: minmax, moving-avg, histogram, percentile, entropy, mse or pow2')
  .option('--per-channel', 'without --int8: per-channel weight scales')
  .option('--exclude <names>', 'without --int8: comma-separated node names or op types kept in FP32')
  .option('--preprocess <name>', 'for image folders: imagenet, imagenet-caffe, mnist or none (default imagenet)')
  .action(inspectCommand);

program
  .command('eval <model>')
  .description('FP32 vs INT8 accuracy on labelled data: top-1, top-k, agreement, per-class accuracy, sizes, images/s')
  .requiredOption('--data <data>', 'an ImageFolder (class = subfolder), a folder of images with --labels FILE, or a .npy of inputs with --labels labels.npy')
  .option('--int8 <qmodel>', 'the INT8 model to compare (QDQ, QOperator or dynamic ONNX)')
  .option('--quantize', 'quantize MODEL here instead (see --mode, --calib)')
  .option('--mode <mode>', 'with --quantize: static (default, needs --calib) or dynamic')
  .option('--calib <data>', 'with --quantize --mode static: calibration data kept apart from --data (as for `int8kit quantize --calib`)')
  .option('--samples <n>', 'with --quantize: calibrate on at most N samples')
  .option('--per-channel', 'with --quantize: per-channel weight scales')
  .option('--labels <file>', 'labels: lines "file.png 3" (or CSV) for a flat image folder, labels.npy for .npy inputs')
  .option('--classes <file>', 'class list, one per line (first token = class key, e.g. ImageNet synsets): class index = line')
  .option('--preprocess <name>', `image preprocessing: ${PREPROCESS_NAMES.join(', ')} (default imagenet)`)
  .option('--size <HxW>', 'output size of the image preprocessing (default: the model input, else the preset)')
  .option('--resize <n>', 'resize the shorter side to N pixels, then center crop to the size')
  .option('--mean <a,b,c>', "per-channel mean in the preset's scale ([0, 1]; 0-255 for imagenet-caffe)")
  .option('--std <a,b,c>', 'per-channel std, same scale')
  .option('--topk <k>', 'k of top-k accuracy', '5')
  .option('--limit <n>', 'evaluate the first N samples (ImageFolder: one image of each class in turn)')
  .option('--batch <n>', 'samples per run (a fixed batch dim in the model wins)', '32')
  .option('--backend <name>', 'native, wasm, fbgemm, qnnpack or reference (default: the best that loads)')
  .option('--json', 'print one JSON object (no progress bar)')
  .option('--report <file>', 'write an HTML report')
  .action(evalCommand);

// Typed errors and the system's file errors (ENOENT, EACCES, ENOTDIR, ... naming the path) are the
// user's to fix: one line. Anything else is a bug in int8kit: the stack, for the report.
const systemError = (e: unknown): e is NodeJS.ErrnoException => e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Int8kitError || systemError(e) ? `int8kit: ${e.message}` : e);
  process.exitCode = 1;
});
