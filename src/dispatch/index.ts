export { decideNext, type DecideNextInput } from "./decide-next.ts";
export { Dispatcher, type AttemptEvent, type DispatchJournal, type DispatcherOptions, type RunAttempt } from "./dispatcher.ts";
