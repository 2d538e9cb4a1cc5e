/** `2026-11-26 16:40:01` in UTC: sortable, and the same on every machine that reads the journal. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}
