export * from './document-prefix';
export * from './prefix-cache-events';
export * from './prefix-cache-keys';
export * from './prefix-cache-settings';
export * from './prefix-key';
export * from './prefix-store';
export * from './memory-prefix-cache';
export * from './redis-prefix-cache';
