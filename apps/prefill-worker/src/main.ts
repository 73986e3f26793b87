import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { readEngineSettings } from '../../shared/engine-settings';
import { runApp } from '../../shared/run-app';
import { AppModule } from './app.module';

// An application context, not an HTTP server: workers take their work from the queue.
// Settings are read before Nest starts, so a missing model is one line, not Nest's error report.
void runApp('PrefillWorker', () => NestFactory.createApplicationContext(AppModule.withSettings(readEngineSettings()), { abortOnError: false }));
