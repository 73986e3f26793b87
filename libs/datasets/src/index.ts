export * from './nq-open';
export * from './data-dir';
