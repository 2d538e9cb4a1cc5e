import { openJournal, type DeliveryDetail, type Journal } from "../journal/index.ts";
import type { Config } from "../types.ts";
import type { CommandIO } from "./io.ts";

/** Opens the config's journal for one command and always closes it. */
export async function withJournal(config: Config, run: (journal: Journal) => number | Promise<number>): Promise<number> {
  const journal = openJournal(config.journal.path);
  try {
    return await run(journal);
  } finally {
    await journal.close();
  }
}

/** The delivery `id` names (journal id or the forge's), or undefined after saying it is not there. */
export function findDelivery(journal: Journal, config: Config, id: string, io: CommandIO): DeliveryDetail | undefined {
  const detail = journal.getDelivery(id);
  if (!detail) io.err(`no delivery ${id} in the journal ${config.journal.path}`);
  return detail;
}
