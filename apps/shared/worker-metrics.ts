import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { serveMetrics, type MetricsServer, type ServiceMetrics } from '@lazyllm/metrics';
import { ConfigurationError } from './configuration-error';
import type { WorkerSettings } from './worker-settings';

/**
 * GET /metrics and GET /health on METRICS_PORT, when it is set: a worker has no HTTP server of its own.
 * It starts once every provider is up, the model included, so a healthy answer means a loaded model
 * and a Redis connection that is ready.
 */
export class WorkerMetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: MetricsServer | undefined;

  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly redisStatus: () => string,
    private readonly settings: WorkerSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { metricsPort: port, pool, engine } = this.settings;
    if (port === undefined) return;
    const health = () => {
      const redis = this.redisStatus();
      return { ok: redis === 'ready', details: { pool, modelLoaded: true, model: engine.modelPath, redis } };
    };
    try {
      this.server = await serveMetrics({ port, registry: this.metrics.registry, health });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigurationError(`METRICS_PORT ${port} is taken; set METRICS_PORT to a free port`);
      throw err;
    }
    new Logger('WorkerMetrics').log(`serving /metrics and /health on port ${this.server.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
