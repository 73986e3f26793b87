/** Why a serialized generation state was refused; each names one check of the format. */
export type StateFormatReason =
  | 'bad-magic'
  | 'unsupported-version'
  | 'truncated'
  | 'checksum-mismatch'
  | 'geometry-mismatch'
  | 'model-mismatch'
  | 'inconsistent-content';

const DESCRIPTION: Record<StateFormatReason, string> = {
  'bad-magic': 'not a generation state (bad magic)',
  'unsupported-version': 'unsupported format version',
  truncated: 'truncated',
  'checksum-mismatch': 'checksum mismatch (corrupted)',
  'geometry-mismatch': 'model geometry mismatch',
  'model-mismatch': 'model identity mismatch',
  'inconsistent-content': 'inconsistent content',
};

/** A state that must not be decoded: written for another model or version, damaged, or self-contradictory. */
export class StateFormatError extends Error {
  constructor(readonly reason: StateFormatReason, readonly detail: string) {
    super(`generation state refused, ${DESCRIPTION[reason]}: ${detail}`);
    this.name = 'StateFormatError';
  }
}
