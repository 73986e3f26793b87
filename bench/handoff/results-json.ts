import type { HandoffSettings } from '../../libs/handoff/src';
import type { MachineInfo } from '../lib/machine';
import type { CompactAccuracy } from './compact-accuracy';
import type { HandoffCost } from './handoff-cost';
import type { HandoffBenchOptions } from './options';
import { BurstFigures, jobsPerMinute, ratioInRound } from './pool-throughput';

export interface HandoffResultsInput {
  readonly date: Date;
  readonly command: string;
  readonly argv: readonly string[];
  readonly options: HandoffBenchOptions;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly modelPath: string;
  readonly targetShare: number;
  readonly handoffSettings: HandoffSettings;
  readonly cost?: { readonly promptSource: string; readonly redisVersion: string; readonly threads: number; readonly states: readonly HandoffCost[] };
  readonly accuracy?: { readonly promptSource: string; readonly threads: number; readonly result: CompactAccuracy };
  readonly throughput?: { readonly promptSource: string; readonly request: Record<string, unknown>; readonly workerThreads: number; readonly bursts: readonly BurstFigures[] };
}

/** bench/results/handoff.json: every figure, raw runs included, with the protocol, the machine and the command. */
export function handoffResultsJson(input: HandoffResultsInput): unknown {
  const { cost, accuracy, throughput } = input;
  const compact = cost?.states.filter((s) => s.kvPrecision === 'f16') ?? [];
  const sizes = [...new Set(throughput?.bursts.map((b) => b.prefillWorkers) ?? [])].sort((a, b) => a - b);
  return {
    benchmark: 'handoff',
    date: input.date.toISOString(),
    command: input.command,
    argv: input.argv,
    options: input.options,
    model: input.modelPath,
    machine: {
      ...input.machine,
      loadAverageAtEnd: input.loadAverageAtEnd,
      note: 'shared with other benchmarks running at the same time: absolute times vary from run to run; compare figures within this run',
    },
    ...(cost && {
      cost: {
        prompt: cost.promptSource,
        threads: cost.threads,
        redis: { version: cost.redisVersion, startedAs: 'startTestRedis (tests/support/redis.ts): local redis-server, appendonly yes, appendfsync everysec' },
        handoffSettings: input.handoffSettings,
        protocol: {
          runs: `${input.options.repeats} per schedule: a prefill, then one handoff of its state per KV precision (one untimed handoff per precision first)`,
          ttft: 'prefill + first token (Generation timings.prefillMs)',
          phases: 'serialize = serializeGeneration; store = RedisStateStore.save; load = RedisStateStore.load; resume = resumeGeneration (checksum, model and invariant checks, copy into the KV stores)',
          statistic: 'medians over the runs; handoffMs = sum of the phase medians; shareOfTtft = median over the runs of (that run\'s handoff / that run\'s TTFT)',
          checks: 'each handoff: loaded bytes = stored bytes, resumed state serializes back to the same bytes',
          withoutPersistence: 'store and load timed again (same number of runs, medians) after CONFIG SET appendonly no; appendonly yes restored afterwards',
        },
        target: { handoffShareOfTtftAtMost: input.targetShare, mode: 'compact (f16 K/V)' },
        states: cost.states,
        compactMeetsTarget: compact.length > 0 && compact.every((s) => s.shareOfTtft <= input.targetShare),
      },
    }),
    ...(accuracy && {
      accuracy: {
        prompts: accuracy.promptSource,
        threads: accuracy.threads,
        protocol:
          'one LazyLLM prefill per question, then the state continued greedily three ways: in process, resumed from the lossless state, resumed from the compact state; ' +
          'sampled tokens compared, the stop token included; ranks are 1-based among the logits of the step where the answers first differ',
        summary: {
          compared: accuracy.result.comparisons.length,
          identical: accuracy.result.comparisons.filter((c) => c.identical).length,
          losslessMatchesUninterrupted: accuracy.result.comparisons.filter((c) => c.losslessMatchesUninterrupted).length,
          goldLossless: accuracy.result.comparisons.filter((c) => c.losslessGold).length,
          goldCompact: accuracy.result.comparisons.filter((c) => c.compactGold).length,
        },
        ...accuracy.result,
      },
    }),
    ...(throughput && {
      throughput: {
        prompts: throughput.promptSource,
        request: throughput.request,
        workerThreads: throughput.workerThreads,
        protocol: 'separate processes (redis-server, gateway, workers from the compiled apps, prefix cache off); per round one burst per prefill pool size, back to back, odd rounds in reverse order; warm-up jobs first, then the whole burst POSTed at once; makespan = first createdAt to last updatedAt of the burst; ratio = jobs/min over the 1-prefill burst of the same round',
        bursts: throughput.bursts,
        jobsPerMinute: Object.fromEntries(sizes.map((n) => [`${n} prefill`, jobsPerMinute(throughput.bursts, n)])),
        pooledRatio: sizes.length === 2 ? jobsPerMinute(throughput.bursts, sizes[1]) / jobsPerMinute(throughput.bursts, sizes[0]) : null,
        ratioPerRound: throughput.bursts.filter((b) => b.prefillWorkers !== sizes[0]).map((b) => ({ round: b.round, prefillWorkers: b.prefillWorkers, ratio: ratioInRound(throughput.bursts, b) })),
      },
    }),
  };
}
