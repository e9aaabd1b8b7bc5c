/** Wrong command line: exit 2, with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The configuration is invalid: exit 1; the problems were already printed, one per line. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/** `run --once` ended with FRR not running the rendered config (the apply failed): exit 1, saying why. */
export class NotAppliedError extends Error {
  override readonly name = 'NotAppliedError';
}
