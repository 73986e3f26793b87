import type { StateStore } from '../../libs/handoff/src';
import { Generation, KvPrecision, LlamaModel, PruningSchedule, resumeGeneration, serializeGeneration } from '../../libs/engine/src';
import { median } from '../lib/stats';

/** The four steps of a handoff, in the order a job goes through them. */
export const HANDOFF_PHASES = ['serialize', 'store', 'load', 'resume'] as const;
export type HandoffPhase = (typeof HANDOFF_PHASES)[number];

export interface NamedSchedule {
  readonly name: string;
  readonly schedule: PruningSchedule;
}

/** Turns the Redis server's persistence off and on again, to time the transfer without it. */
export interface PersistenceSwitch {
  readonly description: string;
  disable(): Promise<void>;
  enable(): Promise<void>;
}

export interface HandoffCostPlan {
  readonly prompt: readonly number[];
  readonly schedules: readonly NamedSchedule[];
  readonly precisions: readonly KvPrecision[];
  /** Timed prefills per schedule; TTFT is their median. */
  readonly ttftRuns: number;
  /** Timed handoffs per state, after one untimed. */
  readonly repeats: number;
  /** When given, store and load are timed again with persistence off, after the main figures. */
  readonly persistence?: PersistenceSwitch;
}

export interface TransferTimes {
  /** Medians; `runsMs` holds every timed run. */
  readonly storeMs: number;
  readonly loadMs: number;
  readonly runsMs: { readonly store: number[]; readonly load: number[] };
}

export interface HandoffCost {
  readonly schedule: string;
  readonly kvPrecision: KvPrecision;
  readonly promptTokens: number;
  readonly computedShare: number;
  readonly auxEntries: number;
  readonly bytes: number;
  readonly bytesPerPromptToken: number;
  readonly ttftMs: number;
  readonly ttftRunsMs: readonly number[];
  /** Medians per phase; `runsMs` holds every timed run. */
  readonly phaseMs: Record<HandoffPhase, number>;
  readonly runsMs: Record<HandoffPhase, number[]>;
  /** Sum of the phase medians. */
  readonly handoffMs: number;
  readonly shareOfTtft: number;
  /** Store and load with the Redis server's persistence off (PersistenceSwitch). */
  readonly withoutPersistence?: TransferTimes;
}

/**
 * Prefills the prompt with each schedule (TTFT: prefill plus the first token), then hands the state over
 * the way the workers do, once per KV precision: serialize, store and load through the StateStore, then
 * resume (which verifies the checksum and the state's invariants). Every run checks that the loaded bytes
 * are the stored ones and that the resumed state serializes back to the same bytes. With a
 * PersistenceSwitch, store and load are then timed once more with the server's persistence off.
 */
export async function measureHandoffCost(model: LlamaModel, store: StateStore, plan: HandoffCostPlan, log: (line: string) => void): Promise<HandoffCost[]> {
  const costs: HandoffCost[] = [];
  for (const { name, schedule } of plan.schedules) {
    const ttftRunsMs: number[] = [];
    let generation: Generation | undefined;
    for (let run = 0; run < plan.ttftRuns; run++) {
      generation = await Generation.start(model, [...plan.prompt], { maxTokens: 2, schedule });
      ttftRunsMs.push(generation.timings.prefillMs);
      log(`${name} schedule: prefill of ${plan.prompt.length} tokens in ${generation.timings.prefillMs.toFixed(0)} ms`);
    }
    if (!generation) throw new RangeError('ttftRuns must be at least 1');
    const ttftMs = median(ttftRunsMs);
    const timed: { kvPrecision: KvPrecision; runsMs: Record<HandoffPhase, number[]> }[] = [];
    for (const kvPrecision of plan.precisions) timed.push({ kvPrecision, runsMs: await timeHandoffs(model, store, generation, kvPrecision, plan.repeats) });
    const unpersisted = new Map<KvPrecision, TransferTimes>();
    if (plan.persistence) {
      await plan.persistence.disable();
      for (const kvPrecision of plan.precisions) unpersisted.set(kvPrecision, await timeTransfers(store, serializeGeneration(generation, { kvPrecision }), plan.repeats));
      await plan.persistence.enable();
    }
    for (const { kvPrecision, runsMs } of timed) {
      const phaseMs = Object.fromEntries(HANDOFF_PHASES.map((p) => [p, median(runsMs[p])])) as Record<HandoffPhase, number>;
      const handoffMs = HANDOFF_PHASES.reduce((sum, p) => sum + phaseMs[p], 0);
      const bytes = serializeGeneration(generation, { kvPrecision }).length;
      const withoutPersistence = unpersisted.get(kvPrecision);
      costs.push({
        schedule: name,
        kvPrecision,
        promptTokens: plan.prompt.length,
        computedShare: generation.state.computedShare,
        auxEntries: generation.state.aux.size,
        bytes,
        bytesPerPromptToken: bytes / plan.prompt.length,
        ttftMs,
        ttftRunsMs,
        phaseMs,
        runsMs,
        handoffMs,
        shareOfTtft: handoffMs / ttftMs,
        ...(withoutPersistence && { withoutPersistence }),
      });
      log(`${name} schedule, ${kvPrecision}: ${(bytes / 2 ** 20).toFixed(1)} MiB, handoff ${handoffMs.toFixed(0)} ms = ${((100 * handoffMs) / ttftMs).toFixed(1)}% of TTFT`);
    }
  }
  return costs;
}

async function timeHandoffs(model: LlamaModel, store: StateStore, generation: Generation, kvPrecision: KvPrecision, repeats: number): Promise<Record<HandoffPhase, number[]>> {
  const runsMs: Record<HandoffPhase, number[]> = { serialize: [], store: [], load: [], resume: [] };
  for (let run = -1; run < repeats; run++) {
    const times: Record<HandoffPhase, number> = { serialize: 0, store: 0, load: 0, resume: 0 };
    const timed = async <T>(phase: HandoffPhase, step: () => T | Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const result = await step();
      times[phase] = performance.now() - t0;
      return result;
    };
    const bytes = await timed('serialize', () => serializeGeneration(generation, { kvPrecision }));
    const stateRef = await timed('store', () => store.save('bench-handoff', run + 2, bytes));
    const loaded = await timed('load', () => store.load(stateRef));
    const resumed = await timed('resume', () => resumeGeneration(model, loaded));
    await store.delete(stateRef);
    if (!sameBytes(loaded, bytes)) throw new Error(`the ${kvPrecision} state loaded from Redis differs from the one stored`);
    if (!sameBytes(serializeGeneration(resumed, { kvPrecision }), bytes)) throw new Error(`the resumed ${kvPrecision} state does not serialize back to the same bytes`);
    // The first run is a warm-up: it pays for code not yet compiled and connections not yet warm.
    if (run >= 0) for (const phase of HANDOFF_PHASES) runsMs[phase].push(times[phase]);
  }
  return runsMs;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** Store and load alone, each run under fresh keys deleted afterwards. */
async function timeTransfers(store: StateStore, bytes: Uint8Array, repeats: number): Promise<TransferTimes> {
  const runsMs = { store: [] as number[], load: [] as number[] };
  for (let run = -1; run < repeats; run++) {
    let t0 = performance.now();
    const stateRef = await store.save('bench-transfer', run + 2, bytes);
    const storeMs = performance.now() - t0;
    t0 = performance.now();
    const loaded = await store.load(stateRef);
    const loadMs = performance.now() - t0;
    await store.delete(stateRef);
    if (!sameBytes(loaded, bytes)) throw new Error('the state loaded from Redis differs from the one stored');
    if (run >= 0) {
      runsMs.store.push(storeMs);
      runsMs.load.push(loadMs);
    }
  }
  return { storeMs: median(runsMs.store), loadMs: median(runsMs.load), runsMs };
}
