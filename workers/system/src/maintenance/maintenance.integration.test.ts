/**
 * The maintenance module in a real system worker: its leader tasks call the execution service's internal router
 * (in this process, over a real database and a file system object store) and trim the Redis streams.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@opsc/db";
import { EXECUTION_SCHEMA, type ExecutionDatabase } from "@opsc/execution/database";
import { createExecutionInternalRouter } from "@opsc/execution/internal";
import { logArchiverFor } from "@opsc/execution/logs/archive";
import { migrate } from "@opsc/execution/migrate";
import { Dispatcher } from "@opsc/execution/runs/dispatch";
import { createLogger } from "@opsc/logger";
import { FsObjectStore } from "@opsc/objectstore";
import { createServiceHttp } from "@opsc/server-kit";
import { metricsRegistry } from "@opsc/server-kit/metrics";
import { defineJob } from "@opsc/streams";
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from "@opsc/testing";
import { parseVaultKeys } from "@opsc/vault";
import { Elysia } from "elysia";
import Redis from "ioredis";
import { z } from "zod";
import { waitFor } from "../test-support/deployment.ts";
import { SystemWorker } from "../worker.ts";
import { createMaintenanceModule } from "./index.ts";

const TOKEN = "maintenance-test-internal-token-0123456789";
const DAY_MS = 24 * 3600_000;
const log = createLogger({ service: "maintenance-test", level: process.env.TEST_LOG_LEVEL ?? "silent" });
const vault = parseVaultKeys(`k1:${Buffer.alloc(32, 3).toString("base64")}`);
let database: TestDatabase;
let testRedis: TestRedis;
let pool: ReturnType<typeof createDb<ExecutionDatabase>>;
let objectsDir: string;
let store: FsObjectStore;
let app: { handle(request: Request): Promise<Response> };
let worker: SystemWorker | null = null;

beforeAll(async () => {
  database = await createTestDatabase();
  testRedis = await createTestRedis();
  await migrate(database.url);
  pool = createDb<ExecutionDatabase>({ url: database.url, schema: EXECUTION_SCHEMA, poolMax: 4 });
  objectsDir = mkdtempSync(join(tmpdir(), "opsc-maintenance-"));
  store = new FsObjectStore({ root: objectsDir });
  const deps = {
    db: pool.db,
    redis: testRedis.redis,
    prefix: testRedis.prefix,
    log,
    inventory: (() => ({})) as never,
    dispatcher: new Dispatcher(testRedis.redis, testRedis.prefix),
    objectStore: store,
    vault,
  };
  const http = createServiceHttp({ service: "execution", log, trustedProxies: [], readiness: {} });
  app = new Elysia().use(http.mountInternalRouter("execution", createExecutionInternalRouter(deps), TOKEN));
  // Two finished runs with logs and an artifact: one past the log retention (30 days), one past the run retention.
  for (const [name, days] of [
    ["old-log", 40],
    ["old-run", 400],
  ] as const)
    await insertRun(deps, name, days);
}, 60_000);

afterAll(async () => {
  await worker?.stop({ timeoutMs: 500 });
  pool.pool.on("error", () => undefined);
  await pool.db.destroy();
  await testRedis.cleanup();
  await database.drop();
  rmSync(objectsDir, { recursive: true, force: true });
});

async function insertRun(deps: Parameters<typeof logArchiverFor>[0], name: string, finishedDaysAgo: number) {
  const at = new Date(Date.now() - finishedDaysAgo * DAY_MS);
  const run = await pool.db
    .insertInto("runs")
    .values({
      name,
      state: "succeeded",
      action: JSON.stringify({ type: "noop" }),
      run_on: "target",
      selector: null,
      env: "{}",
      sudo: false,
      timeout_seconds: 60,
      fan_out: null,
      failure_threshold: null,
      worker_group: "default",
      exclusive: false,
      idempotency_key: null,
      created_by: null,
      retry_of: null,
      total: 1,
      queued: 0,
      succeeded: 1,
      created_at: at,
      started_at: at,
      finished_at: at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const task = await pool.db
    .insertInto("tasks")
    .values({
      run_id: run.id,
      run_created_at: at,
      seq: 0,
      target_id: crypto.randomUUID(),
      target_name: `${name}-target`,
      target_address: "127.0.0.1",
      target: "{}",
      state: "succeeded",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await pool.db
    .insertInto("log_chunks")
    .values(
      [0, 1, 2].map((seq) => ({
        run_id: run.id,
        offset_ms: at.getTime(),
        offset_seq: seq,
        task_id: task.id,
        stream: "stdout",
        data: `${name} line ${seq}\n`,
        at,
      })),
    )
    .execute();
  const key = `artifacts/${run.id}/${task.id}/out.txt`;
  await store.put(key, "artifact");
  await pool.db
    .insertInto("artifacts")
    .values({
      run_id: run.id,
      task_id: task.id,
      name: "out.txt",
      size: 8,
      sha256: "0".repeat(64),
      content_type: "text/plain",
      object_key: key,
    })
    .execute();
  if (!(await logArchiverFor(deps).archive(run.id))) throw new Error("could not archive the test run's log");
}

const runNamed = (name: string) =>
  pool.db.selectFrom("runs").select(["id", "logs_pruned_at"]).where("name", "=", name).executeTakeFirst();

async function counter(name: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, sample) => sum + sample.value, 0);
}

test("the leader prunes old logs and runs through the execution service and trims the streams", async () => {
  const events = `${testRedis.prefix}:events`;
  await testRedis.redis.xadd(events, "1000-0", "type", "ancient");
  await testRedis.redis.xadd(events, "*", "type", "recent");
  const staleLive = `${testRedis.prefix}:execution:log:${crypto.randomUUID()}`;
  await testRedis.redis.xadd(staleLive, "1000-0", "d", "long ago");
  const oldRunId = (await runNamed("old-run"))!.id;
  const before = {
    rows: await counter("opsc_maintenance_rows_pruned_total"),
    bytes: await counter("opsc_maintenance_bytes_archived_total"),
    trimmed: await counter("opsc_maintenance_stream_entries_trimmed_total"),
  };

  worker = new SystemWorker({
    redis: new Redis(testRedis.url, { maxRetriesPerRequest: 1 }),
    prefix: testRedis.prefix,
    vault,
    internalToken: TOKEN,
    serviceUrls: { execution: "http://localhost" },
    modules: [
      // The worker consumes at least one stream; the maintenance module has no jobs of its own.
      {
        name: "idle",
        jobs: [
          defineJob({
            name: "idle.nothing",
            stream: "idle",
            schema: z.object({}),
            visibilityTimeoutMs: 1_000,
            maxAttempts: 1,
          }),
        ],
        handlers: () => ({ "idle.nothing": async () => {} }),
      },
      createMaintenanceModule({
        intervalMs: 60_000,
        fetch: (input, init) => app.handle(new Request(input, init)),
        streams: { retentionMs: 3_600_000, deadLetterRetentionMs: 3_600_000, liveLogRetentionMs: 3_600_000 },
      }),
    ],
    concurrency: 2,
    leaseTtlMs: 1_000,
    blockMs: 200,
    log,
  });
  await worker.start();
  expect(worker.isLeader).toBe(true);

  await waitFor("the old run to be deleted", async () => !(await runNamed("old-run")));
  await waitFor("the old log to be pruned", async () => (await runNamed("old-log"))?.logs_pruned_at);
  await waitFor("the streams to be trimmed", async () => (await testRedis.redis.exists(staleLive)) === 0);
  await waitFor("the old event to be trimmed", async () => (await testRedis.redis.xlen(events)) === 1);

  const chunks = await pool.db
    .selectFrom("log_chunks")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  expect(Number(chunks.n)).toBe(0);
  const [year, month] = new Date(Date.now() - 400 * DAY_MS).toISOString().split("-");
  expect(await store.head(`archives/runs/${year}/${month}/${oldRunId}.json`)).not.toBeNull();
  const [remaining] = (await testRedis.redis.xrange(events, "-", "+")) as [string, string[]][];
  expect(remaining![1]).toEqual(["type", "recent"]);

  await waitFor(
    "the metrics to count it",
    async () =>
      (await counter("opsc_maintenance_rows_pruned_total")) >= before.rows + 3 + 1 + 1 + 1 + 3 &&
      (await counter("opsc_maintenance_bytes_archived_total")) > before.bytes &&
      (await counter("opsc_maintenance_stream_entries_trimmed_total")) >= before.trimmed + 1,
  );
});
