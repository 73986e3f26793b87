export * from './local-redis';
export * from './redis-server-binary';
export { freePort } from './tcp';
