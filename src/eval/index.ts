// Accuracy evaluation: datasets (ImageFolder, images + labels file, .npy), the FP32 vs INT8 metrics loop, and its report.
export { openDataset, datasetKind, tensorDataset, type EvalDataset, type DatasetKind, type LabeledSample, type OpenDatasetOptions } from './datasets';
export { evaluate, argmax, rankOf, type EvalModel, type EvaluateOptions, type EvalResult, type ModelMetrics, type ClassMetrics } from './evaluate';
export { evalReportDoc, evalText, worstClasses, type EvalSubject, type ModelSizes } from './report-doc';
