import type BetterSqlite3 from "better-sqlite3";

/** Retention: deletes the deliveries received before `cutoff` whose jobs are all settled; returns how many. */
export type DeletePrunable = (cutoff: number) => number;

export function prepareDeletePrunable(db: BetterSqlite3.Database): DeletePrunable {
  // Dispatches and attempts go by ON DELETE CASCADE.
  const statement = db.prepare<[{ cutoff: number }]>(`
    DELETE FROM deliveries
    WHERE received_at < @cutoff
      AND NOT EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = deliveries.id AND x.status IN ('pending', 'running'))`);
  return (cutoff) => statement.run({ cutoff }).changes;
}
