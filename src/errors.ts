// Errors that cross module boundaries. Each carries the HTTP status it maps to; `expose` says
// whether its message is fit for the client (koa's convention). One place, src/http, turns them
// into answers.

/** Bad or unacceptable input from a client: always a 4xx with a message that says what to fix. */
export class HttpError extends Error {
  readonly status: number;
  readonly expose = true;
  /** Extra fields for the JSON answer (never secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.details = details;
  }
}

/** The journal could not keep a delivery: the client must get a 503 and send it again. */
export class JournalUnavailableError extends Error {
  readonly status = 503;
  readonly expose = true;

  constructor(cause: unknown) {
    super("the delivery journal cannot be written; nothing was accepted, send the delivery again later", { cause });
    this.name = "JournalUnavailableError";
  }
}

/** A command that only reads cannot read the journal; the message says why and what to do. */
export class JournalNotReadableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JournalNotReadableError";
  }
}

/** One problem in a config file, located for `FILE:LINE:COL message`. */
export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** A config that cannot be used; lists every problem found, not just the first. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.col} ${problem.message}`;
}
