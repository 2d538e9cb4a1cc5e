/** The little the dispatcher logs through; a pino logger fits it. */
export interface DispatchLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** The default: tests and library users get no output unless they pass a logger. */
export const quietLogger: DispatchLogger = {
  info() {},
  warn() {},
  error() {},
};
