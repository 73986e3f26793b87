/** A metrics setting that cannot work; the message names the variable. */
export class MetricsSettingsError extends Error {
  override readonly name = 'MetricsSettingsError';
}

/** METRICS_PORT: where a worker serves /metrics and /health; unset or empty serves nothing. 0 picks a free port. */
export function readMetricsPort(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.METRICS_PORT;
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MetricsSettingsError(`METRICS_PORT must be a port number (0-65535), got "${value}"`);
  return port;
}
