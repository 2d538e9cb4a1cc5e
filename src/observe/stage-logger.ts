// The little the background stages (dispatch, following runs, reporting) log through; a pino logger
// fits it. In observe, beside the pino logger, so that every stage may import it.

export interface StageLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** The default: tests and library users get no output unless they pass a logger. */
export const quietLogger: StageLogger = {
  info() {},
  warn() {},
  error() {},
};
