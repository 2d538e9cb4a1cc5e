// laminar.http: does laminard's event stream answer with its `status` snapshot?

import { note, problem, type Finding } from "./finding.ts";

/** The first frame's type, or why there was none. */
export type StreamAnswer = { type: string } | { error: string };

export function checkStream(url: string | undefined, answer: StreamAnswer | undefined): Finding[] {
  if (url === undefined || answer === undefined) {
    return [note("laminar.http", "not set: runs are not followed and no commit status goes back to the forge",
      "set laminar.http to laminard's LAMINAR_BIND_HTTP (e.g. http://127.0.0.1:8080) to follow runs")];
  }
  const next = "check that laminar.http is laminard's LAMINAR_BIND_HTTP as this machine reaches it, and that laminard runs; "
    + "until then runs are not followed and their results do not reach the forge";
  if ("error" in answer) return [problem("laminar.http", `${url}: ${answer.error}`, next)];
  // The first frame is always the scope's `status` snapshot (reference/laminard-http.md).
  if (answer.type !== "status") return [problem("laminar.http", `${url} sent a first frame of type "${answer.type}", not laminard's "status" snapshot`, next)];
  return [];
}
