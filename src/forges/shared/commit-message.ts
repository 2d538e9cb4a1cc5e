// Commit messages, for LAMINAR_REASON (one line) and `[skip ci]` checks (the whole message).

/** The subject line of a message, or undefined when it has none. */
export function firstLine(message: string | null | undefined): string | undefined {
  const line = message?.split(/\r?\n/, 1)[0]?.trim();
  return line === undefined || line === "" ? undefined : line;
}
