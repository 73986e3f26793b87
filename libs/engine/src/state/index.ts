export { resumeGeneration, serializeGeneration } from './generation-codec';
export type { ResumeOptions, SerializeOptions } from './generation-codec';
export { FORMAT_VERSION as STATE_FORMAT_VERSION, inspectState } from './state-format';
export type { KvPrecision, StateGeometry, StateHeader } from './state-format';
export { StateFormatError } from './state-format-error';
export type { StateFormatReason } from './state-format-error';
