/**
 * Artifacts and log archives end to end in one process: the API, PostgreSQL, Redis, the report ingester and
 * reconciler, a real execution worker with real executors (SSH against an OpenSSH server on a loopback port, local
 * processes, HTTP to a loopback server), and a real object store: the file system (a temp folder per test system)
 * and, once, S3 (s3rver in this process). Nothing leaves 127.0.0.0/8.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createExecutionWorkerForTests } from "@opsc/execution-worker/test-support";
import type { ExecutionWorker } from "@opsc/execution-worker/worker";
import type { FsObjectStore, S3ObjectStore } from "@opsc/objectstore";
import { type StartedSshd, startSshd } from "@opsc/testing";
import { createSshTarget, startS3System, waitForRun } from "../support/execution.ts";
import { startSystem, type TestSystem } from "../support/system.ts";

const MiB = 1024 * 1024;
let system: TestSystem;
let worker: ExecutionWorker;
let sshd: StartedSshd;
let server: ReturnType<typeof Bun.serve>;
const execution = () => system.admin.client.execution;
const sha256 = (data: string | Uint8Array) => new Bun.CryptoHasher("sha256").update(data).digest("hex");

beforeAll(async () => {
  system = await startSystem({ reconcileIntervalMs: 200 });
  sshd = await startSshd();
  worker = createExecutionWorkerForTests({
    redis: system.redis.redis,
    prefix: system.redis.prefix,
    vaultKeys: system.vaultKeys,
    localEnabled: true,
    objectStore: system.objectStore,
    artifactLimits: { maxFiles: 5, maxBytes: 16 * MiB },
  });
  await worker.start();
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) =>
      Response.json({
        hello: "from the endpoint",
        path: new URL(request.url).pathname,
        filler: "x".repeat(2000),
      }),
  });
}, 60_000);
afterAll(async () => {
  await worker?.stop({ timeoutMs: 5_000 });
  server?.stop(true);
  await sshd?.stop();
  await system?.stop();
});

const sshTarget = (name: string) => createSshTarget(system, sshd, name);
const finished = (id: string, client = execution(), timeoutMs?: number) => waitForRun(client, id, timeoutMs);

/** An HTTP target (local runs never connect to it; http runs reach the loopback server). */
async function httpTarget(name: string, port = 9) {
  return system.admin.client.targets.create.mutate({
    name,
    address: "127.0.0.1",
    port,
    kind: "http",
    http: { scheme: "http" },
  });
}

async function logText(runId: string, client = execution()) {
  const pieces: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await client.logs.read.query({ runId, ...(after ? { after } : {}), limit: 1000 });
    pieces.push(...page.items.map((chunk) => chunk.text));
    if (page.items.length === 0) return pieces.join("");
    after = page.nextOffset ?? undefined;
  }
}

const get = (path: string, token = system.admin.token) =>
  system.handle(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } });

/** Waits until the run's log archive is recorded; returns the run row. */
async function archived(runId: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await system.executionDb
      .selectFrom("runs")
      .select(["log_archive_key", "log_archived_at"])
      .where("id", "=", runId)
      .executeTakeFirstOrThrow();
    if (row.log_archived_at) return row;
    if (Date.now() > deadline) throw new Error(`run ${runId} has no log archive yet`);
    await Bun.sleep(50);
  }
}

describe("artifacts over SSH", () => {
  test("two files saved in $OPSC_ARTIFACTS_DIR: listed with sizes and SHA-256, downloaded byte for byte", async () => {
    const target = await sshTarget("art-ssh");
    const { run } = await execution().runs.start.mutate({
      action: {
        type: "command",
        command: [
          `head -c ${5 * MiB} /dev/urandom > "$OPSC_ARTIFACTS_DIR/big.bin"`,
          `printf '{"ok":true}' > "$OPSC_ARTIFACTS_DIR/result.json"`,
          'sha256sum "$OPSC_ARTIFACTS_DIR/big.bin" | cut -d" " -f1',
        ].join("; "),
      },
      targets: { ids: [target.id] },
    });
    const done = await finished(run.id);
    expect(done.state).toBe("succeeded");
    const log = await logText(run.id);
    const bigHash = log.split("\n")[0]!;
    expect(bigHash).toMatch(/^[0-9a-f]{64}$/);
    expect(log).toContain("saved 2 artifacts: big.bin (5.0 MiB), result.json (11 B)");

    const listed = await execution().artifacts.list.query({ runId: run.id });
    expect(listed.nextCursor).toBeNull();
    const [task] = (await execution().tasks.list.query({ runId: run.id })).items;
    const byName = Object.fromEntries(listed.items.map((artifact) => [artifact.name, artifact]));
    expect(Object.keys(byName).sort()).toEqual(["big.bin", "result.json"]);
    expect(byName["big.bin"]).toMatchObject({
      runId: run.id,
      taskId: task!.id,
      targetName: "art-ssh",
      size: 5 * MiB,
      sha256: bigHash,
      contentType: "application/octet-stream",
      downloadPath: `/api/v1/execution/artifacts/${byName["big.bin"]!.id}/content`,
    });
    expect(byName["result.json"]).toMatchObject({
      size: 11,
      sha256: sha256('{"ok":true}'),
      contentType: "application/json;charset=utf-8",
    });

    const big = await get(byName["big.bin"]!.downloadPath);
    expect(big.status).toBe(200);
    expect(big.headers.get("content-length")).toBe(String(5 * MiB));
    expect(big.headers.get("content-type")).toBe("application/octet-stream");
    expect(big.headers.get("content-disposition")).toBe(
      `attachment; filename="big.bin"; filename*=UTF-8''big.bin`,
    );
    const bytes = new Uint8Array(await big.arrayBuffer());
    expect(bytes.length).toBe(5 * MiB);
    expect(sha256(bytes)).toBe(bigHash);
    const small = await get(byName["result.json"]!.downloadPath);
    expect(await small.text()).toBe('{"ok":true}');

    // The same list over REST, and one task's files only.
    const rest = await get(`/api/v1/execution/runs/${run.id}/artifacts?taskId=${task!.id}&limit=1`);
    expect(rest.status).toBe(200);
    const page = (await rest.json()) as { items: { name: string }[]; nextCursor: string | null };
    expect(page.items).toHaveLength(1);
    const next = await execution().artifacts.list.query({
      runId: run.id,
      limit: 1,
      cursor: page.nextCursor!,
    });
    expect([page.items[0]!.name, next.items[0]!.name].sort()).toEqual(["big.bin", "result.json"]);
    expect(next.nextCursor).toBeNull();
  });

  test("past the worker's limit (5 files) the task fails as artifact_limit and keeps nothing", async () => {
    const target = await sshTarget("art-limit");
    const { run } = await execution().runs.start.mutate({
      action: {
        type: "command",
        command: 'for i in 1 2 3 4 5 6; do echo $i > "$OPSC_ARTIFACTS_DIR/f$i.txt"; done',
      },
      targets: { ids: [target.id] },
    });
    const done = await finished(run.id);
    expect(done.state).toBe("failed");
    const [task] = (await execution().tasks.list.query({ runId: run.id })).items;
    expect(task).toMatchObject({ state: "failed", exitCode: 0, error: { kind: "artifact_limit" } });
    expect(task!.error!.message).toContain("6 files");
    expect((await execution().artifacts.list.query({ runId: run.id })).items).toEqual([]);
    expect(await logText(run.id)).toContain("artifact_limit: the task saved 6 files");
  });
});

describe("artifacts from an http action (saveBody) and a local command", () => {
  test("saveBody stores the response body as response.body and keeps it out of the log", async () => {
    const target = await httpTarget("art-http", server.port);
    const { run } = await execution().runs.start.mutate({
      action: { type: "http", method: "GET", path: "/report", saveBody: true },
      targets: { ids: [target.id] },
    });
    expect((await finished(run.id)).state).toBe("succeeded");
    const body = JSON.stringify({ hello: "from the endpoint", path: "/report", filler: "x".repeat(2000) });
    const [artifact] = (await execution().artifacts.list.query({ runId: run.id })).items;
    expect(artifact).toMatchObject({
      name: "response.body",
      size: body.length,
      sha256: sha256(body),
      contentType: "application/json;charset=utf-8",
    });
    const download = await get(artifact!.downloadPath);
    expect(download.headers.get("content-type")).toBe("application/json;charset=utf-8");
    expect(await download.text()).toBe(body);
    const log = await logText(run.id);
    expect(log).toBe(`HTTP 200 OK\nsaved 1 artifact: response.body (2.0 KiB)\n`);
  });

  test("a local command's files, under awkward names, are sanitized", async () => {
    const target = await httpTarget("art-local");
    const { run } = await execution().runs.start.mutate({
      action: {
        type: "command",
        command: `printf 'dotfile' > "$OPSC_ARTIFACTS_DIR/.hidden"; printf 'x' > "$OPSC_ARTIFACTS_DIR/a b;c"`,
      },
      runOn: "local",
      targets: { ids: [target.id] },
    });
    expect((await finished(run.id)).state).toBe("succeeded");
    const items = (await execution().artifacts.list.query({ runId: run.id })).items;
    expect(items.map((artifact) => artifact.name).sort()).toEqual(["_.hidden", "a_b_c"]);
    const hidden = items.find((artifact) => artifact.name === "_.hidden")!;
    const download = await get(hidden.downloadPath);
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="_.hidden"; filename*=UTF-8''_.hidden`,
    );
    expect(await download.text()).toBe("dotfile");
  });
});

describe("log archive", () => {
  test("a finished run's whole log is archived; log.txt serves it, or the same text from PostgreSQL", async () => {
    const targets = [await httpTarget("arch-1"), await httpTarget("arch-2")];
    const { run } = await execution().runs.start.mutate({
      // stdout only: stdout and stderr are two pipes, so their relative order is not guaranteed.
      action: {
        type: "command",
        command: 'echo "out of $OPSC_TARGET_NAME"; printf "no newline"; test "$OPSC_TARGET_NAME" = arch-1',
      },
      runOn: "local",
      targets: { ids: targets.map((target) => target.id) },
    });
    expect((await finished(run.id)).state).toBe("failed");
    const row = await archived(run.id);
    expect(row.log_archive_key).toBe(`logs/${run.id}.log`);
    const expected = [
      "== arch-1 (succeeded) ==",
      "out of arch-1",
      "no newline",
      "== arch-2 (failed) ==",
      "out of arch-2",
      "no newlineexit code 1",
      "",
    ].join("\n");
    const object = await system.objectStore.get(`logs/${run.id}.log`);
    expect(object!.contentType).toBe("text/plain; charset=utf-8");
    expect(await new Response(object!.body).text()).toBe(expected);

    const response = await get(`/api/v1/execution/runs/${run.id}/log.txt`);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-opsc-log-source")).toBe("archive");
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain(`filename="run-${run.id}.log"`);
    expect(await response.text()).toBe(expected);

    // Without the archive object the same text is built from PostgreSQL.
    await system.objectStore.delete(`logs/${run.id}.log`);
    const rebuilt = await get(`/api/v1/execution/runs/${run.id}/log.txt`);
    expect(rebuilt.headers.get("x-opsc-log-source")).toBe("database");
    expect(await rebuilt.text()).toBe(expected);
  });

  test("while the object store is down the archive fails and is recorded later by the reconciler", async () => {
    const store = system.objectStore as FsObjectStore;
    // A file where the store's temp folder goes: every put fails until it is removed.
    rmSync(join(store.root, "tmp"), { recursive: true, force: true });
    writeFileSync(join(store.root, "tmp"), "in the way");
    let runId: string;
    try {
      const target = await httpTarget("arch-down");
      const { run } = await execution().runs.start.mutate({
        action: { type: "command", command: "echo still logged" },
        runOn: "local",
        targets: { ids: [target.id] },
      });
      runId = run.id;
      expect((await finished(run.id)).state).toBe("succeeded");
      await Bun.sleep(1_000);
      const row = await system.executionDb
        .selectFrom("runs")
        .select(["log_archived_at"])
        .where("id", "=", run.id)
        .executeTakeFirstOrThrow();
      expect(row.log_archived_at).toBeNull();
      // Meanwhile log.txt is served from PostgreSQL.
      const response = await get(`/api/v1/execution/runs/${run.id}/log.txt`);
      expect(response.headers.get("x-opsc-log-source")).toBe("database");
      expect(await response.text()).toBe("== arch-down (succeeded) ==\nstill logged\n");
    } finally {
      rmSync(join(store.root, "tmp"), { force: true });
    }
    await archived(runId!);
    expect(await (await get(`/api/v1/execution/runs/${runId!}/log.txt`)).text()).toBe(
      "== arch-down (succeeded) ==\nstill logged\n",
    );
  }, 30_000);
});

describe("S3 object store end to end", () => {
  let s3: Awaited<ReturnType<typeof startS3System>>;
  let s3System: TestSystem;
  let s3Worker: ExecutionWorker;
  let store: S3ObjectStore;

  beforeAll(async () => {
    s3 = await startS3System({ reconcileIntervalMs: 200 });
    ({ system: s3System, store } = s3);
    s3Worker = createExecutionWorkerForTests({
      redis: s3System.redis.redis,
      prefix: s3System.redis.prefix,
      vaultKeys: s3System.vaultKeys,
      localEnabled: true,
      objectStore: store,
    });
    await s3Worker.start();
  }, 60_000);
  afterAll(async () => {
    await s3Worker?.stop({ timeoutMs: 5_000 });
    await s3?.stop();
  });

  test("artifacts go to the bucket and come back through the service; the log is archived there", async () => {
    const client = s3System.admin.client.execution;
    const target = await s3System.admin.client.targets.create.mutate({
      name: "s3-local",
      address: "127.0.0.1",
      port: 9,
      kind: "http",
    });
    const { run } = await client.runs.start.mutate({
      action: {
        type: "command",
        command: `head -c ${6 * MiB} /dev/zero > "$OPSC_ARTIFACTS_DIR/zeros.bin"; echo done`,
      },
      runOn: "local",
      targets: { ids: [target.id] },
    });
    expect((await finished(run.id, client)).state).toBe("succeeded");
    const [artifact] = (await client.artifacts.list.query({ runId: run.id })).items;
    expect(artifact).toMatchObject({
      name: "zeros.bin",
      size: 6 * MiB,
      sha256: sha256(new Uint8Array(6 * MiB)),
    });
    const [task] = (await client.tasks.list.query({ runId: run.id })).items;
    expect(await store.head(`artifacts/${run.id}/${task!.id}/zeros.bin`)).toMatchObject({ size: 6 * MiB });
    const download = await s3System.handle(`http://localhost${artifact!.downloadPath}`, {
      headers: { authorization: `Bearer ${s3System.admin.token}` },
    });
    expect(download.headers.get("content-length")).toBe(String(6 * MiB));
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(artifact!.sha256);

    const deadline = Date.now() + 15_000;
    while (!(await store.head(`logs/${run.id}.log`))) {
      if (Date.now() > deadline) throw new Error("the log was not archived to S3");
      await Bun.sleep(50);
    }
    const log = await s3System.handle(`http://localhost/api/v1/execution/runs/${run.id}/log.txt`, {
      headers: { authorization: `Bearer ${s3System.admin.token}` },
    });
    expect(await log.text()).toBe(
      "== s3-local (succeeded) ==\ndone\nsaved 1 artifact: zeros.bin (6.0 MiB)\n",
    );
  }, 30_000);
});
