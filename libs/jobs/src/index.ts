export * from './job-keys';
export * from './job-store';
export * from './new-job-record';
export * from './queue-settings';
export * from './queues';
export * from './record-fields';
export * from './redis-connection';
export * from './lua-script';
