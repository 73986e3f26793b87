/**
 * docker-compose.yml and the Dockerfile checked against the apps themselves, since no Docker engine runs
 * here: every service runs a real compiled entry point, every variable is one the apps read and a value
 * their own settings readers accept, every healthcheck asks where the app answers it (and the check
 * commands are run for real against a server), and the pools scale independently.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readHandoffSettings } from '@lazyllm/handoff';
import { readQueueSettings } from '@lazyllm/jobs';
import { processMetrics, readMetricsPort, serveMetrics } from '@lazyllm/metrics';
import { DEFAULT_MODEL_FILE } from '@lazyllm/engine/model/model-path';
import { apiKeys } from '../../apps/gateway/src/settings/gateway-settings';
import { concurrency } from '../../apps/shared/worker-settings';
import { APPS, compiledEntry, interpolate, readRepoFile, readYaml, REPO, sourceText, type AppName } from './deploy-files';

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas: string | number };
  healthcheck?: { test: string[]; start_period?: string };
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const raw = readYaml<Compose>('docker-compose.yml');
/** As `docker compose up` sees the file with nothing set in the environment. */
const compose = interpolate(raw, {});
const env = (app: string): Record<string, string> => Object.fromEntries(Object.entries(compose.services[app].environment ?? {}).map(([k, v]) => [k, String(v)]));

/** The URL a `node -e "fetch(...)"` healthcheck asks. */
function healthUrl(service: Service): URL {
  const script = service.healthcheck?.test.at(-1) ?? '';
  const url = /fetch\('([^']+)'\)/.exec(script)?.[1];
  if (url === undefined) throw new Error(`no fetch() in healthcheck: ${script}`);
  return new URL(url);
}

describe('docker-compose.yml', () => {
  it('has exactly Redis, the gateway and both worker pools', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['decode-worker', 'gateway', 'prefill-worker', 'redis']);
  });

  it('runs Redis with the append-only file on a volume, checked by PING', () => {
    const redis = compose.services.redis;
    expect(redis.command?.join(' ')).toMatch(/--appendonly yes/);
    expect(redis.volumes).toEqual([expect.stringMatching(/^redis-data:\/data$/)]);
    expect(Object.keys(compose.volumes ?? {})).toContain('redis-data');
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it.each(APPS)('runs %s from its compiled entry point, after Redis is healthy', (app: AppName) => {
    const service = compose.services[app];
    expect(existsSync(join(REPO, 'apps', app, 'src', 'main.ts'))).toBe(true);
    expect(service.command).toEqual(['node', compiledEntry(app)]);
    const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts[`start:${app}`]).toContain(`node ${compiledEntry(app)}`);
    expect(service.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
  });

  it.each(APPS)('gives %s only variables the apps read, with values their settings readers accept', (app: AppName) => {
    const vars = env(app);
    const sources = sourceText();
    for (const name of Object.keys(vars)) expect({ name, read: new RegExp(`\\b${name}\\b`).test(sources) }).toEqual({ name, read: true });
    const queue = readQueueSettings(vars);
    expect(new URL(queue.redisUrl)).toMatchObject({ hostname: 'redis', port: '6379' });
    expect(Object.keys(compose.services)).toContain(new URL(queue.redisUrl).hostname);
    if (app === 'gateway') {
      expect(apiKeys(vars.API_KEYS)).toEqual([]);
      expect(apiKeys(interpolate(raw.services.gateway.environment?.API_KEYS as string, { API_KEYS: 'k1,k2' }))).toEqual(['k1', 'k2']);
    } else {
      expect(concurrency(app === 'prefill-worker' ? 'prefill' : 'decode', vars)).toBe(1);
      expect(readHandoffSettings(vars).ttlSeconds).toBe(3600);
      expect(readMetricsPort(vars)).toBe(9464);
    }
  });

  it.each(APPS)('mounts the model read-only where MODEL_PATH of %s points, defaulting to the file npm run setup fetches', (app: AppName) => {
    const service = compose.services[app];
    const mount = service.volumes?.map((v) => v.split(':')).find(([, target]) => env(app).MODEL_PATH.startsWith(`${target}/`));
    expect(mount).toEqual(['./models', '/app/models', 'ro']);
    expect(env(app).MODEL_PATH).toBe(`/app/models/${DEFAULT_MODEL_FILE}`);
  });

  it('checks each app where it answers: the gateway on PORT, the workers on METRICS_PORT, both at /health', () => {
    const gateway = healthUrl(compose.services.gateway);
    expect([gateway.hostname, gateway.port, gateway.pathname]).toEqual(['127.0.0.1', env('gateway').PORT, '/health']);
    expect(compose.services.gateway.ports).toEqual([`3000:${env('gateway').PORT}`]);
    for (const worker of ['prefill-worker', 'decode-worker']) {
      const url = healthUrl(compose.services[worker]);
      expect([url.hostname, url.port, url.pathname]).toEqual(['127.0.0.1', env(worker).METRICS_PORT, '/health']);
      expect(compose.services[worker].healthcheck?.start_period).toBeDefined();
    }
  });

  it('has healthcheck commands that pass on a healthy answer and fail on 503 or no answer', async () => {
    let ok = true;
    const server = await serveMetrics({ port: 0, host: '127.0.0.1', registry: processMetrics().registry, health: () => ({ ok, details: {} }) });
    // Run as a child process that this one keeps serving while it waits (not spawnSync, which would block the server).
    const run = (service: Service, port: number) => {
      const script = (service.healthcheck?.test.at(-1) ?? '').replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
      return new Promise<number | null>((resolve) => spawn(process.execPath, ['-e', script], { timeout: 10_000 }).once('exit', resolve));
    };
    try {
      for (const name of APPS) {
        ok = true;
        expect(await run(compose.services[name], server.port)).toBe(0);
        ok = false;
        expect(await run(compose.services[name], server.port)).toBe(1);
      }
    } finally {
      await server.close();
    }
    expect(await run(compose.services.gateway, server.port)).toBe(1);
  });

  it('scales each pool and the gateway on its own variable', () => {
    const scaled = interpolate(raw, { PREFILL_REPLICAS: '3', DECODE_REPLICAS: '2' });
    expect(APPS.map((app) => Number(scaled.services[app].deploy?.replicas))).toEqual([1, 3, 2]);
    expect(APPS.map((app) => Number(compose.services[app].deploy?.replicas))).toEqual([1, 1, 1]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readRepoFile('Dockerfile');
  const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds the apps with npm run build and runs them from the compiled output, the model outside the image', () => {
    expect(dockerfile).toMatch(/\nCOPY apps apps\nCOPY libs libs\nRUN npm run build\n/);
    expect(final).toMatch(/COPY --from=build \/app\/dist dist/);
    expect(final).toMatch(/RUN npm ci --omit=dev/);
    expect(final).toMatch(/MODELS_DIR=\/app\/models/);
    expect(final).toContain(`CMD ${JSON.stringify(compose.services.gateway.command)}`.replace(/","/g, '", "'));
    expect(final).toMatch(/EXPOSE 3000 9464/);
    const ignored = readRepoFile('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'models', 'dist']));
  });
});
