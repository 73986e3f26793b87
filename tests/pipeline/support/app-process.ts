import { ChildProcess, spawn } from 'node:child_process';

/** An app run from its TypeScript entry point in a child process (through tsx), as a pool would run it. */
export class AppProcess {
  readonly output: string[] = [];
  private readonly exit: Promise<number | null>;

  private constructor(
    readonly entry: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts `entry` and waits for a line matching `ready`; fails with the app's output if it exits or takes too long. */
  static async start(entry: string, env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 60_000): Promise<AppProcess> {
    const app = new AppProcess(entry, spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void app.exit.then(() => (exited = true));
    while (!app.output.some((line) => ready.test(line))) {
      if (exited || Date.now() > deadline) {
        app.child.kill('SIGKILL');
        throw new Error(`${entry} did not get ready:\n${app.output.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return app;
  }

  /** SIGTERM, as a deployment stops a process; resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exit;
  }
}
