/**
 * The handoff connector: where a prefill worker puts a serialized generation state and a decode
 * worker gets it back. It moves opaque bytes; what they mean is the state codec's business
 * (libs/engine/src/state), and the workers see only this interface.
 */
export interface StateStore {
  /** Stores the state of one attempt of a job; the reference names exactly these bytes. */
  save(jobId: string, attempt: number, bytes: Uint8Array): Promise<string>;
  /** The bytes saved under `stateRef`; HandoffError when they are gone or were never completely written. */
  load(stateRef: string): Promise<Uint8Array>;
  /** Removes the state; deleting one that is already gone is not an error. */
  delete(stateRef: string): Promise<void>;
  /** Removes every state saved for the job, by any attempt: called once the job has ended. */
  deleteJobStates(jobId: string): Promise<void>;
}

export class HandoffError extends Error {
  override readonly name: string = 'HandoffError';
}

/** Nothing loadable under the reference: expired, deleted, or its writer stopped before finishing. */
export class StateNotFoundError extends HandoffError {
  override readonly name = 'StateNotFoundError';
  constructor(readonly stateRef: string) {
    super(`generation state ${stateRef} not found: it expired, was deleted, or was never completely written`);
  }
}

/** The manifest is there but the chunks do not add up to it. */
export class IncompleteStateError extends HandoffError {
  override readonly name = 'IncompleteStateError';
  constructor(
    readonly stateRef: string,
    detail: string,
  ) {
    super(`generation state ${stateRef} is incomplete: ${detail}`);
  }
}
