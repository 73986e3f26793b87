import { ChildProcess, spawn } from 'node:child_process';

/**
 * One app of the service in a child process (a compiled entry, or a TypeScript one through tsx), with
 * its output kept, for tests and the soak run that stop it gently (SIGTERM) or kill it (SIGKILL).
 */
export class ServiceProcess {
  readonly output: string[] = [];
  /** The exit code, or null when a signal ended it. */
  readonly exited: Promise<number | null>;
  private running = true;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      // Long runs log a line per job: keep the recent ones, which explain a failure.
      if (this.output.length > 5000) this.output.splice(0, this.output.length - 5000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.running = false;
        resolve(code);
      }),
    );
  }

  /** Starts `entry` (`.ts` runs through tsx) and waits for a line matching `ready`; fails with its output if it exits or takes too long. */
  static async start(name: string, entry: string, env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 90_000): Promise<ServiceProcess> {
    const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry];
    const app = new ServiceProcess(name, spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const deadline = Date.now() + timeoutMs;
    while (!app.output.some((line) => ready.test(line))) {
      if (!app.running || Date.now() > deadline) {
        app.child.kill('SIGKILL');
        throw new Error(`${name} (${entry}) did not get ready:\n${app.output.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return app;
  }

  get alive(): boolean {
    return this.running;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL: the process dies at once, holding whatever job it had. */
  kill(): Promise<number | null> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, as a deployment stops a process; resolves with the exit code. */
  stop(): Promise<number | null> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exited;
  }
}
