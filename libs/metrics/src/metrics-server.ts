import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What GET /health reports: 200 when `ok`, else 503; `details` are shown as they are. */
export interface HealthReport {
  readonly ok: boolean;
  readonly details: Record<string, unknown>;
}

export interface MetricsServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly registry: Registry;
  readonly health: () => HealthReport | Promise<HealthReport>;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A minimal HTTP endpoint for a process without an HTTP server of its own (the workers): GET /metrics in
 * Prometheus' text format and GET /health for orchestrators' probes. Nothing else is served.
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const reply = async () => {
      if (request.method !== 'GET') return response.writeHead(405, { Allow: 'GET' }).end();
      if (path === '/metrics') {
        const text = await options.registry.metrics();
        return response.writeHead(200, { 'Content-Type': options.registry.contentType }).end(text);
      }
      if (path === '/health') {
        const report = await options.health();
        const body = JSON.stringify({ status: report.ok ? 'ok' : 'error', ...report.details });
        return response.writeHead(report.ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(body);
      }
      return response.writeHead(404, { 'Content-Type': 'text/plain' }).end('GET /metrics or /health\n');
    };
    reply().catch((err: Error) => response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
