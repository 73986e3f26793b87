import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { BatchView } from './batch-view';
import { BatchesService, type AcceptedBatch, type BatchResults } from './batches.service';
import { BatchResultsQueryDto } from './dto/batch-results-query.dto';
import { CreateBatchDto } from './dto/create-batch.dto';

const NDJSON = 'application/x-ndjson';

@Controller('batches')
export class BatchesController {
  constructor(private readonly batches: BatchesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async create(@Body() body: CreateBatchDto, @Res({ passthrough: true }) response: Response): Promise<AcceptedBatch> {
    const batch = await this.batches.create(body);
    response.location(batch.links.self);
    return batch;
  }

  @Get(':id')
  view(@Param('id') id: string): Promise<BatchView> {
    return this.batches.view(id);
  }

  @Get(':id/results')
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
