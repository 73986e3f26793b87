import { Controller, Get, Param, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OpenAiExceptionFilter } from './openai-exception.filter';
import { ServedModel, type ModelObject } from './served-model';

@ApiTags('OpenAI-compatible')
@ApiBearerAuth()
@UseFilters(OpenAiExceptionFilter)
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly served: ServedModel) {}

  @Get()
  @ApiOperation({ summary: 'The model this service runs' })
  list(): { object: 'list'; data: ModelObject[] } {
    return { object: 'list', data: [this.served.object] };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One model, or 404 model_not_found' })
  get(@Param('id') id: string): ModelObject {
    this.served.check(id);
    return this.served.object;
  }
}
