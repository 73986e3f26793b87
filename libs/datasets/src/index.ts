export * from './nq-open';
export * from './data-dir';
export * from './answer-match';
export * from './multi-doc-qa';
export * from './multi-doc-prompt';
export * from './seeded-random';
