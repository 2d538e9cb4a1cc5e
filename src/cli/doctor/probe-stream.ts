// laminar.http's first frame, for doctor.

import { laminardUrl, readFirstFrame } from "../../laminar/follow-snapshot.ts";
import type { StreamAnswer } from "./check-stream.ts";
import { describeNetworkError } from "./describe-network-error.ts";

/**
 * The type of the first frame of laminard's home stream, read and closed within `timeoutMs`, at
 * the URL the service follows (a path prefix kept, as behind nginx). Never rejects.
 */
export async function probeStream(url: string, timeoutMs: number): Promise<StreamAnswer> {
  try {
    const frame = await readFirstFrame(laminardUrl(url, ""), { timeoutMs });
    return { type: frame.type };
  } catch (error) {
    return { error: describeNetworkError(error) };
  }
}
