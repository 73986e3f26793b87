import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const REPO = resolve(__dirname, '..', '..');

export const APPS = ['gateway', 'prefill-worker', 'decode-worker'] as const;
export type AppName = (typeof APPS)[number];

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO, path), 'utf8');
}

/** A YAML file of the repository; merge keys (`<<: *anchor`) resolved as docker compose does. */
export function readYaml<T>(path: string): T {
  return parse(readRepoFile(path), { merge: true }) as T;
}

export function readYamlDocuments<T>(path: string): T[] {
  return parseAllDocuments(readRepoFile(path)).map((document) => document.toJS() as T);
}

/** docker compose's variable substitution: `${NAME}`, `${NAME:-default}` (also when empty), `${NAME-default}` (only when unset). */
export function interpolate<T>(value: T, env: Record<string, string>): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)(?:(:?-)([^}]*))?\}/g, (_, name: string, op: string | undefined, fallback: string | undefined) => {
      const set = env[name];
      if (op === ':-') return set === undefined || set === '' ? (fallback ?? '') : set;
      if (op === '-') return set === undefined ? (fallback ?? '') : set;
      return set ?? '';
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => interpolate(item, env)) as T;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T;
  return value;
}

/** The compiled entry point of an app, where `npm run build` (tsconfig.build.json) puts it. */
export function compiledEntry(app: AppName): string {
  const { compilerOptions } = JSON.parse(readRepoFile('tsconfig.build.json')) as { compilerOptions: { outDir: string; rootDir: string } };
  expect(compilerOptions.rootDir).toBe('.');
  return `${compilerOptions.outDir}/apps/${app}/src/main.js`;
}

/** Every non-test TypeScript source of apps/ and libs/, for checking that a variable is read somewhere. */
export function sourceText(): string {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'apps', 'libs'], { cwd: REPO, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file.endsWith('.ts') && !/\.(spec|test)\.ts$/.test(file));
  return files.map((file) => readRepoFile(file)).join('\n');
}
