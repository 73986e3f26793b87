export { clonePrefixState, computePrefix, firstPruningLayer, leadingTokens, PrefixScheduleError } from './prefix-state';
export { restorePrefix, serializePrefix } from './prefix-codec';
