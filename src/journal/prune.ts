// Retention: old deliveries go, a bounded chunk per transaction, so that pruning a journal of many
// thousands never holds the event loop (and every answer) for longer than one chunk takes.

import { setImmediate as nextTurn } from "node:timers/promises";
import type BetterSqlite3 from "better-sqlite3";

/** Deliveries (with their dispatches and attempts) deleted per transaction: milliseconds of work. */
const PRUNE_CHUNK_SIZE = 500;

export interface PruneOptions {
  /** Deliveries per transaction; PRUNE_CHUNK_SIZE by default. */
  chunkSize?: number;
  /** Told how many deliveries each transaction deleted, as it commits. */
  onChunk?: (deleted: number) => void;
}

/** Deletes up to `limit` deliveries received before `cutoff` whose jobs are all settled; returns how many. */
export type DeletePrunable = (cutoff: number, limit: number) => number;

export function prepareDeletePrunable(db: BetterSqlite3.Database): DeletePrunable {
  // Oldest first, along deliveries_received_at; dispatches and attempts go by ON DELETE CASCADE.
  const statement = db.prepare<[{ cutoff: number; limit: number }]>(`
    DELETE FROM deliveries WHERE id IN (
      SELECT d.id FROM deliveries d
      WHERE d.received_at < @cutoff
        AND NOT EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id AND x.status IN ('pending', 'running'))
        AND NOT EXISTS (SELECT 1 FROM dispatches x JOIN runs r ON r.dispatch = x.id
                        WHERE x.delivery = d.id AND r.state IN ('queued', 'running'))
      ORDER BY d.received_at
      LIMIT @limit)`);
  return (cutoff, limit) => statement.run({ cutoff, limit }).changes;
}

/**
 * Deletes chunk after chunk, giving the event loop a turn (answers, the dispatcher) between two,
 * until a chunk comes back short or `stopped()` says the journal is closing. Returns how many went.
 */
export async function pruneInChunks(
  deleteChunk: (limit: number) => number,
  stopped: () => boolean,
  options: PruneOptions = {},
): Promise<number> {
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? PRUNE_CHUNK_SIZE));
  let total = 0;
  for (;;) {
    const deleted = deleteChunk(chunkSize);
    total += deleted;
    options.onChunk?.(deleted);
    if (deleted < chunkSize) return total;
    await nextTurn();
    if (stopped()) return total;
  }
}
