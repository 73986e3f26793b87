import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiKeys } from './auth/api-keys';
import { browserAccess } from './auth/browser-access';
import { DASHBOARD_PATH, QueueDashboard } from './dashboard/queue-dashboard';
import { DOCS_PATH, serveApiDocs } from './docs/api-docs';
import type { GatewaySettings } from './settings/gateway-settings';

/** Validation of every DTO: unknown fields are an error, not silently dropped; one message per field. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: true });
}

/**
 * What every gateway instance applies beyond its modules, the tests' included: body limits, validation,
 * and the two pages that are not Nest routes (API docs, queue dashboard), each behind the API keys.
 */
export function configureGateway(app: NestExpressApplication, settings: GatewaySettings): void {
  // Registered before Nest's default parsers, which then stay out; larger bodies get 413.
  app.useBodyParser('json', { limit: settings.maxBodyBytes });
  app.useBodyParser('urlencoded', { limit: settings.maxBodyBytes, extended: true });
  app.useGlobalPipes(validationPipe());
  const access = browserAccess(app.get(ApiKeys));
  app.use(DOCS_PATH, access);
  serveApiDocs(app);
  app.use(DASHBOARD_PATH, access, app.get(QueueDashboard).router);
}
