import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";

/** Below this much free space on the journal's disk, the probe says no before a delivery fails. */
const MIN_FREE_BYTES = 1024 * 1024;

/**
 * For /readyz: room to grow (SQLite's page limit, free space on the disk), then a real, durable
 * one-row write, so a full disk, a read-only file or a lock held elsewhere shows. Never throws.
 */
export function prepareWritabilityProbe(db: BetterSqlite3.Database, now: () => number): () => boolean {
  const statements = prepareStatements(db);
  return () => {
    try {
      const room = statements.room.get();
      if (room !== undefined && room.max - room.pages + room.free <= 0) return false;
      if (freeDiskBytes(db) < MIN_FREE_BYTES) return false;
      statements.heartbeat.run(now());
      return true;
    } catch {
      return false;
    }
  };
}

function freeDiskBytes(db: BetterSqlite3.Database): number {
  if (db.memory) return Number.POSITIVE_INFINITY;
  try {
    const stats = statfsSync(dirname(db.name));
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    // A filesystem that cannot tell: the heartbeat write still tests it.
    return Number.POSITIVE_INFINITY;
  }
}

function prepareStatements(db: BetterSqlite3.Database) {
  return {
    room: db.prepare<[], { pages: number; free: number; max: number }>(`
      SELECT p.page_count AS pages, f.freelist_count AS free, m.max_page_count AS max
      FROM pragma_page_count() p, pragma_freelist_count() f, pragma_max_page_count() m`),
    heartbeat: db.prepare<[number]>(`INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`),
  };
}
