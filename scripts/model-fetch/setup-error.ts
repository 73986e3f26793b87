/** A failure the user can fix: printed as one line with the command that fixes it, never as a stack trace. */
export class SetupError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}
