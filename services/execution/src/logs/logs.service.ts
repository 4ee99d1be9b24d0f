import type { TLogChunk } from "@opsc/contracts/execution/runs";
import {
  TERMINAL_RUN_STATES,
  type TRunState,
  type ZReadLogRequestSchema,
} from "@opsc/contracts/execution/runs";
import { AppError, notFound } from "@opsc/server-kit";
import { sql } from "kysely";
import type { z } from "zod";
import type { ExecutionServiceDeps } from "../deps.ts";
import { executionKeys } from "../jobs.ts";
import { parseOffset } from "../reports.ts";
import { readArchivedChunks, readArchivedPage } from "../retention/log-segments.ts";

type ReadInput = z.output<typeof ZReadLogRequestSchema>;

function offsetOf(value: string | undefined, field: string) {
  if (value === undefined) return { ms: 0, seq: 0 };
  const offset = parseOffset(value);
  if (!offset) throw new AppError("BAD_REQUEST", { field, message: "An offset looks like 1732650000000-0" });
  return offset;
}

/**
 * The run's state and whether its log left PostgreSQL (retention). The state is read before the chunks: a run is
 * over only once every chunk was stored, so an empty read after a final state means the end. Pruning marks the run
 * in the transaction that deletes its chunks: chunks read before that commit are all there, and a short read is
 * followed by a second look at the mark.
 */
async function runOf(
  deps: Pick<ExecutionServiceDeps, "db">,
  runId: string,
): Promise<{ state: TRunState; isPruned: boolean }> {
  const run = await deps.db
    .selectFrom("runs")
    .select(["state", "logs_pruned_at"])
    .where("id", "=", runId)
    .executeTakeFirst();
  if (!run) throw notFound("run");
  return { state: run.state as TRunState, isPruned: run.logs_pruned_at !== null };
}

/** Persisted chunks of a run (or one task) after an offset, in order. */
async function persistedAfter(
  deps: Pick<ExecutionServiceDeps, "db">,
  input: { runId: string; taskId?: string | undefined; after: { ms: number; seq: number }; limit: number },
): Promise<TLogChunk[]> {
  let query = deps.db
    .selectFrom("log_chunks")
    .select(["offset_ms", "offset_seq", "task_id", "stream", "data", "at"])
    .where("run_id", "=", input.runId)
    .where(sql<boolean>`(offset_ms, offset_seq) > (${input.after.ms}, ${input.after.seq})`);
  if (input.taskId) query = query.where("task_id", "=", input.taskId);
  const rows = await query.orderBy("offset_ms").orderBy("offset_seq").limit(input.limit).execute();
  return rows.map((row) => ({
    offset: `${row.offset_ms}-${row.offset_seq}`,
    taskId: row.task_id,
    stream: row.stream as TLogChunk["stream"],
    text: row.data,
    at: new Date(row.at).toISOString(),
  }));
}

/**
 * A page of a run's output: from PostgreSQL, or from the object store once the run's log was pruned (retention).
 * `complete` once the run is over and nothing is left.
 */
export async function readLog(deps: Pick<ExecutionServiceDeps, "db" | "objectStore">, input: ReadInput) {
  const page = {
    runId: input.runId,
    taskId: input.taskId,
    after: offsetOf(input.after, "after"),
    limit: input.limit,
  };
  const { state, isPruned } = await runOf(deps, input.runId);
  const isOver = TERMINAL_RUN_STATES.includes(state);
  let items = isPruned ? await readArchivedPage(deps, page) : await persistedAfter(deps, page);
  // Only a finished run is pruned: a short page of one may have met its pruning.
  if (!isPruned && isOver && items.length < input.limit && (await runOf(deps, input.runId)).isPruned)
    items = await readArchivedPage(deps, page);
  return {
    items,
    nextOffset: items.at(-1)?.offset ?? input.after ?? null,
    complete: isOver && items.length < input.limit,
  };
}

/**
 * Follows a run's output from an offset: what PostgreSQL already holds, then the run's live stream in Redis (the
 * same offsets), until the run is over and everything was sent. Each yielded chunk carries its offset, so a client
 * that reconnects resumes where it stopped.
 */
export async function* tailLog(
  deps: Pick<ExecutionServiceDeps, "db" | "redis" | "prefix" | "objectStore">,
  input: { runId: string; taskId?: string | undefined; after?: string | undefined },
  signal: AbortSignal | undefined,
): AsyncGenerator<TLogChunk> {
  let after = offsetOf(input.after, "after");
  const live = deps.redis.duplicate();
  const key = executionKeys(deps.prefix).liveLog(input.runId);
  const onAbort = () => live.disconnect();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    // A pruned run is long over: the rest of its log is in the object store.
    const archived = async function* () {
      for await (const chunk of readArchivedChunks(deps, {
        runId: input.runId,
        taskId: input.taskId,
        after,
      })) {
        if (signal?.aborted) return;
        yield chunk;
      }
    };
    while (!signal?.aborted) {
      const { state, isPruned } = await runOf(deps, input.runId);
      if (isPruned) {
        yield* archived();
        return;
      }
      // Catch up from PostgreSQL first (everything before the live stream's window, and after a reconnect).
      const stored = await persistedAfter(deps, {
        runId: input.runId,
        taskId: input.taskId,
        after,
        limit: 1000,
      });
      for (const chunk of stored) yield chunk;
      if (stored.length > 0) {
        after = parseOffset(stored.at(-1)!.offset)!;
        continue;
      }
      if (TERMINAL_RUN_STATES.includes(state)) {
        if ((await runOf(deps, input.runId)).isPruned) yield* archived();
        return;
      }
      // The live stream keeps a window of recent chunks. When its oldest entry is past our position, chunks in between
      // may have been trimmed: they come from PostgreSQL (the loop's first step) once the ingester has stored them.
      const oldest = (await live.xrange(key, "-", "+", "COUNT", 1).catch(() => [])) as [string, string[]][];
      const oldestOffset = oldest[0] ? parseOffset(oldest[0][0]) : null;
      if (
        oldestOffset &&
        (oldestOffset.ms > after.ms || (oldestOffset.ms === after.ms && oldestOffset.seq > after.seq + 1))
      ) {
        await Bun.sleep(100);
        continue;
      }
      const response = (await live
        .xread("COUNT", 500, "BLOCK", 2_000, "STREAMS", key, `${after.ms}-${after.seq}`)
        .catch(() => null)) as [string, [string, string[]][]][] | null;
      for (const [id, fields] of response?.[0]?.[1] ?? []) {
        const map = new Map<string, string>();
        for (let index = 0; index + 1 < fields.length; index += 2)
          map.set(fields[index]!, fields[index + 1]!);
        after = parseOffset(id) ?? after;
        if (input.taskId && map.get("t") !== input.taskId) continue;
        yield {
          offset: id,
          taskId: map.get("t") ?? "",
          stream: (map.get("s") ?? "stdout") as TLogChunk["stream"],
          text: map.get("d") ?? "",
          at: new Date(Number(map.get("at") ?? 0)).toISOString(),
        };
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    live.disconnect();
  }
}
