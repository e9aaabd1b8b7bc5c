/** The command's view of the outside world, passed in so tests can capture it. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly writeFile: (path: string, text: string) => Promise<void>;
}
