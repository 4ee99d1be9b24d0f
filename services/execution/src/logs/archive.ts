import type { ObjectStore } from "@opsc/objectstore";
import { type Kysely, sql } from "kysely";
import type { ExecutionDatabase } from "../database.ts";
import type { ExecutionServiceDeps } from "../deps.ts";

/** Tasks read per query while writing a run's log. */
const TASK_PAGE = 500;
/** Chunks (up to 64 KiB each) read per query: at most a few MB of text at a time. */
const CHUNK_PAGE = 64;
/** Runs archived per reconciler pass. */
const ARCHIVE_PAGE = 20;
/** A failed archive is tried again after this, doubling per failure up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;

export const LOG_CONTENT_TYPE = "text/plain; charset=utf-8";

/** The object key of a run's archived log. */
export const logArchiveKey = (runId: string) => `logs/${runId}.log`;

/**
 * A run's whole log as text, task by task in target order: a header line `== <target name> (<task state>) ==`,
 * then the task's chunks (stdout, stderr and the worker's own lines, as they came) concatenated in offset order,
 * ending with a line break. Read from PostgreSQL a page at a time, so the log is never in memory whole.
 */
export async function* runLogText(db: Kysely<ExecutionDatabase>, runId: string): AsyncGenerator<string> {
  let afterSeq = -1;
  for (;;) {
    const tasks = await db
      .selectFrom("tasks")
      .select(["id", "seq", "target_name", "state"])
      .where("run_id", "=", runId)
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(TASK_PAGE)
      .execute();
    for (const task of tasks) {
      yield `== ${task.target_name} (${task.state}) ==\n`;
      let after = { ms: -1, seq: -1 };
      let endsWithNewline = true;
      for (;;) {
        const chunks = await db
          .selectFrom("log_chunks")
          .select(["offset_ms", "offset_seq", "data"])
          .where("task_id", "=", task.id)
          .where(sql<boolean>`(offset_ms, offset_seq) > (${after.ms}, ${after.seq})`)
          .orderBy("offset_ms")
          .orderBy("offset_seq")
          .limit(CHUNK_PAGE)
          .execute();
        for (const chunk of chunks) {
          if (chunk.data.length === 0) continue;
          yield chunk.data;
          endsWithNewline = chunk.data.endsWith("\n");
        }
        if (chunks.length < CHUNK_PAGE) break;
        const last = chunks.at(-1)!;
        after = { ms: Number(last.offset_ms), seq: last.offset_seq };
      }
      if (!endsWithNewline) yield "\n";
    }
    if (tasks.length < TASK_PAGE) return;
    afterSeq = tasks.at(-1)!.seq;
  }
}

/** Text pieces as a byte stream, produced only as fast as the reader reads. */
export function textStream(pieces: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
}

type ArchiveDeps = Pick<ExecutionServiceDeps, "db" | "objectStore" | "log">;

/**
 * Writes finished runs' logs to the object store (`logs/<runId>.log`) and records it on the run
 * (`log_archive_key`, `log_archived_at`). The report ingester starts one as soon as a run finishes (after its
 * transaction committed); the reconciler's pass picks up every finished run still without one, so an archive
 * that failed (the store was down) is retried, with a per-run backoff. One archiver per object store and process,
 * so both paths share what is in flight.
 */
export class LogArchiver {
  readonly #deps: ArchiveDeps;
  readonly #inFlight = new Map<string, Promise<boolean>>();
  readonly #backoff = new Map<string, { until: number; delayMs: number }>();

  constructor(deps: ArchiveDeps) {
    this.#deps = deps;
  }

  /** Archives in the background; a failure is logged and left for the reconciler. */
  schedule(runId: string): void {
    void this.archive(runId);
  }

  /** Writes and records the run's archive; resolves false when it failed (logged). Deduplicated per run. */
  archive(runId: string): Promise<boolean> {
    const running = this.#inFlight.get(runId);
    if (running) return running;
    const work = this.#archive(runId).finally(() => this.#inFlight.delete(runId));
    this.#inFlight.set(runId, work);
    return work;
  }

  async #archive(runId: string): Promise<boolean> {
    const key = logArchiveKey(runId);
    try {
      await this.#deps.objectStore.put(key, textStream(runLogText(this.#deps.db, runId)), {
        contentType: LOG_CONTENT_TYPE,
      });
      await this.#deps.db
        .updateTable("runs")
        .set({ log_archive_key: key, log_archived_at: new Date() })
        .where("id", "=", runId)
        .where("log_archived_at", "is", null)
        .execute();
      this.#backoff.delete(runId);
      return true;
    } catch (error) {
      const previous = this.#backoff.get(runId);
      const delayMs = Math.min(previous ? previous.delayMs * 2 : FIRST_BACKOFF_MS, MAX_BACKOFF_MS);
      this.#backoff.set(runId, { until: Date.now() + delayMs, delayMs });
      this.#deps.log.warn(
        { err: error, runId, retryInMs: delayMs },
        "could not archive the run's log; the reconciler tries again",
      );
      return false;
    }
  }

  /**
   * One pass: archives finished runs without an archive (oldest first, a page at a time), skipping those whose
   * last attempt failed recently. Returns how many were archived.
   */
  async archivePending(): Promise<number> {
    const now = Date.now();
    const runs = await this.#deps.db
      .selectFrom("runs")
      .select("id")
      .where("finished_at", "is not", null)
      .where("log_archived_at", "is", null)
      .orderBy("finished_at")
      .limit(ARCHIVE_PAGE + this.#backoff.size + this.#inFlight.size)
      .execute();
    let archived = 0;
    let attempted = 0;
    for (const { id } of runs) {
      if (attempted >= ARCHIVE_PAGE) break;
      if ((this.#backoff.get(id)?.until ?? 0) > now) continue;
      attempted++;
      if (await this.archive(id)) archived++;
    }
    return archived;
  }

  /** Resolves once nothing is being archived (for a clean shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight.values()]);
  }
}

const archivers = new WeakMap<ObjectStore, LogArchiver>();

/** The archiver of the deps' object store in this process (the ingester and the reconciler share it). */
export function logArchiverFor(deps: ArchiveDeps): LogArchiver {
  let archiver = archivers.get(deps.objectStore);
  if (!archiver) {
    archiver = new LogArchiver(deps);
    archivers.set(deps.objectStore, archiver);
  }
  return archiver;
}
