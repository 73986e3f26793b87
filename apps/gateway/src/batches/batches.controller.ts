import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BatchView } from './batch-view';
import { BatchesService, type AcceptedBatch, type BatchResults } from './batches.service';
import { BatchResultsQueryDto } from './dto/batch-results-query.dto';
import { CreateBatchDto } from './dto/create-batch.dto';

const NDJSON = 'application/x-ndjson';

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches')
export class BatchesController {
  constructor(private readonly batches: BatchesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Document QA for many questions: one job per question' })
  @ApiAcceptedResponse({ description: 'Accepted: the batch id, its jobs, and where to read progress and results.' })
  async create(@Body() body: CreateBatchDto, @Res({ passthrough: true }) response: Response): Promise<AcceptedBatch> {
    const batch = await this.batches.create(body);
    response.location(batch.links.self);
    return batch;
  }

  @Get(':id')
  @ApiOperation({ summary: 'Progress: jobs counted by status' })
  view(@Param('id') id: string): Promise<BatchView> {
    return this.batches.view(id);
  }

  @Get(':id/results')
  @ApiOperation({ summary: 'One result per question, in order: JSON, or JSON lines with ?format=jsonl or Accept: application/x-ndjson' })
  @ApiProduces('application/json', 'application/x-ndjson')
  async results(
    @Param('id') id: string,
    @Query() query: BatchResultsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BatchResults | string> {
    const results = await this.batches.results(id);
    const lines = query.format === 'jsonl' || (query.format === undefined && accept?.includes(NDJSON));
    if (!lines) return results;
    response.attachment(`batch-${id}.jsonl`).type(NDJSON);
    return results.results.map((item) => `${JSON.stringify(item)}\n`).join('');
  }
}
