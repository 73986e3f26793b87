import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRedis, startLocalRedis } from '@lazyllm/redis-server';

/** A redis-server (append-only file on) that can be restarted on its port and data directory, as after a crash or an upgrade. */
export class RestartableRedis {
  private constructor(
    private server: LocalRedis,
    private readonly dataRoot: string,
  ) {}

  static async start(): Promise<RestartableRedis> {
    const dataRoot = mkdtempSync(join(tmpdir(), 'lazyllm-redis-'));
    return new RestartableRedis(await startLocalRedis({ dataRoot }), dataRoot);
  }

  get url(): string {
    return this.server.url;
  }

  /** Stops the server (it writes its append-only file first), stays down for `downMs`, and starts it again from that file. */
  async restart(downMs = 1000): Promise<void> {
    await this.server.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.server = await startLocalRedis({ dataRoot: this.dataRoot, port: this.server.port });
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}
