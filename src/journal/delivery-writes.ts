// Writing deliveries: each verified delivery with one pending dispatch per job it matched, and
// `redeliver`'s new dispatches for a delivery already kept.

import type BetterSqlite3 from "better-sqlite3";
import type { JobRequest, TraceLine } from "../types.ts";
import { HeadLedger, type EarlierDelivery } from "./catch-up-heads.ts";
import { eachInSavepoint } from "./each-in-savepoint.ts";
import { filterHeaders } from "./filter-headers.ts";
import type { DeliveryReads } from "./delivery-reads.ts";
import type { DeliveryInput, RecordDeliveryResult } from "./journal-types.ts";

/** The delivery writes, each one immediate transaction; SQLite's errors are the caller's to guard. */
export interface DeliveryWrites {
  /**
   * Keeps each delivery and one pending dispatch per job, all in one transaction: each gets its
   * result or its own error, in order. A delivery id seen before with jobs is a duplicate and
   * changes nothing (also the second copy within one batch); one seen before without jobs is
   * routed again with this input. Throws when the commit fails: then none of them is kept.
   */
  recordBatch(inputs: readonly DeliveryInput[]): (RecordDeliveryResult | Error)[];
  /** New dispatches for a kept delivery, routed again, with the new trace. */
  addDispatches(deliveryId: number, jobs: readonly JobRequest[], trace: readonly TraceLine[]): number[];
}

/** `findDelivery` is the de-duplication check, read inside each write's transaction. */
export function prepareDeliveryWrites(
  db: BetterSqlite3.Database,
  now: () => number,
  findDelivery: DeliveryReads["findDelivery"],
): DeliveryWrites {
  const s = prepareStatements(db);
  const heads = new HeadLedger(db);

  const insertDispatch = (deliveryId: number, job: JobRequest, at: number): number =>
    Number(s.insertDispatch.run({ delivery: deliveryId, job: job.job, params: JSON.stringify(job.params), host: job.host, reason: job.reason, now: at })
      .lastInsertRowid);

  const record = db.transaction((given: DeliveryInput): RecordDeliveryResult => {
    const at = now();
    const existing = findDelivery(given.forge, given.deliveryId);
    if (existing !== undefined && existing.dispatchCount > 0) {
      return { id: existing.id, duplicate: true, rerouted: false, dispatchIds: [] };
    }
    // One push, one build, however many deliveries bring it and whichever comes first
    // (catch-up-heads.ts). A webhook that matches no job now is journaled as it is: it builds
    // nothing either way, and its trace says why.
    const head = given.head?.polled === false && given.jobs.length === 0 ? undefined : given.head;
    const earlier = head === undefined ? undefined : heads.earlier(head, given.deliveryId);
    if (earlier !== undefined && given.head?.polled === true) {
      return { id: earlier.id, duplicate: true, rerouted: false, dispatchIds: [], duplicateOf: earlier };
    }
    const input = earlier === undefined ? given : asDuplicateOf(given, earlier);
    const fields = {
      forge: input.forge,
      delivery_id: input.deliveryId,
      received_at: input.receivedAt,
      forge_event: input.forgeEvent,
      kind: input.kind,
      action: input.action ?? null,
      repo: input.repo ?? null,
      ref: input.ref ?? null,
      sender: input.sender ?? null,
      remote_address: input.remoteAddress ?? null,
      secret_index: input.secretIndex ?? null,
      headers: JSON.stringify(filterHeaders(input.headers)),
      payload: input.payload,
      note: input.note ?? null,
      trace: JSON.stringify(input.trace),
    };
    let id: number;
    if (existing === undefined) {
      id = Number(s.insertDelivery.run(fields).lastInsertRowid);
    } else {
      // It matched nothing the first time: route it again ("fix the config, press Redeliver").
      id = existing.id;
      s.updateDelivery.run({ ...fields, id });
    }
    const dispatchIds = input.jobs.map((job) => insertDispatch(id, job, at));
    // A copy records no head: the build it copies holds the claim, and the lookups stay one row per build.
    if (input.head !== undefined && earlier === undefined) heads.record(input.head, id, input.jobs.length > 0);
    if (earlier !== undefined) return { id, duplicate: true, rerouted: existing !== undefined, dispatchIds, duplicateOf: earlier };
    return { id, duplicate: false, rerouted: existing !== undefined, dispatchIds };
  });

  const recordBatch = db.transaction((inputs: readonly DeliveryInput[]) => eachInSavepoint(db, inputs, record));

  const addDispatches = db.transaction((deliveryId: number, jobs: readonly JobRequest[], trace: readonly TraceLine[]): number[] => {
    const at = now();
    const changed = s.updateTrace.run({ id: deliveryId, trace: JSON.stringify(trace) });
    if (changed.changes === 0) throw new Error(`the journal has no delivery with id ${deliveryId}`);
    // Never asks the ledger: building again is what was asked for. A delivery that matched nothing
    // when it came claims its push now, so the next copy of it is a duplicate of this build.
    if (jobs.length > 0) heads.markBuilt(deliveryId);
    return jobs.map((job) => insertDispatch(deliveryId, job, at));
  });

  return {
    recordBatch: (inputs) => (inputs.length === 0 ? [] : recordBatch.immediate(inputs)),
    addDispatches: (deliveryId, jobs, trace) => addDispatches.immediate(deliveryId, jobs, trace),
  };
}

/** A webhook whose push was built already: kept, so `show` and the page can tell, but with no job of its own. */
function asDuplicateOf(input: DeliveryInput, earlier: EarlierDelivery): DeliveryInput {
  return { ...input, jobs: [], trace: [], note: duplicateNote(earlier) };
}

/** What `show`, `deliveries` and the page say of a copy, and the hook's answer too: what built it, how to build again. */
export function duplicateNote(earlier: EarlierDelivery): string {
  const found = earlier.polled ? ", found by polling before its webhook arrived" : "";
  return `duplicate: this push was built already from ${earlier.deliveryId} (journal id ${earlier.id})${found}; `
    + `to build it again on purpose: laminar-hooks redeliver ${earlier.id}`;
}

function prepareStatements(db: BetterSqlite3.Database) {
  return {
    insertDelivery: db.prepare<[Record<string, unknown>]>(`
      INSERT INTO deliveries (forge, delivery_id, received_at, forge_event, kind, action, repo, ref, sender,
        remote_address, secret_index, headers, payload, note, trace)
      VALUES (@forge, @delivery_id, @received_at, @forge_event, @kind, @action, @repo, @ref, @sender,
        @remote_address, @secret_index, @headers, @payload, @note, @trace)`),
    updateDelivery: db.prepare<[Record<string, unknown>]>(`
      UPDATE deliveries SET received_at = @received_at, forge_event = @forge_event, kind = @kind, action = @action,
        repo = @repo, ref = @ref, sender = @sender, remote_address = @remote_address, secret_index = @secret_index, headers = @headers,
        payload = @payload, note = @note, trace = @trace
      WHERE id = @id AND forge = @forge AND delivery_id = @delivery_id`),
    updateTrace: db.prepare<[{ id: number; trace: string }]>(`UPDATE deliveries SET trace = @trace WHERE id = @id`),
    insertDispatch: db.prepare<[{ delivery: number; job: string; params: string; host: string; reason: string; now: number }]>(`
      INSERT INTO dispatches (delivery, job, params, host, reason, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES (@delivery, @job, @params, @host, @reason, 'pending', 0, @now, @now, @now)`),
  };
}
