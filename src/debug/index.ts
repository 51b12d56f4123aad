// Per-layer debugging of INT8 models (int8kit inspect).
export { inspect, SATURATION_NOTE, type InspectOptions, type InspectResult, type LayerReport, type Saturation, type Histogram } from './inspect';
export { inspectReportDoc } from './report-doc';
export { formatInspect } from './format';
