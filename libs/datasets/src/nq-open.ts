import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { dataDir } from './data-dir';

export interface NqContext {
  readonly title: string;
  readonly text: string;
}

export interface NqRecord {
  readonly question: string;
  readonly answers: string[];
  /** ctxs[0] is the gold passage. */
  readonly ctxs: NqContext[];
}

let cache: NqRecord[] | undefined;

/** The 1,200 NQ-open dev questions with their gold passages (Liu et al., "Lost in the Middle"). */
export function nqOpenRecords(): NqRecord[] {
  if (!cache) {
    const text = gunzipSync(readFileSync(join(dataDir(), 'nq-open', 'dev.jsonl.gz'))).toString('utf8');
    cache = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as NqRecord);
  }
  return cache;
}

/** `count` long passages of real text, each `perPassage` consecutive gold contexts joined by blank lines. */
export function nqPassages(count: number, perPassage: number): string[] {
  const contexts = nqOpenRecords().map((r) => r.ctxs[0].text);
  return Array.from({ length: count }, (_, i) => contexts.slice(i * perPassage, (i + 1) * perPassage).join('\n\n'));
}
