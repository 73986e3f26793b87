import type { JobInput } from '../../libs/contracts/src';
import { buildMultiDocQa, MultiDocQaExample, nqOpenRecords } from '../../libs/datasets/src';

/** A document-QA request as a client sends it, with the question's gold answers to score the reply. */
export interface QaJob {
  readonly example: MultiDocQaExample;
  readonly input: Extract<JobInput, { kind: 'document-qa' }>;
}

export interface QaJobPlan {
  /** NQ-open questions first, first + 1, ... */
  readonly firstQuestion: number;
  readonly count: number;
  /** Passages per prompt, the gold one among distractors ("Lost in the Middle" style). */
  readonly documents: number;
  readonly seed: number;
}

export function documentQaJobs(plan: QaJobPlan): QaJob[] {
  const records = nqOpenRecords();
  return Array.from({ length: plan.count }, (_, i) => {
    const example = buildMultiDocQa(records, plan.firstQuestion + i, { documents: plan.documents, seed: plan.seed });
    const documents = example.documents.map((d) => ({ title: d.title, text: d.text }));
    return { example, input: { kind: 'document-qa', documents, question: example.question } };
  });
}
