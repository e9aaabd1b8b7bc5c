/** The command's view of the outside world, passed in so tests can capture it. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly writeFile: (path: string, text: string) => Promise<void>;
  /** Resolves with the signal's name when the process is asked to stop (SIGTERM, SIGINT). */
  readonly waitForShutdown?: () => Promise<string>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Sets V8 flags of this process (`v8.setFlagsFromString`); absent in tests, which share theirs. */
  readonly setV8Flags?: (flags: string) => void;
}
