import { type TTaskReport, ZTaskReport } from "@opsc/contracts/execution/messages";
import type { Redis, Result } from "ioredis";
import { executionKeys } from "./jobs.ts";

/**
 * Cap of a run's live stream (entries of up to 64 KiB, so at most about 32 MiB of Redis per run): the recent tail
 * for live viewers; PostgreSQL keeps everything, and a viewer behind the window catches up from there.
 */
export const LIVE_LOG_MAX_ENTRIES = 500;
/** A live stream disappears this long after its last chunk. */
export const LIVE_LOG_TTL_MS = 60 * 60 * 1000;
/** Approximate cap of the reports stream; the service consumes it continuously. */
export const REPORTS_MAX_LENGTH = 1_000_000;

export type LogStreamName = "stdout" | "stderr" | "system";

/** One chunk of output as a worker appends it. */
export interface LogAppend {
  runId: string;
  taskId: string;
  stream: LogStreamName;
  data: string;
  at: number;
}

/**
 * Appends a chunk to the run's live stream and, with the live entry's id as its offset, to the reports stream that
 * the service persists from; one round trip, atomic, so both always agree on the offset.
 */
const APPEND_LOG = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 't', ARGV[2], 's', ARGV[3], 'd', ARGV[4], 'at', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[7], '*', 'k', 'log', 'r', ARGV[8], 'o', id, 't', ARGV[2], 's', ARGV[3], 'd', ARGV[4], 'at', ARGV[5])
return id
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    opscAppendLog(
      liveKey: string,
      reportsKey: string,
      maxLive: number,
      taskId: string,
      stream: string,
      data: string,
      at: number,
      ttlMs: number,
      maxReports: number,
      runId: string,
    ): Result<string, Context>;
  }
}

function withScripts(redis: Redis): Redis {
  if ((redis as unknown as Record<string, unknown>).opscAppendLog === undefined)
    redis.defineCommand("opscAppendLog", { numberOfKeys: 2, lua: APPEND_LOG });
  return redis;
}

/** Writes what workers report. */
export class ReportWriter {
  readonly #redis: Redis;
  readonly #keys: ReturnType<typeof executionKeys>;

  constructor(redis: Redis, prefix: string) {
    this.#redis = withScripts(redis);
    this.#keys = executionKeys(prefix);
  }

  async report(report: TTaskReport): Promise<void> {
    await this.#redis.xadd(
      this.#keys.reports,
      "MAXLEN",
      "~",
      REPORTS_MAX_LENGTH,
      "*",
      "k",
      "report",
      "p",
      JSON.stringify(report),
    );
  }

  /** Returns the chunk's offset. */
  async appendLog(chunk: LogAppend): Promise<string> {
    return this.#redis.opscAppendLog(
      this.#keys.liveLog(chunk.runId),
      this.#keys.reports,
      LIVE_LOG_MAX_ENTRIES,
      chunk.taskId,
      chunk.stream,
      chunk.data,
      chunk.at,
      LIVE_LOG_TTL_MS,
      REPORTS_MAX_LENGTH,
      chunk.runId,
    );
  }
}

/** An entry of the reports stream, decoded. */
export type ReportEntry =
  | { kind: "report"; report: TTaskReport }
  | { kind: "log"; runId: string; offset: string; chunk: Omit<LogAppend, "runId"> }
  | { kind: "invalid"; reason: string };

export function decodeReportEntry(fields: string[]): ReportEntry {
  const map = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) map.set(fields[index]!, fields[index + 1]!);
  const kind = map.get("k");
  if (kind === "report") {
    let value: unknown;
    try {
      value = JSON.parse(map.get("p") ?? "");
    } catch {
      return { kind: "invalid", reason: "report is not JSON" };
    }
    const parsed = ZTaskReport.safeParse(value);
    return parsed.success
      ? { kind: "report", report: parsed.data }
      : { kind: "invalid", reason: "bad report" };
  }
  if (kind === "log") {
    const stream = map.get("s");
    if (stream !== "stdout" && stream !== "stderr" && stream !== "system")
      return { kind: "invalid", reason: "bad log stream" };
    return {
      kind: "log",
      runId: map.get("r") ?? "",
      offset: map.get("o") ?? "",
      chunk: {
        taskId: map.get("t") ?? "",
        stream,
        data: map.get("d") ?? "",
        at: Number(map.get("at") ?? 0),
      },
    };
  }
  return { kind: "invalid", reason: `unknown kind ${kind}` };
}

/** A live-stream entry id (`ms-seq`) as the two numbers PostgreSQL orders by. */
export function parseOffset(offset: string): { ms: number; seq: number } | null {
  const match = /^(\d{1,15})-(\d{1,9})$/.exec(offset);
  return match ? { ms: Number(match[1]), seq: Number(match[2]) } : null;
}
