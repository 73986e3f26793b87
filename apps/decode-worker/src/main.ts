import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { checkRedisReachable } from '@lazyllm/jobs';
import { runApp } from '../../shared/run-app';
import { readWorkerSettings } from '../../shared/worker-settings';
import { AppModule } from './app.module';

// An application context, not an HTTP server: workers take their work from the queue. Settings and
// Redis are checked before Nest starts, so a missing model or Redis is one line, not Nest's error report.
void runApp('DecodeWorker', async () => {
  const settings = readWorkerSettings('decode');
  await checkRedisReachable(settings.queue.redisUrl);
  return NestFactory.createApplicationContext(AppModule.withSettings(settings), { abortOnError: false });
});
