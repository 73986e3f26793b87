import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const COLOURS = [36, 35, 33, 32, 34];

/** A child process whose output lines are printed with its name in front, as `npm start` shows them. */
export class LabelledProcess {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private running = true;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    colourIndex: number,
  ) {
    // Its own process group: a Ctrl-C in the terminal reaches this script alone, which then stops the children in order.
    this.child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const label = process.stdout.isTTY ? `\x1b[${COLOURS[colourIndex % COLOURS.length]}m[${name}]\x1b[0m` : `[${name}]`;
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => console.log(`${label} ${line}`));
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.running = false;
        resolve(code);
      }),
    );
  }

  /** SIGTERM (the apps finish their current work and close), and SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    const kill = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(kill);
  }
}
