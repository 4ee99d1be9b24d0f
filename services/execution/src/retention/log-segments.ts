// A pruned run's log chunks live in the object store as NDJSON segments (one chunk per line, in offset order, a few
// MB per object), indexed by `log_segments` rows, so `logs.read` and `logs.tail` still page a pruned run's log by
// offset, and one task's log reads only the segments that hold it.
import type { TLogChunk } from "@opsc/contracts/execution/runs";
import { AppError } from "@opsc/server-kit";
import { sql } from "kysely";
import type { ExecutionServiceDeps } from "../deps.ts";

type SegmentDeps = Pick<ExecutionServiceDeps, "db" | "objectStore">;

export interface Offset {
  ms: number;
  seq: number;
}

/** Chunks per segment at most. */
const SEGMENT_MAX_CHUNKS = 5_000;
/** NDJSON bytes per segment, about: a page of `logs.read` reads one or two segments. */
const SEGMENT_MAX_BYTES = 4 * 1024 * 1024;
/** Chunks (up to 64 KiB each) read per query while writing: at most 8 MB of text at a time. */
const CHUNK_PAGE = 128;

export const SEGMENT_CONTENT_TYPE = "application/x-ndjson";

/** The object key of a pruned run's `seq`-th log segment. */
export const logSegmentKey = (runId: string, seq: number) =>
  `logs/${runId}.chunks/${String(seq).padStart(6, "0")}.ndjson`;

export const isAfter = (a: Offset, b: Offset) => a.ms > b.ms || (a.ms === b.ms && a.seq > b.seq);

const offsetText = (offset: Offset) => `${offset.ms}-${offset.seq}`;

function parseOffsetText(value: string): Offset {
  const [ms, seq] = value.split("-");
  return { ms: Number(ms), seq: Number(seq) };
}

/** A segment written to the object store, not yet recorded in `log_segments`. */
export interface WrittenSegment {
  seq: number;
  objectKey: string;
  first: Offset;
  last: Offset;
  chunks: number;
  bytes: number;
  taskIds: string[];
}

/**
 * Writes the run's chunks, read from PostgreSQL a page at a time in offset order, to segment objects. The same run
 * always gives the same keys, so an interrupted prune that runs again replaces its own objects.
 */
export async function writeLogSegments(deps: SegmentDeps, runId: string): Promise<WrittenSegment[]> {
  const segments: WrittenSegment[] = [];
  let lines: Buffer[] = [];
  let bytes = 0;
  let first: Offset | null = null;
  let last: Offset = { ms: -1, seq: -1 };
  let taskIds = new Set<string>();

  const flush = async () => {
    if (lines.length === 0 || !first) return;
    const seq = segments.length + 1;
    const objectKey = logSegmentKey(runId, seq);
    const body = Buffer.concat(lines, bytes);
    await deps.objectStore.put(objectKey, new Uint8Array(body.buffer, body.byteOffset, body.byteLength), {
      contentType: SEGMENT_CONTENT_TYPE,
    });
    segments.push({ seq, objectKey, first, last, chunks: lines.length, bytes, taskIds: [...taskIds] });
    lines = [];
    bytes = 0;
    first = null;
    taskIds = new Set();
  };

  let after: Offset = { ms: -1, seq: -1 };
  for (;;) {
    const rows = await deps.db
      .selectFrom("log_chunks")
      .select(["offset_ms", "offset_seq", "task_id", "stream", "data", "at"])
      .where("run_id", "=", runId)
      .where(sql<boolean>`(offset_ms, offset_seq) > (${after.ms}, ${after.seq})`)
      .orderBy("offset_ms")
      .orderBy("offset_seq")
      .limit(CHUNK_PAGE)
      .execute();
    for (const row of rows) {
      const offset = { ms: Number(row.offset_ms), seq: row.offset_seq };
      const chunk: TLogChunk = {
        offset: offsetText(offset),
        taskId: row.task_id,
        stream: row.stream as TLogChunk["stream"],
        text: row.data,
        at: new Date(row.at).toISOString(),
      };
      const line = Buffer.from(`${JSON.stringify(chunk)}\n`);
      if (lines.length >= SEGMENT_MAX_CHUNKS || (lines.length > 0 && bytes + line.length > SEGMENT_MAX_BYTES))
        await flush();
      lines.push(line);
      bytes += line.length;
      first ??= offset;
      last = offset;
      taskIds.add(row.task_id);
    }
    if (rows.length < CHUNK_PAGE) break;
    after = last;
  }
  await flush();
  return segments;
}

/** The lines of a text stream, without their line breaks. Cancels the stream when the caller stops early. */
async function* linesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      let start = 0;
      for (let end = rest.indexOf("\n"); end >= 0; end = rest.indexOf("\n", start)) {
        yield rest.slice(start, end);
        start = end + 1;
      }
      rest = rest.slice(start);
    }
    rest += decoder.decode();
    if (rest) yield rest;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * A pruned run's chunks (or one task's) after an offset, in order, read from its segments; the caller stops when it
 * has a page. A segment that is missing or a store that fails is an error naming the run's log, not an empty page.
 */
export async function* readArchivedChunks(
  deps: SegmentDeps,
  input: { runId: string; taskId?: string | undefined; after: Offset },
): AsyncGenerator<TLogChunk> {
  let query = deps.db
    .selectFrom("log_segments")
    .select(["object_key"])
    .where("run_id", "=", input.runId)
    .where(sql<boolean>`(last_offset_ms, last_offset_seq) > (${input.after.ms}, ${input.after.seq})`);
  if (input.taskId) query = query.where(sql<boolean>`${input.taskId}::uuid = any(task_ids)`);
  const segments = await query.orderBy("seq").execute();
  for (const segment of segments) {
    let object: Awaited<ReturnType<typeof deps.objectStore.get>>;
    try {
      object = await deps.objectStore.get(segment.object_key);
    } catch (error) {
      throw new AppError("SERVICE_UNAVAILABLE", {
        message: "The object store holding this run's log is not available; try again",
        cause: error,
        context: { key: segment.object_key },
      });
    }
    if (!object)
      throw new AppError("NOT_FOUND", {
        message: "This run's log is no longer stored",
        context: { key: segment.object_key },
      });
    for await (const line of linesOf(object.body)) {
      if (!line) continue;
      const chunk = JSON.parse(line) as TLogChunk;
      if (!isAfter(parseOffsetText(chunk.offset), input.after)) continue;
      if (input.taskId && chunk.taskId !== input.taskId) continue;
      yield chunk;
    }
  }
}

/** Up to `limit` chunks of a pruned run after an offset. */
export async function readArchivedPage(
  deps: SegmentDeps,
  input: { runId: string; taskId?: string | undefined; after: Offset; limit: number },
): Promise<TLogChunk[]> {
  const items: TLogChunk[] = [];
  if (input.limit <= 0) return items;
  for await (const chunk of readArchivedChunks(deps, input)) {
    items.push(chunk);
    if (items.length >= input.limit) break;
  }
  return items;
}
