import { relative } from 'node:path';

/** The command as one would type it again: under `npm run`, argv only shows tsx's internals. */
export function commandLine(): string {
  const args = process.argv.slice(2);
  const script = process.env.npm_lifecycle_event;
  if (script) return ['npm run', script, ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  return ['tsx', relative(process.cwd(), process.argv[1]), ...args].join(' ');
}

/** Progress lines on stderr, stamped with the benchmark's name and the time of day. */
export function benchLog(name: string): (line: string) => void {
  return (line) => process.stderr.write(`[${name} ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** A whole-number option of at least `min`, or an error naming the option and what it got. */
export function integerOption(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${value}`);
  return n;
}
