import { argmax, GenerationState, LlamaModel, NO_PRUNING, PruningSchedule, runLazyStep, Tokenizer, validateSchedule } from '../../libs/engine/src';
import { answerEnd, MAX_ANSWER_TOKENS } from './answer-run';
import { mean } from '../lib/stats';
import { klDivergence, logSoftmax } from './divergence';

/** The no-drop run a pruned one is measured against: its greedy answer and its distribution at every answer position. */
export interface ReferenceRun {
  /** The token no-drop chose at each position: the answer's tokens, then the end-of-generation token if it stopped on one. */
  readonly targets: number[];
  readonly logProbs: Float64Array[];
}

/** How close a pruned run stays to no-drop, teacher-forced on no-drop's answer so every position compares like with like. */
export interface Fidelity {
  /** KL(no-drop || pruned) of the first answer token's distribution: the prefill's own output. */
  readonly firstTokenKl: number;
  /** The same, averaged over the answer's positions. */
  readonly meanKl: number;
  /** Share of the answer's positions where the pruned run's greedy choice is no-drop's token. */
  readonly top1Agreement: number;
  /** Mean negative log-likelihood of no-drop's answer tokens (nats per token). */
  readonly meanNll: number;
  readonly prefillShare: number;
}

/** Greedy no-drop answer with the same stopping rule as the accuracy benchmark (answer-run.ts). */
export async function referenceRun(model: LlamaModel, tokenizer: Tokenizer, prompt: number[]): Promise<ReferenceRun> {
  const state = GenerationState.forModel(model.config, NO_PRUNING);
  const decoder = tokenizer.createStreamDecoder({ skipSpecial: true });
  const targets: number[] = [];
  const logProbs: Float64Array[] = [];
  let step = await runLazyStep(model, state, prompt);
  let text = '';
  for (;;) {
    const next = argmax(step.logits);
    targets.push(next);
    logProbs.push(logSoftmax(step.logits));
    if (tokenizer.endOfGenerationIds.includes(next) || targets.length >= MAX_ANSWER_TOKENS) break;
    text += decoder.push(next);
    if (answerEnd(text) !== undefined) break;
    step = await runLazyStep(model, state, [next]);
  }
  return { targets, logProbs };
}

/** No-drop measured against itself: no divergence, its own likelihood. */
export function referenceFidelity(reference: ReferenceRun): Fidelity {
  const nll = reference.targets.map((t, i) => -reference.logProbs[i][t]);
  return { firstTokenKl: 0, meanKl: 0, top1Agreement: 1, meanNll: mean(nll), prefillShare: 1 };
}

/** Runs the prompt under `schedule`, then feeds no-drop's answer one decode step at a time, pruning as generation would. */
export async function fidelityRun(model: LlamaModel, prompt: number[], reference: ReferenceRun, schedule: PruningSchedule): Promise<Fidelity> {
  const state = GenerationState.forModel(model.config, validateSchedule(schedule, model.config.layerCount));
  let step = await runLazyStep(model, state, prompt);
  const prefillShare = state.computedShare;
  const kl: number[] = [];
  const nll: number[] = [];
  let agree = 0;
  for (let i = 0; i < reference.targets.length; i++) {
    if (i > 0) step = await runLazyStep(model, state, [reference.targets[i - 1]]);
    const target = reference.targets[i];
    const logProbs = logSoftmax(step.logits);
    kl.push(klDivergence(reference.logProbs[i], logProbs));
    nll.push(-logProbs[target]);
    if (argmax(step.logits) === target) agree++;
  }
  return { firstTokenKl: kl[0], meanKl: mean(kl), top1Agreement: agree / kl.length, meanNll: mean(nll), prefillShare };
}
