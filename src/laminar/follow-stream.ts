import { EventSource, type FetchLike } from "eventsource";
import { retryDelay } from "../backoff.ts";
import type { RetryPolicy } from "../types.ts";
import { formatDuration } from "../config/units.ts";
import { parseFrame, type Frame } from "./follow-events.ts";

/** What the stream tells its owner. */
interface StreamHandlers {
  /** The first frame of a new connection: the home snapshot. Events before a reconnect are gone. */
  snapshot(frame: Frame): void;
  /** A later frame: a live event. */
  event(frame: Frame): void;
  /** The connection failed or ended; `failures` counts the attempts since the last good one. */
  down(why: string, failures: number, retryInMs: number): void;
}

interface StreamOptions {
  /** laminard's `/`. */
  url: URL;
  handlers: StreamHandlers;
  /** Reconnect backoff: `delay` doubled per failure up to `max_delay`, with jitter. */
  backoff?: Pick<RetryPolicy, "delayMs" | "maxDelayMs">;
  /** With no byte (not even laminard's 15 s keep-alive) for this long, the connection is dead. */
  idleTimeoutMs?: number;
  random?: () => number;
  fetch?: FetchLike;
}

/**
 * One event stream to laminard, reconnected with backoff for as long as it is open. eventsource's
 * own reconnect waits a fixed 3 s and gives up on a wrong answer; this one backs off, never gives
 * up, and also notices a connection that went silent (a dead peer sends no FIN).
 * eventsource 4 sends `Accept: text/event-stream` exactly, which laminard requires.
 */
export class LaminardStream {
  readonly #options: StreamOptions;
  readonly #backoff: Pick<RetryPolicy, "delayMs" | "maxDelayMs">;
  readonly #idleTimeoutMs: number;
  #source: EventSource | undefined;
  #timer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #lastByteAt = 0;
  #failures = 0;
  #gotSnapshot = false;
  #closed = false;

  constructor(options: StreamOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? { delayMs: 250, maxDelayMs: 30_000 };
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.#connect();
  }

  /** Closes the connection and stops reconnecting. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#idleTimer);
    this.#source?.close();
    this.#source = undefined;
  }

  #connect(): void {
    if (this.#closed) return;
    this.#gotSnapshot = false;
    this.#lastByteAt = Date.now();
    const source = new EventSource(this.#options.url, { fetch: this.#tappingFetch() });
    this.#source = source;
    source.addEventListener("message", (message) => {
      if (this.#source !== source) return;
      let frame: Frame;
      try {
        frame = parseFrame(message.data);
      } catch (error) {
        this.#fail(source, error instanceof Error ? error.message : String(error));
        return;
      }
      if (this.#gotSnapshot) {
        this.#options.handlers.event(frame);
        return;
      }
      this.#gotSnapshot = true;
      this.#failures = 0;
      this.#options.handlers.snapshot(frame);
    });
    source.addEventListener("error", (error) => {
      this.#fail(source, error.message ?? "the connection failed");
    });
    clearInterval(this.#idleTimer);
    this.#idleTimer = setInterval(() => {
      if (Date.now() - this.#lastByteAt > this.#idleTimeoutMs) {
        this.#fail(source, `nothing received for ${formatDuration(this.#idleTimeoutMs)}, not even a keep-alive`);
      }
    }, Math.max(50, Math.floor(this.#idleTimeoutMs / 4)));
    this.#idleTimer.unref();
  }

  #fail(source: EventSource, why: string): void {
    if (this.#source !== source || this.#closed) return;
    source.close();
    this.#source = undefined;
    clearInterval(this.#idleTimer);
    this.#failures += 1;
    const delay = retryDelay(this.#failures, { attempts: Number.POSITIVE_INFINITY, ...this.#backoff }, this.#options.random);
    this.#options.handlers.down(why, this.#failures, delay);
    this.#timer = setTimeout(() => this.#connect(), delay);
    this.#timer.unref();
  }

  /** The fetch eventsource uses, noting when bytes arrive (keep-alive comments never reach a listener). */
  #tappingFetch(): FetchLike {
    const base = this.#options.fetch ?? (fetch as unknown as FetchLike);
    return async (url, init) => {
      const response = await base(url, init);
      const body = response.body as ReadableStream<Uint8Array> | null;
      if (body === null || typeof (body as { pipeThrough?: unknown }).pipeThrough !== "function") return response;
      const tap = new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          this.#lastByteAt = Date.now();
          controller.enqueue(chunk);
        },
      });
      return { body: body.pipeThrough(tap), url: response.url, status: response.status, redirected: response.redirected, headers: response.headers };
    };
  }
}
