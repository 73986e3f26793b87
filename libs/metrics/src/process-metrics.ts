import { collectDefaultMetrics, Registry } from 'prom-client';
import { ServiceMetrics } from './service-metrics';

/**
 * A registry for one process: prom-client's default process metrics (CPU, memory, event loop lag, GC)
 * and the service's metrics. One registry per app rather than prom-client's global one, so several apps
 * in one process (as in tests) do not register the same names twice.
 */
export function processMetrics(labels: Record<string, string> = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return new ServiceMetrics(registry);
}
