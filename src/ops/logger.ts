/**
 * Structured logs: one JSON object per line on stderr, which every log pipeline parses.
 * Callers pass facts as fields; nothing here ever receives a rendered config or a password.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createJsonLogger(opts: { level: LogLevel; write: (line: string) => void; now?: () => Date }): Logger {
  const now = opts.now ?? (() => new Date());
  const log = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (ORDER[level] < ORDER[opts.level]) return;
    opts.write(`${JSON.stringify({ time: now().toISOString(), level, msg, ...fields })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Discards everything (tests that do not assert on logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
