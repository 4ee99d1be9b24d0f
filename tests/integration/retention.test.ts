/**
 * Retention and stuck-run reaping in one process: the execution service's internal maintenance procedures (called
 * with the internal token, as the system worker calls them), PostgreSQL, Redis, a real execution worker for one run
 * with real output and artifacts, and a real object store: the file system, and S3 (s3rver in this process).
 * Old runs are made by moving `finished_at` back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TLogChunk, TRun } from "@opsc/contracts/execution/runs";
import type { ExecutionDatabase } from "@opsc/execution/database";
import { finalizeStuckRuns, WorkerLostDetector } from "@opsc/execution/ingest/reaper";
import type { ExecutionInternalRouter } from "@opsc/execution/internal";
import { logArchiverFor } from "@opsc/execution/logs/archive";
import { tailLog } from "@opsc/execution/logs/logs.service";
import { pruneRuns } from "@opsc/execution/retention/retention.service";
import { createExecutionWorkerForTests } from "@opsc/execution-worker/test-support";
import type { ExecutionWorker } from "@opsc/execution-worker/worker";
import { createLogger } from "@opsc/logger";
import type { ObjectStore, S3ObjectStore } from "@opsc/objectstore";
import { createInternalClient } from "@opsc/server-kit";
import { EXECUTION_WORKER_GROUP, streamKeys } from "@opsc/streams";
import { type Kysely, sql } from "kysely";
import { startS3System } from "../support/execution.ts";
import { startSystem, type TestSystem } from "../support/system.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const log = createLogger({ service: "retention-test", level: process.env.TEST_LOG_LEVEL ?? "silent" });
const systemActor = { actorId: null, apiKeyId: null, sourceIp: null, requestId: null, isSystem: true };

/** The execution service's internal router, reached like the system worker reaches it. */
function maintenanceOf(system: TestSystem) {
  const connect = createInternalClient<ExecutionInternalRouter>({
    baseUrl: "http://localhost",
    name: "execution",
    token: system.internalToken,
    fetch: (input, init) => system.executionApp.handle(new Request(input, init)),
  });
  return connect({ requestId: crypto.randomUUID(), sourceIp: null, caller: null, headers: new Headers() })
    .maintenance;
}

async function readAll(
  system: TestSystem,
  runId: string,
  options: { limit: number; taskId?: string; after?: string },
): Promise<{ chunks: TLogChunk[]; pages: number }> {
  const chunks: TLogChunk[] = [];
  let after = options.after;
  let pages = 0;
  for (;;) {
    const page = await system.admin.client.execution.logs.read.query({
      runId,
      limit: options.limit,
      ...(options.taskId ? { taskId: options.taskId } : {}),
      ...(after ? { after } : {}),
    });
    pages++;
    chunks.push(...page.items);
    if (page.complete) return { chunks, pages };
    if (page.items.length === 0) throw new Error("an empty page that is not complete");
    after = page.nextOffset ?? undefined;
  }
}

async function tailAll(system: TestSystem, runId: string, after?: string): Promise<TLogChunk[]> {
  const chunks: TLogChunk[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    for await (const chunk of tailLog(system.executionDeps, { runId, after }, controller.signal))
      chunks.push(chunk);
  } finally {
    clearTimeout(timer);
  }
  if (controller.signal.aborted) throw new Error("the tail of a finished run did not end");
  return chunks;
}

const download = (system: TestSystem, path: string) =>
  system.handle(`http://localhost${path}`, { headers: { authorization: `Bearer ${system.admin.token}` } });

/**
 * A finished run written straight into the database: `tasks` tasks on made-up targets, `chunksPerTask` log chunks
 * each (interleaved by offset, as tasks running together produce them), an artifact per task (row and object), and
 * its log archived. `finishedDaysAgo` back-dates it.
 */
async function insertFinishedRun(
  system: TestSystem,
  options: {
    name: string;
    tasks: number;
    chunksPerTask: number;
    finishedDaysAgo: number;
    createdAt?: Date;
    env?: Record<string, string>;
    retryOf?: string;
  },
): Promise<{ runId: string; taskIds: string[] }> {
  const db = system.executionDb;
  const createdAt = options.createdAt ?? new Date(Date.now() - (options.finishedDaysAgo + 1) * DAY_MS);
  const finishedAt = new Date(Date.now() - options.finishedDaysAgo * DAY_MS);
  const run = await db
    .insertInto("runs")
    .values({
      name: options.name,
      state: "succeeded",
      action: JSON.stringify({ type: "command", command: "echo synthetic" }),
      run_on: "target",
      selector: null,
      env: JSON.stringify(options.env ?? {}),
      sudo: false,
      timeout_seconds: 60,
      fan_out: null,
      failure_threshold: null,
      worker_group: "default",
      exclusive: false,
      idempotency_key: null,
      created_by: system.admin.id,
      retry_of: options.retryOf ?? null,
      total: options.tasks,
      queued: 0,
      succeeded: options.tasks,
      created_at: createdAt,
      started_at: createdAt,
      finished_at: finishedAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const tasks = await db
    .insertInto("tasks")
    .values(
      Array.from({ length: options.tasks }, (_, seq) => ({
        run_id: run.id,
        run_created_at: createdAt,
        seq,
        target_id: crypto.randomUUID(),
        target_name: `${options.name}-${seq}`,
        target_address: "127.0.0.1",
        target: JSON.stringify({
          id: crypto.randomUUID(),
          name: `${options.name}-${seq}`,
          address: "127.0.0.1",
          port: 22,
          kind: "ssh",
          http: null,
          expectedHostKey: null,
          credential: { sealed: "v1:k1:SEALED-CREDENTIAL-MUST-NOT-BE-ARCHIVED" },
          sudoCredential: null,
        }),
        state: "succeeded",
        exit_code: 0,
        started_at: createdAt,
        finished_at: finishedAt,
      })),
    )
    .returning(["id", "seq"])
    .execute();
  const taskIds = tasks.sort((a, b) => a.seq - b.seq).map((task) => task.id);
  const rows: unknown[] = [];
  const base = createdAt.getTime();
  for (let index = 0; index < options.tasks * options.chunksPerTask; index++) {
    const task = index % options.tasks;
    rows.push({
      run_id: run.id,
      offset_ms: base + Math.floor(index / 3),
      offset_seq: index % 3,
      task_id: taskIds[task],
      stream: index % 7 === 0 ? "stderr" : "stdout",
      data: `task ${task} line ${index}${index % 11 === 0 ? " ünïcødé ✓" : ""}\n`,
      at: new Date(base + index).toISOString(),
    });
  }
  for (let start = 0; start < rows.length; start += 5_000)
    await sql`
      insert into log_chunks (run_id, offset_ms, offset_seq, task_id, stream, data, at)
      select * from jsonb_to_recordset(${JSON.stringify(rows.slice(start, start + 5_000))}::jsonb)
        as r(run_id uuid, offset_ms bigint, offset_seq int, task_id uuid, stream text, data text, at timestamptz)
    `.execute(db);
  for (const [seq, taskId] of taskIds.entries()) {
    const key = `artifacts/${run.id}/${taskId}/report-${seq}.txt`;
    const body = `report of task ${seq}`;
    await system.objectStore.put(key, body, { contentType: "text/plain" });
    await db
      .insertInto("artifacts")
      .values({
        run_id: run.id,
        task_id: taskId,
        name: `report-${seq}.txt`,
        size: body.length,
        sha256: new Bun.CryptoHasher("sha256").update(body).digest("hex"),
        content_type: "text/plain",
        object_key: key,
      })
      .execute();
  }
  expect(await logArchiverFor(system.executionDeps).archive(run.id)).toBe(true);
  return { runId: run.id, taskIds };
}

async function countRows(db: Kysely<ExecutionDatabase>, runId: string) {
  const row = await sql<{ runs: number; tasks: number; chunks: number; artifacts: number; segments: number }>`
    select (select count(*) from runs where id = ${runId})::int as runs,
           (select count(*) from tasks where run_id = ${runId})::int as tasks,
           (select count(*) from log_chunks where run_id = ${runId})::int as chunks,
           (select count(*) from artifacts where run_id = ${runId})::int as artifacts,
           (select count(*) from log_segments where run_id = ${runId})::int as segments
  `.execute(db);
  return row.rows[0]!;
}

async function objectText(store: ObjectStore, key: string): Promise<string | null> {
  const object = await store.get(key);
  return object ? new Response(object.body).text() : null;
}

describe("retention on the file system store", () => {
  let system: TestSystem;
  let worker: ExecutionWorker;

  beforeAll(async () => {
    system = await startSystem({ reconcileIntervalMs: 200 });
    worker = createExecutionWorkerForTests({
      redis: system.redis.redis,
      prefix: system.redis.prefix,
      vaultKeys: system.vaultKeys,
      localEnabled: true,
      objectStore: system.objectStore,
    });
    await worker.start();
  }, 60_000);
  afterAll(async () => {
    await worker?.stop({ timeoutMs: 5_000 });
    await system?.stop();
  });

  async function finished(id: string): Promise<TRun> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const run = await system.admin.client.execution.runs.get.query({ id });
      if (["succeeded", "failed", "cancelled"].includes(run.state)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} still ${run.state}`);
      await Bun.sleep(50);
    }
  }

  async function archived(runId: string) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const row = await system.executionDb
        .selectFrom("runs")
        .select(["log_archived_at"])
        .where("id", "=", runId)
        .executeTakeFirstOrThrow();
      if (row.log_archived_at) return;
      if (Date.now() > deadline) throw new Error(`run ${runId} has no log archive yet`);
      await Bun.sleep(50);
    }
  }

  const backdate = (runId: string, days: number) =>
    system.executionDb
      .updateTable("runs")
      .set({ finished_at: new Date(Date.now() - days * DAY_MS) })
      .where("id", "=", runId)
      .execute();

  test("pruneLogs moves an old run's chunks to the object store; logs.read, logs.tail and log.txt still serve them", async () => {
    const targets = await Promise.all(
      ["ret-a", "ret-b"].map((name) =>
        system.admin.client.targets.create.mutate({ name, address: "127.0.0.1", port: 9, kind: "http" }),
      ),
    );
    const { run } = await system.admin.client.execution.runs.start.mutate({
      action: {
        type: "command",
        command:
          'for i in 1 2 3; do echo "line $i of $OPSC_TARGET_NAME"; sleep 0.15; done; echo oops >&2; printf "kept" > "$OPSC_ARTIFACTS_DIR/kept.txt"',
      },
      runOn: "local",
      targets: { ids: targets.map((target) => target.id) },
    });
    expect((await finished(run.id)).state).toBe("succeeded");
    await archived(run.id);
    const { run: recent } = await system.admin.client.execution.runs.start.mutate({
      action: { type: "command", command: "echo recent" },
      runOn: "local",
      targets: { ids: [targets[0]!.id] },
    });
    await finished(recent.id);
    await archived(recent.id);
    const [firstTask] = (await system.admin.client.execution.tasks.list.query({ runId: run.id })).items;

    const before = await readAll(system, run.id, { limit: 2 });
    const beforeTask = await readAll(system, run.id, { limit: 2, taskId: firstTask!.id });
    const text = await (await download(system, `/api/v1/execution/runs/${run.id}/log.txt`)).text();
    expect(before.chunks.map((chunk) => chunk.text).join("")).toContain("line 3 of ret-b");
    expect(beforeTask.chunks.every((chunk) => chunk.taskId === firstTask!.id)).toBe(true);
    const chunksBefore = (await countRows(system.executionDb, run.id)).chunks;
    expect(chunksBefore).toBe(before.chunks.length);
    expect(chunksBefore).toBeGreaterThan(2);

    await backdate(run.id, 31);
    const result = await maintenanceOf(system).pruneLogs.mutate({ limit: 50 });
    expect(result).toMatchObject({ runs: 1, chunksDeleted: chunksBefore, failed: 0, more: false });
    expect(result.bytesArchived).toBeGreaterThan(text.length);
    expect(await countRows(system.executionDb, run.id)).toMatchObject({ chunks: 0, segments: 1, tasks: 2 });
    // The recent run keeps its chunks in PostgreSQL.
    expect((await countRows(system.executionDb, recent.id)).chunks).toBeGreaterThan(0);
    const marks = await system.executionDb
      .selectFrom("runs")
      .select(["id", "logs_pruned_at"])
      .where("id", "in", [run.id, recent.id])
      .execute();
    expect(marks.find((row) => row.id === run.id)!.logs_pruned_at).not.toBeNull();
    expect(marks.find((row) => row.id === recent.id)!.logs_pruned_at).toBeNull();

    // The same chunks, paged the same way, from the object store.
    const after = await readAll(system, run.id, { limit: 2 });
    expect(after.chunks).toEqual(before.chunks);
    expect(after.pages).toBe(before.pages);
    expect(await readAll(system, run.id, { limit: 2, taskId: firstTask!.id })).toEqual(beforeTask);
    // From the middle, over REST too.
    const middle = before.chunks[1]!.offset;
    const rest = await download(
      system,
      `/api/v1/execution/runs/${run.id}/log?after=${encodeURIComponent(middle)}&limit=1000`,
    );
    expect(rest.status).toBe(200);
    const page = (await rest.json()) as { items: TLogChunk[]; complete: boolean; nextOffset: string };
    expect(page.items).toEqual(before.chunks.slice(2));
    expect(page.complete).toBe(true);
    expect(page.nextOffset).toBe(before.chunks.at(-1)!.offset);
    // The tail's catch-up, from the start and from an offset.
    expect(await tailAll(system, run.id)).toEqual(before.chunks);
    expect(await tailAll(system, run.id, middle)).toEqual(before.chunks.slice(2));
    // The whole text, from the archive (written again when the log was pruned).
    const response = await download(system, `/api/v1/execution/runs/${run.id}/log.txt`);
    expect(response.headers.get("x-opsc-log-source")).toBe("archive");
    expect(await response.text()).toBe(text);
    // Artifacts are not touched by pruneLogs.
    const [artifact] = (await system.admin.client.execution.artifacts.list.query({ runId: run.id })).items;
    expect(await (await download(system, artifact!.downloadPath)).text()).toBe("kept");

    // Once done, nothing is left to do.
    expect(await maintenanceOf(system).pruneLogs.mutate({ limit: 50 })).toMatchObject({
      runs: 0,
      more: false,
    });
    const audit = await system.executionDb
      .selectFrom("audit_outbox")
      .select(["actor_type", "action"])
      .where("resource_id", "=", run.id)
      .where("action", "=", "run.logs.prune")
      .execute();
    expect(audit).toEqual([{ actor_type: "system", action: "run.logs.prune" }]);

    // Without its archive, a pruned run's log is gone: log.txt says so instead of serving an empty log.
    await system.objectStore.delete(`logs/${run.id}.log`);
    expect((await download(system, `/api/v1/execution/runs/${run.id}/log.txt`)).status).toBe(404);
  }, 60_000);

  test("a pruned log of 12,000 chunks in three segments pages across them, and one task's log skips what it does not need", async () => {
    const { runId, taskIds } = await insertFinishedRun(system, {
      name: "big",
      tasks: 4,
      chunksPerTask: 3_000,
      finishedDaysAgo: 45,
    });
    const before = await readAll(system, runId, { limit: 5_000 });
    expect(before.chunks).toHaveLength(12_000);
    const third = await readAll(system, runId, { limit: 1_000, taskId: taskIds[2]! });
    expect(third.chunks).toHaveLength(3_000);

    const result = await maintenanceOf(system).pruneLogs.mutate({ limit: 50 });
    expect(result).toMatchObject({ runs: 1, chunksDeleted: 12_000, failed: 0 });
    const segments = await system.executionDb
      .selectFrom("log_segments")
      .selectAll()
      .where("run_id", "=", runId)
      .orderBy("seq")
      .execute();
    expect(segments.map((segment) => segment.chunks)).toEqual([5_000, 5_000, 2_000]);
    expect(segments.map((segment) => segment.object_key)).toEqual([
      `logs/${runId}.chunks/000001.ndjson`,
      `logs/${runId}.chunks/000002.ndjson`,
      `logs/${runId}.chunks/000003.ndjson`,
    ]);
    expect(segments[0]!.task_ids.sort()).toEqual([...taskIds].sort());

    // Pages of 777 cross the segments' boundaries; every chunk comes back once, in order, unchanged.
    const after = await readAll(system, runId, { limit: 777 });
    expect(after.pages).toBe(Math.ceil(12_000 / 777));
    expect(after.chunks).toEqual(before.chunks);
    expect(await readAll(system, runId, { limit: 1_000, taskId: taskIds[2]! })).toEqual(third);
    // Starting in the last segment reads only what follows.
    const late = before.chunks[11_000]!.offset;
    expect((await readAll(system, runId, { limit: 5_000, after: late })).chunks).toEqual(
      before.chunks.slice(11_001),
    );
  }, 60_000);

  test("pruneRuns archives an old run as JSON, deletes it with its objects, and leaves recent runs and retries alone", async () => {
    const old = await insertFinishedRun(system, {
      name: "ancient",
      tasks: 3,
      chunksPerTask: 5,
      finishedDaysAgo: 400,
      createdAt: new Date("2025-03-15T10:00:00Z"),
      env: { DEPLOY_TOKEN: "value-that-must-not-be-archived" },
    });
    const retry = await insertFinishedRun(system, {
      name: "ancient-retry",
      tasks: 1,
      chunksPerTask: 2,
      finishedDaysAgo: 10,
      retryOf: old.runId,
    });
    const artifactKeys = (
      await system.executionDb
        .selectFrom("artifacts")
        .select("object_key")
        .where("run_id", "=", old.runId)
        .execute()
    ).map((row) => row.object_key);
    expect(artifactKeys).toHaveLength(3);
    // Its log was pruned earlier: the segments go too.
    await maintenanceOf(system).pruneLogs.mutate({ limit: 50 });
    expect((await countRows(system.executionDb, old.runId)).segments).toBe(1);

    const result = await maintenanceOf(system).pruneRuns.mutate({ limit: 50 });
    expect(result).toMatchObject({
      runs: 1,
      tasksDeleted: 3,
      artifactsDeleted: 3,
      // artifacts, the log archive, one segment
      objectsDeleted: 5,
      failed: 0,
      more: false,
    });

    const key = `archives/runs/2025/03/${old.runId}.json`;
    const json = await objectText(system.objectStore, key);
    expect(json).not.toBeNull();
    expect(json).not.toContain("value-that-must-not-be-archived");
    expect(json).not.toContain("SEALED-CREDENTIAL");
    const record = JSON.parse(json!) as {
      version: number;
      run: Record<string, unknown>;
      tasks: Record<string, unknown>[];
      artifacts: Record<string, unknown>[];
    };
    expect(record.version).toBe(1);
    expect(record.run).toMatchObject({
      id: old.runId,
      name: "ancient",
      state: "succeeded",
      total: 3,
      env_names: ["DEPLOY_TOKEN"],
    });
    expect(record.run.env).toBeUndefined();
    expect(new Date(record.run.created_at as string).toISOString()).toBe("2025-03-15T10:00:00.000Z");
    expect(record.tasks.map((task) => task.id)).toEqual(old.taskIds);
    expect(record.tasks[0]).toMatchObject({
      run_id: old.runId,
      seq: 0,
      state: "succeeded",
      target_name: "ancient-0",
      target: { name: "ancient-0", address: "127.0.0.1", port: 22, kind: "ssh" },
    });
    expect(record.artifacts.map((artifact) => artifact.object_key).sort()).toEqual([...artifactKeys].sort());
    expect(record.artifacts[0]).toMatchObject({ run_id: old.runId, content_type: "text/plain" });

    expect(await countRows(system.executionDb, old.runId)).toEqual({
      runs: 0,
      tasks: 0,
      chunks: 0,
      artifacts: 0,
      segments: 0,
    });
    for (const objectKey of [
      ...artifactKeys,
      `logs/${old.runId}.log`,
      `logs/${old.runId}.chunks/000001.ndjson`,
    ])
      expect(await system.objectStore.head(objectKey)).toBeNull();

    // The retry is younger than the policy: it stays, readable, its link to the deleted run cleared.
    const kept = await system.admin.client.execution.runs.get.query({ id: retry.runId });
    expect(kept.retryOf).toBeNull();
    expect((await readAll(system, retry.runId, { limit: 100 })).chunks).toHaveLength(2);
    expect((await countRows(system.executionDb, retry.runId)).artifacts).toBe(1);
    await expect(system.admin.client.execution.runs.get.query({ id: old.runId })).rejects.toThrow();

    const audit = await system.executionDb
      .selectFrom("audit_outbox")
      .select(["actor_type", "after"])
      .where("resource_id", "=", old.runId)
      .where("action", "=", "run.prune")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_type).toBe("system");
    expect(audit[0]!.after).toEqual({ archiveKey: key });
    expect(await maintenanceOf(system).pruneRuns.mutate({ limit: 50 })).toMatchObject({ runs: 0 });
  }, 60_000);

  test("interrupted between writing the record and deleting, pruneRuns does it all again on the next call", async () => {
    const old = await insertFinishedRun(system, {
      name: "interrupted",
      tasks: 2,
      chunksPerTask: 3,
      finishedDaysAgo: 500,
      createdAt: new Date("2024-11-02T08:00:00Z"),
    });
    const key = `archives/runs/2024/11/${old.runId}.json`;
    // A store that loses its connection as soon as something is deleted: the record is written, nothing deleted.
    const store = system.objectStore;
    const failing: ObjectStore = {
      kind: store.kind,
      put: (...args) => store.put(...args),
      get: (...args) => store.get(...args),
      head: (...args) => store.head(...args),
      list: (...args) => store.list(...args),
      isReady: () => store.isReady(),
      close: async () => {},
      delete: async () => {
        throw new Error("connection reset");
      },
    };
    const first = await pruneRuns({ ...system.executionDeps, objectStore: failing }, systemActor, {
      limit: 50,
    });
    expect(first).toMatchObject({ runs: 0, failed: 1, more: false });
    expect(await objectText(store, key)).toContain(old.runId);
    expect((await countRows(system.executionDb, old.runId)).runs).toBe(1);
    await store.delete(key);

    const second = await maintenanceOf(system).pruneRuns.mutate({ limit: 50 });
    expect(second).toMatchObject({ runs: 1, tasksDeleted: 2, artifactsDeleted: 2, failed: 0 });
    const record = JSON.parse((await objectText(store, key))!) as { run: { id: string }; tasks: unknown[] };
    expect(record.run.id).toBe(old.runId);
    expect(record.tasks).toHaveLength(2);
    expect((await countRows(system.executionDb, old.runId)).runs).toBe(0);
  }, 60_000);

  test("execution.maintenance.status shows the policy and what the calls did, to administrators only", async () => {
    const status = await system.admin.client.execution.maintenance.status.query();
    expect(status.policy).toEqual({ logRetentionDays: 30, runRetentionDays: 365 });
    expect(status.pruneLogs!.totals.runs).toBeGreaterThanOrEqual(3);
    expect(status.pruneRuns!.totals.runs).toBeGreaterThanOrEqual(2);
    expect(status.pruneRuns!.last).toMatchObject({ runs: expect.any(Number), failed: expect.any(Number) });
    const operator = await system.createUser("operator");
    await expect(operator.client.execution.maintenance.status.query()).rejects.toThrow(/admin/i);
  }, 30_000);
});

describe("retention on S3", () => {
  let s3: Awaited<ReturnType<typeof startS3System>>;
  let system: TestSystem;
  let store: S3ObjectStore;

  beforeAll(async () => {
    s3 = await startS3System({ reconcileIntervalMs: 500 });
    ({ system, store } = s3);
  }, 60_000);
  afterAll(async () => {
    await s3?.stop();
  });

  test("logs pruned to the bucket read back paged; the run's record is archived there and its objects deleted", async () => {
    const { runId, taskIds } = await insertFinishedRun(system, {
      name: "s3-run",
      tasks: 2,
      chunksPerTask: 40,
      finishedDaysAgo: 366,
      createdAt: new Date("2025-06-30T23:59:59Z"),
    });
    const before = await readAll(system, runId, { limit: 9 });
    expect(before.chunks).toHaveLength(80);
    expect(await maintenanceOf(system).pruneLogs.mutate({ limit: 50 })).toMatchObject({
      runs: 1,
      chunksDeleted: 80,
    });
    expect(await store.head(`logs/${runId}.chunks/000001.ndjson`)).toMatchObject({
      contentType: "application/x-ndjson",
    });
    expect(await readAll(system, runId, { limit: 9 })).toEqual(before);

    expect(await maintenanceOf(system).pruneRuns.mutate({ limit: 50 })).toMatchObject({
      runs: 1,
      tasksDeleted: 2,
      artifactsDeleted: 2,
      objectsDeleted: 4,
    });
    const record = JSON.parse((await objectText(store, `archives/runs/2025/06/${runId}.json`))!) as {
      tasks: { id: string }[];
      artifacts: unknown[];
    };
    expect(record.tasks.map((task) => task.id)).toEqual(taskIds);
    expect(record.artifacts).toHaveLength(2);
    const left: string[] = [];
    for await (const object of store.list(`artifacts/${runId}/`)) left.push(object.key);
    for await (const object of store.list(`logs/${runId}`)) left.push(object.key);
    expect(left).toEqual([]);
  }, 60_000);
});

describe("stuck-run reaping", () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ reconcileIntervalMs: 500 });
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
  });

  /** A run of `count` noop tasks; no execution worker runs here, so they stay queued on the stream. */
  async function queuedRun(count: number) {
    const targets = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        system.admin.client.targets.create.mutate({
          name: `reap-${crypto.randomUUID().slice(0, 8)}-${index}`,
          address: "127.0.0.1",
          port: 9,
          kind: "http",
        }),
      ),
    );
    const { run } = await system.admin.client.execution.runs.start.mutate({
      action: { type: "noop" },
      targets: { ids: targets.map((target) => target.id) },
    });
    const tasks = await system.executionDb
      .selectFrom("tasks")
      .select(["id", "attempt"])
      .where("run_id", "=", run.id)
      .orderBy("seq")
      .execute();
    return { runId: run.id, tasks };
  }

  test("a run whose counters say nothing is queued or running, but that is not over, gets its final state", async () => {
    const { runId } = await queuedRun(1);
    // Its task finished and was counted, but the run's final step never happened.
    await system.executionDb
      .updateTable("tasks")
      .set({ state: "succeeded", finished_at: new Date() })
      .where("run_id", "=", runId)
      .execute();
    await system.executionDb
      .updateTable("runs")
      .set({ state: "running", queued: 0, succeeded: 1 })
      .where("id", "=", runId)
      .execute();
    // Counters that disagree with the tasks (queued 1, but no task is) are left alone.
    const { runId: drifted } = await queuedRun(1);
    await system.executionDb
      .updateTable("tasks")
      .set({ state: "succeeded", finished_at: new Date() })
      .where("run_id", "=", drifted)
      .execute();
    await system.executionDb
      .updateTable("runs")
      .set({ state: "running" })
      .where("id", "=", drifted)
      .execute();

    await finalizeStuckRuns(system.executionDeps, log);
    const run = await system.admin.client.execution.runs.get.query({ id: runId });
    expect(run.state).toBe("succeeded");
    expect(run.finishedAt).not.toBeNull();
    const events = await system.executionDb
      .selectFrom("event_outbox")
      .select("type")
      .where(sql<boolean>`payload ->> 'runId' = ${runId}`)
      .execute();
    expect(events.map((event) => event.type)).toContain("run.finished");
    expect((await system.admin.client.execution.runs.get.query({ id: drifted })).state).toBe("running");
    // And its log is archived like any finished run's.
    const deadline = Date.now() + 15_000;
    while (
      !(
        await system.executionDb
          .selectFrom("runs")
          .select("log_archived_at")
          .where("id", "=", runId)
          .executeTakeFirstOrThrow()
      ).log_archived_at
    ) {
      if (Date.now() > deadline) throw new Error("the reaped run's log was not archived");
      await Bun.sleep(50);
    }
  }, 30_000);

  test("a running task whose message no consumer group holds is failed as worker_lost; one still held is not", async () => {
    const { runId, tasks } = await queuedRun(3);
    const stream = streamKeys(system.redis.prefix, "execution.default").stream;
    const redis = system.redis.redis;
    // A worker took all three (they are pending in its group), and reported them started a minute ago.
    await redis.xgroup("CREATE", stream, EXECUTION_WORKER_GROUP, "0", "MKSTREAM").catch(() => {});
    const read = (await redis.xreadgroup(
      "GROUP",
      EXECUTION_WORKER_GROUP,
      "worker-that-died",
      "COUNT",
      10,
      "STREAMS",
      stream,
      ">",
    )) as [string, [string, string[]][]][];
    const ours = new Set(tasks.map((task) => task.id));
    const entryOf = new Map(
      read[0]![1]
        .map(([entryId, fields]) => {
          const payload = JSON.parse(fields[fields.indexOf("payload") + 1]!) as { taskId: string };
          return [payload.taskId, entryId] as const;
        })
        .filter(([taskId]) => ours.has(taskId)),
    );
    expect(entryOf.size).toBe(3);
    await system.executionDb
      .updateTable("tasks")
      .set({ state: "running", started_at: new Date(Date.now() - 60_000), worker_id: "worker-that-died" })
      .where("run_id", "=", runId)
      .execute();
    await system.executionDb
      .updateTable("runs")
      .set({ state: "running", queued: 0, running: 3 })
      .where("id", "=", runId)
      .execute();
    // Then Redis lost two of the messages (acknowledged and deleted without a report, trimmed, flushed).
    for (const task of tasks.slice(0, 2)) {
      await redis.xack(stream, EXECUTION_WORKER_GROUP, entryOf.get(task.id)!);
      await redis.xdel(stream, entryOf.get(task.id)!);
    }

    const patient = new WorkerLostDetector(system.executionDeps, log, {
      leaseMs: 0,
      confirmAfterMs: 3_600_000,
    });
    expect(await patient.check()).toBe(0);
    const detector = new WorkerLostDetector(system.executionDeps, log, { leaseMs: 0, confirmAfterMs: 0 });
    expect(await detector.check()).toBe(2);

    const byId = new Map(
      (await system.admin.client.execution.tasks.list.query({ runId })).items.map((task) => [task.id, task]),
    );
    for (const task of tasks.slice(0, 2))
      expect(byId.get(task.id)).toMatchObject({ state: "failed", error: { kind: "worker_lost" } });
    // The third is still held by the group (its worker may yet heartbeat, or another worker reclaim it).
    expect(byId.get(tasks[2]!.id)!.state).toBe("running");
    const run = await system.admin.client.execution.runs.get.query({ id: runId });
    expect(run.counts).toMatchObject({ running: 1, failed: 2 });
    expect(run.state).toBe("running");
    expect(await detector.check()).toBe(0);
  }, 30_000);
});
