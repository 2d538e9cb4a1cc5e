// A 503 that says when to come back: the service is full for now, not broken. The error answer
// sets Retry-After from it.

import { HttpError } from "../errors.ts";

export class ServiceBusyError extends HttpError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(503, message);
    this.name = "ServiceBusyError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
