import { containsGoldAnswer } from './answer-match';
import type { NqContext, NqRecord } from './nq-open';
import { SeededRandom } from './seeded-random';

/** One multi-document question: the gold passage among distractors, at a seeded position. */
export interface MultiDocQaExample {
  /** Index of the question in the NQ-open records. */
  readonly questionIndex: number;
  readonly question: string;
  readonly answers: readonly string[];
  readonly documents: readonly NqContext[];
  /** Position of the gold passage in `documents` (0-based). */
  readonly goldPosition: number;
  /** Record indices the distractors come from, in document order. */
  readonly distractorSources: readonly number[];
}

export interface MultiDocQaOptions {
  /** Documents in the prompt, the gold one included. */
  readonly documents: number;
  readonly seed: number;
}

/**
 * Builds the example for `records[questionIndex]`: N - 1 distractors are the gold passages of other
 * questions, drawn without replacement, skipping any that contains one of this question's answers (it
 * would be a second gold passage); the gold passage goes to a uniform position. The draw depends only
 * on (seed, question, N), so one question's prompt is the same whichever other questions a run holds.
 */
export function buildMultiDocQa(records: readonly NqRecord[], questionIndex: number, opts: MultiDocQaOptions): MultiDocQaExample {
  const { documents: n, seed } = opts;
  const record = records[questionIndex];
  if (!record) throw new RangeError(`question ${questionIndex} is outside the ${records.length} records`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`documents ${n} must be an integer >= 1`);
  const rng = new SeededRandom(seed, questionIndex, n);
  const sources: number[] = [];
  const tried = new Set<number>([questionIndex]);
  while (sources.length < n - 1) {
    if (tried.size === records.length) throw new RangeError(`only ${sources.length} usable distractors for question ${questionIndex}, ${n - 1} needed`);
    const j = rng.below(records.length);
    if (tried.has(j)) continue;
    tried.add(j);
    const passage = records[j].ctxs[0];
    if (!containsGoldAnswer(`${passage.title} ${passage.text}`, record.answers)) sources.push(j);
  }
  const goldPosition = rng.below(n);
  const distractors = sources.map((j) => contextOf(records[j].ctxs[0]));
  return {
    questionIndex,
    question: record.question,
    answers: record.answers,
    documents: [...distractors.slice(0, goldPosition), contextOf(record.ctxs[0]), ...distractors.slice(goldPosition)],
    goldPosition,
    distractorSources: sources,
  };
}

/** Only the fields a prompt shows (the records also carry flags such as hasanswer). */
function contextOf(c: NqContext): NqContext {
  return { title: c.title, text: c.text };
}
