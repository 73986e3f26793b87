import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { GatewaySettings } from './settings/gateway-settings';

/** Validation of every DTO: unknown fields are an error, not silently dropped; one message per field. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: true });
}

/** What every gateway instance applies beyond its modules, the tests' included. */
export function configureGateway(app: NestExpressApplication, settings: GatewaySettings): void {
  // Registered before Nest's default parsers, which then stay out; larger bodies get 413.
  app.useBodyParser('json', { limit: settings.maxBodyBytes });
  app.useBodyParser('urlencoded', { limit: settings.maxBodyBytes, extended: true });
  app.useGlobalPipes(validationPipe());
}
