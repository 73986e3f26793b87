import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';

/** Optional API-key auth (API_KEYS): the guard on every controller, the keys for the browser pages' middleware. */
@Global()
@Module({})
export class AuthModule {
  static withKeys(keys: readonly string[]): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: ApiKeys, useValue: new ApiKeys(keys) }, { provide: APP_GUARD, useClass: ApiKeyGuard }],
      exports: [ApiKeys],
    };
  }
}
