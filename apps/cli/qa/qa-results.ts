import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { QaAnswer, QaTask } from './qa-task';

/** One line of the results file. */
export type QaResultLine = {
  readonly id: string;
  readonly question: string;
  readonly mode: 'gateway' | 'local';
  readonly finishedAt: string;
  /** Wall time of this question as the CLI saw it, queueing included. */
  readonly wallMs: number;
} & ({ readonly status: 'completed' } & QaAnswer | { readonly status: 'failed'; readonly error: string });

/**
 * The results file, JSON lines, appended one line per answered question as soon as it is answered, so
 * an interrupted run loses nothing it finished. A completed question is not asked again; a failed one
 * is, and its new line follows the old (readers take the last line of an id).
 */
export class QaResults {
  private readonly completed = new Set<string>();
  private readonly failures = new Map<string, number>();
  /** The file ends in a line cut short (a run killed mid-write): the next line must start on a line of its own. */
  private endsMidLine = false;

  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const content = readFileSync(path, 'utf8');
    this.endsMidLine = content !== '' && !content.endsWith('\n');
    for (const text of content.split('\n')) {
      if (text.trim() === '') continue;
      let line: Partial<QaResultLine>;
      try {
        line = JSON.parse(text) as Partial<QaResultLine>;
      } catch {
        // A line cut short when a run was killed mid-write: its question is asked again.
        continue;
      }
      if (line.id === undefined) continue;
      if (line.status === 'completed') this.completed.add(line.id);
      else this.failures.set(line.id, (this.failures.get(line.id) ?? 0) + 1);
    }
  }

  isCompleted(task: Pick<QaTask, 'id'>): boolean {
    return this.completed.has(task.id);
  }

  /** Earlier failed runs of the question. */
  failedBefore(task: Pick<QaTask, 'id'>): number {
    return this.failures.get(task.id) ?? 0;
  }

  append(line: QaResultLine): void {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${this.endsMidLine ? '\n' : ''}${JSON.stringify(line)}\n`);
    this.endsMidLine = false;
    if (line.status === 'completed') this.completed.add(line.id);
    else this.failures.set(line.id, this.failedBefore(line) + 1);
  }
}
