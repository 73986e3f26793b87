import { relative } from 'node:path';

/** The command as one would type it again: under `npm run`, argv only shows tsx's internals. */
export function commandLine(): string {
  const args = process.argv.slice(2);
  const script = process.env.npm_lifecycle_event;
  if (script) return ['npm run', script, ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  return ['tsx', relative(process.cwd(), process.argv[1]), ...args].join(' ');
}
