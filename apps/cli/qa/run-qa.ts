import type { QaProgress } from './qa-progress';
import type { QaResults } from './qa-results';
import type { Answerer, QaTask } from './qa-task';

export interface QaRunSummary {
  readonly total: number;
  /** Completed by an earlier run. */
  readonly skipped: number;
  readonly completed: number;
  readonly failed: number;
  /** Stopped by the signal: questions left unanswered are asked by the next run. */
  readonly interrupted: boolean;
}

/**
 * Answers every question the results file does not hold as completed, `answerer.concurrency` at a time,
 * appending each result as it comes. When `signal` aborts, no new question starts and the ones in
 * flight are dropped without a line, to be asked again by the next run.
 */
export async function runQa(tasks: readonly QaTask[], results: QaResults, answerer: Answerer, progress: QaProgress, signal: AbortSignal): Promise<QaRunSummary> {
  const pending = tasks.filter((task) => !results.isCompleted(task));
  let completed = 0;
  let failed = 0;
  let next = 0;
  progress.start(tasks.length, tasks.length - pending.length);
  const lane = async () => {
    while (!signal.aborted && next < pending.length) {
      const task = pending[next++];
      const started = performance.now();
      const line = { id: task.id, question: task.question, mode: answerer.mode };
      try {
        const answer = await answerer.answer(task, results.failedBefore(task), signal);
        results.append({ ...line, status: 'completed', ...answer, finishedAt: new Date().toISOString(), wallMs: performance.now() - started });
        completed++;
        progress.advance(false);
      } catch (err) {
        if (signal.aborted) return;
        results.append({ ...line, status: 'failed', error: (err as Error).message, finishedAt: new Date().toISOString(), wallMs: performance.now() - started });
        failed++;
        progress.advance(true);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(answerer.concurrency, pending.length) }, lane));
  } finally {
    progress.stop();
  }
  return { total: tasks.length, skipped: tasks.length - pending.length, completed, failed, interrupted: signal.aborted && completed + failed < pending.length };
}
