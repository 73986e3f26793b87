export * from './answer-text';
export * from './document-qa-prompt';
export * from './prompt-tokens';
export * from './document-qa-prefix';
