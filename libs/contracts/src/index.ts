export * from './job-input';
export * from './job-payloads';
export * from './job-record';
