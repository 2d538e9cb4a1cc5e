// What people did from the deliveries page (rebuild, build a branch or tag, abort), and the aborts
// waiting for a run to start. Each action is one transaction with the dispatch or abort it makes,
// keyed by the form's idempotency key (`once`): the same form posted twice at once (a double click)
// finds the first one's row and makes nothing. A rebuild or a manual build is a new dispatch made
// here on purpose, never through the deliveries' one-push-one-build check (delivery-writes.ts).

import type BetterSqlite3 from "better-sqlite3";
import type { ForgeName, JobRequest } from "../types.ts";
import { guardJournal } from "./journal-error.ts";
import type { DispatchStatus, DispatchSummary } from "./journal-types.ts";

export type PageActionKind = "rebuild" | "build" | "abort";

/** Who acted, when and from where. */
export interface Actor {
  /** The form's idempotency key. */
  once: string;
  at: number;
  user: string;
  address: string;
}

/** One action as the page and `show` list it. */
export interface PageActionRecord {
  id: number;
  at: number;
  user: string;
  address: string;
  action: PageActionKind;
  deliveryId: number;
  /** The dispatch acted on (rebuild, abort). */
  dispatchId: number | null;
  /** The dispatch the action made (rebuild, build). */
  madeDispatchId: number | null;
  what: string;
  outcome: string;
}

/** An abort asked for a dispatch's run: a person's, or a newer push's (`supersede`). */
export interface RunAbortRecord {
  dispatchId: number;
  why: "asked" | "superseded";
  /** The newer commit, for `superseded`. */
  supersededBy: string | null;
  /** waiting: for the run to start (or to be sent); sent: laminarc abort took it; failed: it did not. */
  state: "waiting" | "sent" | "failed";
  askedAt: number;
  answer: string | null;
}

/** A dispatch a newer push of its branch may supersede. */
export interface OpenDispatch {
  id: number;
  status: DispatchStatus;
  params: Record<string, string>;
  repo: string | null;
  /** Its delivery's event: push, pull_request, … */
  kind: string;
  /** Its latest run's state; null before Laminar queued it (or when runs are not followed). */
  runState: "queued" | "running" | "success" | "failed" | "aborted" | "lost" | null;
}

/** The result of an action: made now, or the one an earlier post of the same form made. */
export type ActionResult = { kind: "done"; action: PageActionRecord } | { kind: "repeated"; action: PageActionRecord };

/** A manual build's delivery: what the page chose and what was resolved. */
interface ManualDelivery {
  forge: ForgeName;
  deliveryId: string;
  repo: string;
  ref: string;
  /** The JSON text kept as the delivery's payload (what was chosen and resolved). */
  payload: string;
  note: string;
}

interface ActionRow {
  id: number; at: number; user: string; address: string; action: PageActionKind; delivery: number;
  dispatch: number | null; made: number | null; what: string; outcome: string;
}

interface AbortRow {
  dispatch: number; why: "asked" | "superseded"; superseded_by: string | null;
  state: "waiting" | "sent" | "failed"; asked_at: number; answer: string | null;
}

export class PageActions {
  readonly #s;
  readonly #rebuild;
  readonly #build;
  readonly #abort;
  readonly #abortSent;

  constructor(db: BetterSqlite3.Database) {
    const s = {
      insertAction: db.prepare<[Record<string, unknown>]>(`
        INSERT INTO page_actions (once, at, user, address, action, delivery, dispatch, made, what, outcome)
        VALUES (@once, @at, @user, @address, @action, @delivery, @dispatch, @made, @what, @outcome)
        ON CONFLICT (once) DO NOTHING`),
      byOnce: db.prepare<[string], ActionRow>(`SELECT * FROM page_actions WHERE once = ?`),
      byDelivery: db.prepare<[number], ActionRow>(`SELECT * FROM page_actions WHERE delivery = ? ORDER BY id`),
      setMade: db.prepare<[number, number]>(`UPDATE page_actions SET made = ? WHERE id = ?`),
      setOutcome: db.prepare<[string, number]>(`UPDATE page_actions SET outcome = ? WHERE id = ?`),
      dispatch: db.prepare<[number], { id: number; delivery: number; job: string; params: string; host: string }>(
        `SELECT id, delivery, job, params, host FROM dispatches WHERE id = ?`),
      insertDispatch: db.prepare<[{ delivery: number; job: string; params: string; host: string; reason: string; now: number }]>(`
        INSERT INTO dispatches (delivery, job, params, host, reason, status, attempts, next_attempt_at, created_at, updated_at)
        VALUES (@delivery, @job, @params, @host, @reason, 'pending', 0, @now, @now, @now)`),
      insertDelivery: db.prepare<[Record<string, unknown>]>(`
        INSERT INTO deliveries (forge, delivery_id, received_at, forge_event, kind, repo, ref, sender, remote_address, headers, payload, note, trace)
        VALUES (@forge, @delivery_id, @at, 'manual', 'manual', @repo, @ref, @user, @address, '{}', @payload, @note, @trace)`),
      insertAbort: db.prepare<[Record<string, unknown>]>(`
        INSERT INTO run_aborts (dispatch, why, superseded_by, state, asked_at)
        VALUES (@dispatch, @why, @superseded_by, 'waiting', @at)
        ON CONFLICT (dispatch) DO NOTHING`),
      dispatchState: db.prepare<[number], { id: number; delivery: number; job: string; host: string; status: string; run: string | null; attempts: number; last_error: string | null }>(
        `SELECT id, delivery, job, host, status, run, attempts, last_error FROM dispatches WHERE id = ?`),
      waitingAborts: db.prepare<[], { dispatch: number }>(`SELECT dispatch FROM run_aborts WHERE state = 'waiting'`),
      setAbortOutcome: db.prepare<[string, number]>(`
        UPDATE page_actions SET outcome = ? WHERE dispatch = ? AND action = 'abort' AND outcome IN ('sending', 'waiting for the run to start')`),
      lastSeen: db.prepare<[string], { forge: string; kind: string; params: string | null }>(`
        SELECT d.forge AS forge, d.kind AS kind, x.params AS params FROM deliveries d LEFT JOIN dispatches x ON x.delivery = d.id
        WHERE d.repo = ? COLLATE NOCASE ORDER BY d.id DESC, x.id DESC LIMIT 50`),
      // The job's dispatches a newer one may supersede: of an earlier delivery (a rebuild of an old
      // push is no newer push), not settled in the journal or with a run Laminar has not finished
      // (runs_followed), and no abort asked yet.
      olderOpen: db.prepare<[{ id: number; job: string }], { id: number; status: string; params: string; repo: string | null; kind: string; run_state: string | null }>(`
        SELECT o.id, o.status, o.params, od.repo, od.kind,
          (SELECT r.state FROM runs r WHERE r.dispatch = o.id ORDER BY r.id DESC LIMIT 1) AS run_state
        FROM dispatches o JOIN deliveries od ON od.id = o.delivery
        WHERE o.job = @job AND o.delivery < (SELECT delivery FROM dispatches WHERE id = @id)
          AND (o.status IN ('pending', 'running') OR o.id IN (SELECT dispatch FROM runs WHERE job = @job AND state IN ('queued', 'running')))
          AND NOT EXISTS (SELECT 1 FROM run_aborts a WHERE a.dispatch = o.id)
        ORDER BY o.id`),
      abortOf: db.prepare<[number], AbortRow>(`SELECT * FROM run_aborts WHERE dispatch = ?`),
      setAbort: db.prepare<[string, string, number]>(`UPDATE run_aborts SET state = ?, answer = ? WHERE dispatch = ?`),
    };
    this.#s = s;

    const insert = (actor: Actor, fields: { action: PageActionKind; delivery: number; dispatch?: number; what: string; outcome: string }) => {
      const changed = s.insertAction.run({
        once: actor.once, at: actor.at, user: actor.user, address: actor.address, action: fields.action,
        delivery: fields.delivery, dispatch: fields.dispatch ?? null, made: null, what: fields.what, outcome: fields.outcome,
      });
      return changed.changes === 0 ? undefined : Number(changed.lastInsertRowid);
    };
    const repeated = (actor: Actor): ActionResult => ({ kind: "repeated", action: toAction(s.byOnce.get(actor.once)!) });
    const done = (actor: Actor): ActionResult => ({ kind: "done", action: toAction(s.byOnce.get(actor.once)!) });

    this.#rebuild = db.transaction((actor: Actor, dispatchId: number, reason: (deliveryId: number) => string): ActionResult | undefined => {
      const source = s.dispatch.get(dispatchId);
      if (source === undefined) return undefined;
      const id = insert(actor, {
        action: "rebuild", delivery: source.delivery, dispatch: source.id,
        what: `rebuild of ${source.job} (dispatch ${source.id})`, outcome: "queued",
      });
      if (id === undefined) return repeated(actor);
      const made = Number(s.insertDispatch.run({
        delivery: source.delivery, job: source.job, params: source.params, host: source.host, reason: reason(source.delivery), now: actor.at,
      }).lastInsertRowid);
      s.setMade.run(made, id);
      return done(actor);
    });

    this.#build = db.transaction((actor: Actor, delivery: ManualDelivery, request: (deliveryId: number) => JobRequest): ActionResult => {
      const existing = s.byOnce.get(actor.once);
      if (existing !== undefined) return { kind: "repeated", action: toAction(existing) };
      const deliveryId = Number(s.insertDelivery.run({
        forge: delivery.forge, delivery_id: delivery.deliveryId, at: actor.at, repo: delivery.repo, ref: delivery.ref,
        user: actor.user, address: actor.address, payload: delivery.payload, note: delivery.note, trace: "[]",
      }).lastInsertRowid);
      const job = request(deliveryId);
      insert(actor, { action: "build", delivery: deliveryId, what: `build of ${job.job} at ${delivery.ref}`, outcome: "queued" });
      const made = Number(s.insertDispatch.run({
        delivery: deliveryId, job: job.job, params: JSON.stringify(job.params), host: job.host, reason: job.reason, now: actor.at,
      }).lastInsertRowid);
      s.setMade.run(made, s.byOnce.get(actor.once)!.id);
      return done(actor);
    });

    this.#abortSent = db.transaction((dispatchId: number, state: "sent" | "failed", answer: string) => {
      s.setAbort.run(state, answer, dispatchId);
      s.setAbortOutcome.run(answer, dispatchId);
    });

    this.#abort = db.transaction((actor: Actor, dispatchId: number, what: string, outcome: string): ActionResult | undefined => {
      const target = s.dispatch.get(dispatchId);
      if (target === undefined) return undefined;
      const id = insert(actor, { action: "abort", delivery: target.delivery, dispatch: target.id, what, outcome });
      if (id === undefined) return repeated(actor);
      s.insertAbort.run({ dispatch: target.id, why: "asked", superseded_by: null, at: actor.at });
      return done(actor);
    });
  }

  /**
   * A new pending dispatch of `dispatchId`'s job with the same parameters, and the action that
   * asked for it; undefined when there is no such dispatch.
   */
  rebuild(actor: Actor, dispatchId: number, reason: (deliveryId: number) => string): ActionResult | undefined {
    return guardJournal(() => this.#rebuild.immediate(actor, dispatchId, reason));
  }

  /** A delivery of its own for a build a person chose (`event=manual`), its one dispatch and the action. */
  build(actor: Actor, delivery: ManualDelivery, request: (deliveryId: number) => JobRequest): ActionResult {
    return guardJournal(() => this.#build.immediate(actor, delivery, request));
  }

  /** An abort asked for the dispatch's run, sent when it runs; undefined when there is no such dispatch. */
  abort(actor: Actor, dispatchId: number, what: string, outcome: string): ActionResult | undefined {
    return guardJournal(() => this.#abort.immediate(actor, dispatchId, what, outcome));
  }

  /** A newer push's abort of an older dispatch's run (`supersede`); false when one was asked already. */
  supersede(dispatchId: number, by: string, at: number): boolean {
    return guardJournal(() => this.#s.insertAbort.run({ dispatch: dispatchId, why: "superseded", superseded_by: by, at }).changes > 0);
  }

  /** The job's dispatches of deliveries before `dispatchId`'s that are not settled and have no abort asked. */
  olderOpen(dispatchId: number, job: string): OpenDispatch[] {
    return guardJournal(() => this.#s.olderOpen.all({ id: dispatchId, job }).map((row) => ({
      id: row.id, status: row.status as DispatchStatus, params: JSON.parse(row.params) as Record<string, string>, repo: row.repo,
      kind: row.kind, runState: row.run_state as OpenDispatch["runState"],
    })));
  }

  /** What an action came to, once known (`laminarc abort` answered). */
  setOutcome(actionId: number, outcome: string): void {
    guardJournal(() => this.#s.setOutcome.run(outcome, actionId));
  }

  /** One dispatch as the list has it, and its delivery; undefined when there is none. */
  dispatch(dispatchId: number): (DispatchSummary & { deliveryId: number; host: string }) | undefined {
    const row = guardJournal(() => this.#s.dispatchState.get(dispatchId));
    if (row === undefined) return undefined;
    return {
      id: row.id, deliveryId: row.delivery, job: row.job, host: row.host, status: row.status as DispatchStatus, run: row.run,
      attempts: row.attempts, lastError: row.last_error,
    };
  }

  /**
   * The forge the repository's last delivery came from, and the clone URL its jobs were last given
   * by a delivery of the forge's. Not by a manual build: its clone URL came from here, the poll:
   * remote or a guess from the forge's API root, which git may not read without credentials (and
   * the API would then never be asked again).
   */
  lastSeen(repo: string): { forge: ForgeName; cloneUrl?: string } | undefined {
    const rows = guardJournal(() => this.#s.lastSeen.all(repo));
    if (rows.length === 0) return undefined;
    const cloneUrl = rows.map((row) => (row.params === null || row.kind === "manual" ? undefined : (JSON.parse(row.params) as Record<string, string>).clone_url)).find(Boolean);
    return { forge: rows[0]!.forge as ForgeName, ...(cloneUrl === undefined ? {} : { cloneUrl }) };
  }

  abortOf(dispatchId: number): RunAbortRecord | undefined {
    const row = guardJournal(() => this.#s.abortOf.get(dispatchId));
    return row === undefined ? undefined : toAbort(row);
  }

  /**
   * laminarc abort was run for the dispatch's run: `sent` when it took it, else `failed`, with its
   * answer, which the person's abort actions waiting for it now say.
   */
  abortSent(dispatchId: number, state: "sent" | "failed", answer: string): void {
    guardJournal(() => this.#abortSent.immediate(dispatchId, state, answer));
  }

  /** The dispatches whose abort waits for their run to start. */
  waitingAborts(): number[] {
    return guardJournal(() => this.#s.waitingAborts.all().map((row) => row.dispatch));
  }

  /** The page's and `show`'s list of what was done to a delivery, oldest first. */
  ofDelivery(deliveryId: number): PageActionRecord[] {
    return guardJournal(() => this.#s.byDelivery.all(deliveryId).map(toAction));
  }
}

function toAction(row: ActionRow): PageActionRecord {
  return {
    id: row.id, at: row.at, user: row.user, address: row.address, action: row.action, deliveryId: row.delivery,
    dispatchId: row.dispatch, madeDispatchId: row.made, what: row.what, outcome: row.outcome,
  };
}

function toAbort(row: AbortRow): RunAbortRecord {
  return {
    dispatchId: row.dispatch, why: row.why, supersededBy: row.superseded_by, state: row.state, askedAt: row.asked_at, answer: row.answer,
  };
}
