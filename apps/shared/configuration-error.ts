/** A problem in the environment the user fixes: printed as its message alone (which says how), never as a stack trace. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The one message every entry point gives for a missing model. */
export class ModelNotFoundError extends ConfigurationError {
  constructor(readonly path: string) {
    super(`Model not found at ${path}. Run: npm run setup`);
  }
}
