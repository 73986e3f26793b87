export * from './handoff-settings';
export * from './redis-state-store';
export * from './state-store';
