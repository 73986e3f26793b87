export * from './local-redis';
export * from './redis-server-binary';
