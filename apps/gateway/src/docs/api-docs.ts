import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Where the interactive API docs are served; the OpenAPI description is at DOCS_PATH/openapi.json (and .yaml). */
export const DOCS_PATH = '/docs';

/** The OpenAPI description, generated from the controllers and their DTOs. */
export function apiDocument(app: INestApplication) {
  const config = new DocumentBuilder()
    .setTitle('LazyLLM service')
    .setDescription(
      'LLM inference with LazyLLM dynamic token pruning. Native API: jobs (submit, status, Server-Sent Events, cancel) and ' +
        'document-QA batches. OpenAI-compatible API under /v1. When API_KEYS is set, send `Authorization: Bearer <key>`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at DOCS_PATH. */
export function serveApiDocs(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => apiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    yamlDocumentUrl: `${DOCS_PATH}/openapi.yaml`,
    customSiteTitle: 'LazyLLM service API',
  });
}
