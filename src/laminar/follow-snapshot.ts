import { LaminardFrameError, parseFrame, type Frame } from "./follow-events.ts";

/** laminard serves its stream only to exactly this Accept header; anything else gets index.html. */
const EVENT_STREAM_ACCEPT = "text/event-stream";

/** The fetch the follower uses; global fetch by default, a recording one in tests. */
type FetchFunction = (url: URL, init: RequestInit) => Promise<Response>;

/**
 * The first frame of laminard's stream at `url`: its `status` snapshot. laminard keeps the
 * stream open after it (the next bytes may be a keep-alive 15 s later), so the first frame is
 * read and the connection closed, within `timeoutMs` in all.
 */
export async function readFirstFrame(url: URL, options: { fetch?: FetchFunction; timeoutMs: number; signal?: AbortSignal }): Promise<Frame> {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error("the follower stopped"));
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener("abort", stop, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`laminard did not send a snapshot within ${options.timeoutMs} ms`)), options.timeoutMs);
  try {
    const send = () => (options.fetch ?? fetch)(url, { headers: { Accept: EVENT_STREAM_ACCEPT }, signal: controller.signal });
    // A kept-alive connection that a laminard restart closed fails the first request sent on it.
    const response = await send().catch((error: unknown) => (isClosedSocket(error) ? send() : Promise.reject(error)));
    if (response.status !== 200) throw new LaminardFrameError(`${url.href} answered ${response.status}, not laminard's event stream`);
    const type = response.headers.get("content-type") ?? "";
    if (!type.startsWith("text/event-stream")) {
      throw new LaminardFrameError(`${url.href} answered ${type || "without a content type"}, not laminard's event stream: is laminar.http laminard's LAMINAR_BIND_HTTP?`);
    }
    if (response.body === null) throw new LaminardFrameError(`${url.href} answered without a body`);
    const reader = response.body.getReader();
    // The timeout ends a read that waits, whatever fetch made the body.
    const cancel = () => void reader.cancel().catch(() => {});
    controller.signal.addEventListener("abort", cancel, { once: true });
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (controller.signal.aborted) break;
      if (done) throw new LaminardFrameError(`${url.href} closed the stream before its first frame`);
      text += decoder.decode(value, { stream: true });
      const data = firstFrameData(text);
      if (data !== undefined) return parseFrame(data);
    }
    throw controller.signal.reason;
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
    // Closes the connection: laminard would keep it open for ever.
    controller.abort();
  }
}

/** The data of the first complete frame (comment lines skipped), or undefined while it is incomplete. */
export function firstFrameData(text: string): string | undefined {
  const normalised = text.replace(/\r\n?/g, "\n");
  let rest = normalised;
  for (;;) {
    const end = rest.indexOf("\n\n");
    if (end < 0) return undefined;
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const data = block
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5));
    if (data.length > 0) return data.join("\n");
  }
}

/** `base` + `jobs/JOB/N`, keeping any path prefix of laminar.http (laminard behind nginx). */
export function laminardUrl(base: string, path: string): URL {
  const root = new URL(base);
  if (!root.pathname.endsWith("/")) root.pathname = `${root.pathname}/`;
  return new URL(path, root);
}

function isClosedSocket(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === "UND_ERR_SOCKET";
}
