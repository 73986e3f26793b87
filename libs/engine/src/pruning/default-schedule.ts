import type { PruningSchedule } from './pruning-schedule';

/** Provisional until the bench:lazyllm sweep picks it. */
export const DEFAULT_LAZY_SCHEDULE: PruningSchedule = { layers: [8, 16, 24], percentiles: [30, 50, 50] };
