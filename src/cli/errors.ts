/** Wrong command line: exit 2, with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The configuration is invalid: exit 1; the problems were already printed, one per line. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}
