/**
 * The reference Kubernetes manifests (deploy/kubernetes) checked against the apps and against BullMQ on a
 * real Redis: the Deployments run what docker-compose runs, probe where the apps answer, and KEDA watches
 * the very list BullMQ keeps each pool's waiting jobs in.
 */
import { readQueueSettings, createDecodeQueue, createPrefillQueue, createRedisClient } from '@lazyllm/jobs';
import type { DecodeJobData, PrefillJobData } from '@lazyllm/contracts';
import { readMetricsPort } from '@lazyllm/metrics';
import { useTestRedis } from '../support/redis';
import { APPS, compiledEntry, readYamlDocuments, sourceText } from './deploy-files';

const redis = useTestRedis();

interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    scaleTargetRef?: { name: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers?: { type: string; metadata: Record<string, string> }[];
    template?: { spec: { containers: Container[] } };
  };
}

interface Container {
  name: string;
  command: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
}

const manifests = readYamlDocuments<Manifest>('deploy/kubernetes/lazyllm.yaml');
const scaledObjects = readYamlDocuments<Manifest>('deploy/kubernetes/keda.yaml');
const config = manifests.find((m) => m.kind === 'ConfigMap')?.data ?? {};
const container = (app: string): Container => {
  const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === app);
  if (!deployment?.spec?.template) throw new Error(`no Deployment ${app}`);
  return deployment.spec.template.spec.containers[0];
};
const envOf = (app: string): Record<string, string> => ({ ...config, ...Object.fromEntries((container(app).env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]]))) });

describe('Kubernetes reference manifests', () => {
  it.each(APPS)('run %s as docker-compose does, with variables the apps read, probed where it answers /health', (app) => {
    const c = container(app);
    expect(c.command).toEqual(['node', compiledEntry(app)]);
    const sources = sourceText();
    for (const name of [...Object.keys(config), ...(c.env ?? []).map((e) => e.name)]) expect({ name, read: new RegExp(`\\b${name}\\b`).test(sources) }).toEqual({ name, read: true });
    const port = app === 'gateway' ? Number(envOf(app).PORT) : readMetricsPort(envOf(app));
    const probed = c.ports?.find((p) => p.name === c.readinessProbe?.httpGet.port);
    expect(probed?.containerPort).toBe(port);
    expect([c.readinessProbe?.httpGet.path, c.livenessProbe?.httpGet.path]).toEqual(['/health', '/health']);
  });

  it('scales each worker pool with KEDA on the list BullMQ keeps its waiting jobs in', async () => {
    const settings = readQueueSettings({ ...config, REDIS_URL: redis.url });
    const queues = { 'prefill-worker': createPrefillQueue(settings), 'decode-worker': createDecodeQueue(settings) };
    const client = createRedisClient(redis.url);
    try {
      await queues['prefill-worker'].add('prefill', { jobId: 'p1' } as PrefillJobData, { jobId: 'p1' });
      await queues['decode-worker'].add('decode', { jobId: 'd1' } as DecodeJobData, { jobId: 'd1' });
      await queues['decode-worker'].add('decode', { jobId: 'd2' } as DecodeJobData, { jobId: 'd2' });
      expect(scaledObjects.map((s) => s.spec?.scaleTargetRef?.name).sort()).toEqual(['decode-worker', 'prefill-worker']);
      for (const scaled of scaledObjects) {
        const target = scaled.spec?.scaleTargetRef?.name as keyof typeof queues;
        expect(manifests.some((m) => m.kind === 'Deployment' && m.metadata.name === target)).toBe(true);
        const [trigger] = scaled.spec?.triggers ?? [];
        expect(trigger.type).toBe('redis');
        const url = new URL(config.REDIS_URL);
        expect(trigger.metadata.address).toBe(`${url.hostname}:${url.port}`);
        expect(await client.llen(trigger.metadata.listName)).toBe(target === 'prefill-worker' ? 1 : 2);
        expect(Number(trigger.metadata.listLength)).toBeGreaterThan(0);
        expect(scaled.spec?.minReplicaCount).toBeGreaterThanOrEqual(1);
      }
    } finally {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await client.quit();
    }
  });
});
