// An action done from the page and a run's abort, in the words `show` prints and the page shows.

import type { PageActionRecord, RunAbortRecord } from "../journal/index.ts";

/** `admin from 127.0.0.1: rebuild of hello (dispatch 3) → dispatch 5 (queued)` */
export function describeAction(action: PageActionRecord): string {
  const made = action.madeDispatchId === null ? "" : ` → dispatch ${action.madeDispatchId}`;
  return `${action.user} from ${action.address}: ${action.what}${made} (${action.outcome})`;
}

/** `superseded by 3f2c1a9; laminarc abort sent`, `abort asked; it is aborted as soon as it starts` */
export function describeAbort(abort: RunAbortRecord): string {
  const why = abort.why === "superseded" ? `superseded by ${abort.supersededBy?.slice(0, 7) ?? "a newer push"}` : "abort asked";
  switch (abort.state) {
    case "waiting":
      return `${why}; it is aborted as soon as it starts`;
    case "sent":
      return `${why}; laminarc abort sent`;
    case "failed":
      return `${why}; laminarc abort failed: ${abort.answer ?? "no answer"}`;
  }
}
