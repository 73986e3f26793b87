import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { QaDocument } from '@lazyllm/contracts';
import { ConfigurationError } from '../../shared/configuration-error';
import type { QaTask } from './qa-task';

const TEXT_FILES = new Set(['.txt', '.md']);

/** Non-empty lines of a JSON-lines file, each parsed, with its line number for messages. */
function jsonLines(path: string): { line: number; value: unknown }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter(({ text }) => text !== '')
    .map(({ text, line }) => {
      try {
        return { line, value: JSON.parse(text) as unknown };
      } catch {
        throw new ConfigurationError(`${path}:${line}: not valid JSON`);
      }
    });
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * The documents: every .txt and .md file of a folder (titled by file name, in name order), or a JSON-lines
 * file of `{"title"?: string, "text": string}`.
 */
export function readDocuments(path: string): QaDocument[] {
  if (statSync(path, { throwIfNoEntry: false }) === undefined) throw new ConfigurationError(`documents not found: ${path}`);
  if (statSync(path).isDirectory()) {
    const files = readdirSync(path).filter((name) => TEXT_FILES.has(extname(name).toLowerCase())).sort();
    if (files.length === 0) throw new ConfigurationError(`no .txt or .md files in ${path}`);
    return files.map((name) => ({ title: name.slice(0, -extname(name).length), text: readFileSync(join(path, name), 'utf8').trim() }));
  }
  return jsonLines(path).map(({ line, value }) => {
    const text = field(value, 'text');
    const title = field(value, 'title');
    if (typeof text !== 'string' || text.trim() === '') throw new ConfigurationError(`${path}:${line}: "text" must be a non-empty string`);
    if (title !== undefined && typeof title !== 'string') throw new ConfigurationError(`${path}:${line}: "title" must be a string`);
    return title === undefined ? { text } : { title, text };
  });
}

/**
 * The questions, from a JSON-lines file of `{"id"?: string, "question": string, "documents"?: string[]}`:
 * `documents` names the titles to answer from (default: all). A question without an id is named by its
 * line, `line-<n>`, so keep lines in place when resuming.
 */
export function readQuestions(path: string, documents: readonly QaDocument[]): QaTask[] {
  if (statSync(path, { throwIfNoEntry: false }) === undefined) throw new ConfigurationError(`questions not found: ${path}`);
  const byTitle = new Map(documents.flatMap((d) => (d.title === undefined ? [] : [[d.title, d] as const])));
  const seen = new Set<string>();
  return jsonLines(path).map(({ line, value }) => {
    const where = `${path}:${line}`;
    const question = field(value, 'question');
    const id = field(value, 'id') ?? `line-${line}`;
    const titles = field(value, 'documents');
    if (typeof question !== 'string' || question.trim() === '') throw new ConfigurationError(`${where}: "question" must be a non-empty string`);
    if (typeof id !== 'string' || id === '') throw new ConfigurationError(`${where}: "id" must be a non-empty string`);
    if (seen.has(id)) throw new ConfigurationError(`${where}: id "${id}" is used twice`);
    seen.add(id);
    if (titles === undefined) return { id, question, documents };
    if (!Array.isArray(titles) || titles.length === 0) throw new ConfigurationError(`${where}: "documents" must be a list of document titles`);
    return {
      id,
      question,
      documents: titles.map((title) => {
        const document = typeof title === 'string' ? byTitle.get(title) : undefined;
        if (document === undefined) throw new ConfigurationError(`${where}: no document titled ${JSON.stringify(title)}`);
        return document;
      }),
    };
  });
}
