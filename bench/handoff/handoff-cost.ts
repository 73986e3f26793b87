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
  /** Timed runs per schedule, each a prefill and then a handoff per precision. */
  readonly runs: number;
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
  /** Median; `ttftRunsMs` holds every run. */
  readonly ttftMs: number;
  readonly ttftRunsMs: readonly number[];
  /** Medians per phase; `runsMs` holds every timed run. */
  readonly phaseMs: Record<HandoffPhase, number>;
  readonly runsMs: Record<HandoffPhase, number[]>;
  /** Sum of the phase medians. */
  readonly handoffMs: number;
  /** Median over the runs of each run's handoff over the same run's TTFT. */
  readonly shareOfTtft: number;
  readonly shareRuns: readonly number[];
  /** Store and load with the Redis server's persistence off (PersistenceSwitch). */
  readonly withoutPersistence?: TransferTimes;
}

type PhaseTimes = Record<HandoffPhase, number>;

/**
 * Per schedule, `runs` times: a prefill of the prompt (TTFT: prefill plus the first token), then its
 * state handed over the way the workers do, once per KV precision: serialize, store and load through the
 * StateStore, resume (which verifies the checksum and the state's invariants). Each handoff is set
 * against the TTFT of its own run, so that a change in the machine's load moves both. Every handoff
 * checks that the loaded bytes are the stored ones and that the resumed state serializes back to the
 * same bytes. With a PersistenceSwitch, store and load are then timed once more with persistence off.
 */
export async function measureHandoffCost(model: LlamaModel, store: StateStore, plan: HandoffCostPlan, log: (line: string) => void): Promise<HandoffCost[]> {
  const costs: HandoffCost[] = [];
  for (const { name, schedule } of plan.schedules) {
    const ttftRunsMs: number[] = [];
    const handoffs = new Map<KvPrecision, PhaseTimes[]>(plan.precisions.map((p) => [p, []]));
    let generation: Generation | undefined;
    for (let run = 0; run < plan.runs; run++) {
      generation = await Generation.start(model, [...plan.prompt], { maxTokens: 2, schedule });
      ttftRunsMs.push(generation.timings.prefillMs);
      // The first handoff of each precision is a warm-up: it pays for code not yet compiled.
      if (run === 0) for (const kvPrecision of plan.precisions) await timeHandoff(model, store, generation, kvPrecision);
      for (const kvPrecision of plan.precisions) handoffs.get(kvPrecision)?.push(await timeHandoff(model, store, generation, kvPrecision));
      log(`${name} schedule, run ${run + 1} of ${plan.runs}: TTFT ${generation.timings.prefillMs.toFixed(0)} ms`);
    }
    if (!generation) throw new RangeError('runs must be at least 1');
    const unpersisted = new Map<KvPrecision, TransferTimes>();
    if (plan.persistence) {
      await plan.persistence.disable();
      for (const kvPrecision of plan.precisions) unpersisted.set(kvPrecision, await timeTransfers(store, serializeGeneration(generation, { kvPrecision }), plan.runs));
      await plan.persistence.enable();
    }
    for (const [kvPrecision, runs] of handoffs) {
      const runsMs = Object.fromEntries(HANDOFF_PHASES.map((p) => [p, runs.map((r) => r[p])])) as Record<HandoffPhase, number[]>;
      const phaseMs = Object.fromEntries(HANDOFF_PHASES.map((p) => [p, median(runsMs[p])])) as PhaseTimes;
      const shareRuns = runs.map((r, i) => total(r) / ttftRunsMs[i]);
      const bytes = serializeGeneration(generation, { kvPrecision }).length;
      const withoutPersistence = unpersisted.get(kvPrecision);
      const cost: HandoffCost = {
        schedule: name,
        kvPrecision,
        promptTokens: plan.prompt.length,
        computedShare: generation.state.computedShare,
        auxEntries: generation.state.aux.size,
        bytes,
        bytesPerPromptToken: bytes / plan.prompt.length,
        ttftMs: median(ttftRunsMs),
        ttftRunsMs,
        phaseMs,
        runsMs,
        handoffMs: total(phaseMs),
        shareOfTtft: median(shareRuns),
        shareRuns,
        ...(withoutPersistence && { withoutPersistence }),
      };
      costs.push(cost);
      log(`${name} schedule, ${kvPrecision}: ${(bytes / 2 ** 20).toFixed(1)} MiB, handoff ${cost.handoffMs.toFixed(0)} ms, ${(100 * cost.shareOfTtft).toFixed(1)}% of TTFT`);
    }
  }
  return costs;
}

const total = (t: PhaseTimes) => HANDOFF_PHASES.reduce((sum, p) => sum + t[p], 0);

async function timeHandoff(model: LlamaModel, store: StateStore, generation: Generation, kvPrecision: KvPrecision): Promise<PhaseTimes> {
  const times: PhaseTimes = { serialize: 0, store: 0, load: 0, resume: 0 };
  const timed = async <T>(phase: HandoffPhase, step: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await step();
    times[phase] = performance.now() - t0;
    return result;
  };
  const bytes = await timed('serialize', () => serializeGeneration(generation, { kvPrecision }));
  const stateRef = await timed('store', () => store.save('bench-handoff', 1, bytes));
  const loaded = await timed('load', () => store.load(stateRef));
  const resumed = await timed('resume', () => resumeGeneration(model, loaded));
  await store.delete(stateRef);
  if (!sameBytes(loaded, bytes)) throw new Error(`the ${kvPrecision} state loaded from Redis differs from the one stored`);
  if (!sameBytes(serializeGeneration(resumed, { kvPrecision }), bytes)) throw new Error(`the resumed ${kvPrecision} state does not serialize back to the same bytes`);
  return times;
}

/** Store and load alone, each run under fresh keys deleted afterwards, after one untimed run. */
async function timeTransfers(store: StateStore, bytes: Uint8Array, runs: number): Promise<TransferTimes> {
  const runsMs = { store: [] as number[], load: [] as number[] };
  for (let run = -1; run < runs; run++) {
    let t0 = performance.now();
    const stateRef = await store.save('bench-transfer', 1, bytes);
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}
