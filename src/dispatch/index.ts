export { retryDelay } from "./backoff.ts";
export { decideNext, type DecideNextInput } from "./decide-next.ts";
export { quietLogger, type DispatchLogger } from "./dispatch-logger.ts";
export { Dispatcher, type AttemptEvent, type DispatchJournal, type DispatcherOptions, type RunAttempt } from "./dispatcher.ts";
