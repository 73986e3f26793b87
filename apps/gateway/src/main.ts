import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { positiveInteger } from '../../shared/positive-integer';
import { runApp } from '../../shared/run-app';
import { AppModule } from './app.module';

const DEFAULT_PORT = 3000;

void runApp('Gateway', async () => {
  const port = process.env.PORT ? positiveInteger('PORT', process.env.PORT) : DEFAULT_PORT;
  const app = await NestFactory.create(AppModule, { abortOnError: false });
  await app.listen(port);
  new Logger('Gateway').log(`listening on ${await app.getUrl()}`);
  return app;
});
