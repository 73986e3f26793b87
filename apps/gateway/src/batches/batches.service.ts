import { randomUUID } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import type { JobRecord, QaDocument } from '@lazyllm/contracts';
import { JobStore } from '@lazyllm/jobs';
import { RequestAdmission } from '../admission/request-admission.service';
import { documentsOf, generationOptionsOf, type JobRequest } from '../jobs/job-request';
import { JobsService } from '../jobs/jobs.service';
import { BatchStore, type BatchRecord } from './batch-store';
import { batchLinks, batchResultItem, batchView, type BatchLinks, type BatchResultItem, type BatchView } from './batch-view';
import type { CreateBatchDto } from './dto/create-batch.dto';

export interface AcceptedBatch {
  readonly id: string;
  readonly jobs: readonly { readonly id: string; readonly question: string }[];
  readonly links: BatchLinks;
}

export interface BatchResults {
  readonly id: string;
  readonly done: boolean;
  readonly results: readonly BatchResultItem[];
}

/** Document-QA batches: one job per question, all checked before any is queued. */
@Injectable()
export class BatchesService {
  constructor(
    private readonly admission: RequestAdmission,
    private readonly jobs: JobsService,
    private readonly store: JobStore,
    private readonly batches: BatchStore,
  ) {}

  async create(dto: CreateBatchDto): Promise<AcceptedBatch> {
    const options = generationOptionsOf(dto);
    const questions = batchQuestions(dto);
    const requests: JobRequest[] = questions.map(({ documents, question }) => ({ input: { kind: 'document-qa', documents, question }, options }));
    requests.forEach((request, i) => this.admission.check(request, dto.items ? `items[${i}]: ` : `questions[${i}]: `));

    const id = randomUUID();
    const jobIds = await Promise.all(requests.map((request) => this.jobs.accept(request, { batchId: id })));
    const entries = jobIds.map((jobId, i) => ({ jobId, question: questions[i].question }));
    await this.batches.save({ id, createdAt: Date.now(), entries });
    return { id, jobs: entries.map(({ jobId, question }) => ({ id: jobId, question })), links: batchLinks(id) };
  }

  async view(id: string): Promise<BatchView> {
    const batch = await this.batch(id);
    return batchView(batch, await this.records(batch));
  }

  async results(id: string): Promise<BatchResults> {
    const batch = await this.batch(id);
    const records = await this.records(batch);
    return {
      id,
      done: batchView(batch, records).done,
      results: batch.entries.map((entry, i) => batchResultItem(i, entry, records[i])),
    };
  }

  private async batch(id: string): Promise<BatchRecord> {
    const batch = await this.batches.get(id);
    if (!batch) throw new NotFoundException(`batch ${id} not found`);
    return batch;
  }

  private records(batch: BatchRecord): Promise<(JobRecord | undefined)[]> {
    return Promise.all(batch.entries.map((entry) => this.store.get(entry.jobId)));
  }
}

/** The two shapes of a batch as one list: shared documents are the same array in every question. */
function batchQuestions(dto: CreateBatchDto): { documents: QaDocument[]; question: string }[] {
  if (dto.items !== undefined) return dto.items.map((item) => ({ documents: documentsOf(item.documents), question: item.question }));
  const documents = documentsOf(dto.documents ?? []);
  return (dto.questions ?? []).map((question) => ({ documents, question }));
}
