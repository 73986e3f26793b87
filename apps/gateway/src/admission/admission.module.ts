import { Global, Module, type DynamicModule } from '@nestjs/common';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../settings/gateway-settings';
import { ModelProfile } from './model-profile';
import { RequestAdmission } from './request-admission.service';

/** What the gateway checks requests against: the model's profile (read before Nest starts) and the checks. */
@Global()
@Module({})
export class AdmissionModule {
  static forModel(model: ModelProfile, settings: GatewaySettings): DynamicModule {
    return {
      module: AdmissionModule,
      providers: [{ provide: ModelProfile, useValue: model }, { provide: GATEWAY_SETTINGS, useValue: settings }, RequestAdmission],
      exports: [ModelProfile, RequestAdmission],
    };
  }
}
