import { Module } from '@nestjs/common';
import { ModelProfile } from '../admission/model-profile';
import { JobsModule } from '../jobs/jobs.module';
import { CompletionsController } from './completions.controller';
import { ModelsController } from './models.controller';
import { OpenAiCompletionsService } from './openai-completions.service';
import { ServedModel } from './served-model';

/** The OpenAI-compatible API: POST /v1/completions, POST /v1/chat/completions (streamed or not), GET /v1/models. */
@Module({
  imports: [JobsModule],
  controllers: [CompletionsController, ModelsController],
  providers: [{ provide: ServedModel, inject: [ModelProfile], useFactory: (profile: ModelProfile) => ServedModel.of(profile) }, OpenAiCompletionsService],
})
export class OpenAiModule {}
