export * from './metrics-server';
export * from './metrics-settings';
export * from './process-metrics';
export * from './queue-depth';
export * from './service-metrics';
export * from './prefix-cache-metrics';
