import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The evaluation data lives beside the project (../shared/data); DATA_DIR overrides. */
export function dataDir(): string {
  const dir = process.env.DATA_DIR ?? resolve(__dirname, '../../../../shared/data');
  if (!existsSync(dir)) throw new Error(`evaluation data not found at ${dir}; set DATA_DIR to the folder holding nq-open/ and kv-retrieval/`);
  return dir;
}
