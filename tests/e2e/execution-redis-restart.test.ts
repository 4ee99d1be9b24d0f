/**
 * Redis restarted empty in the middle of a run, for real: a private redis-server (no persistence) serves the whole
 * deployment; it is killed while tasks run and started again, empty, on the same port. Every process reconnects;
 * the reconciler finds the epoch key gone and re-enqueues from PostgreSQL what Redis lost; the run completes.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TRun } from "@opsc/contracts/execution/runs";
import type { OpsClient } from "@opsc/sdk";
import { type Deployment, getFreePort, startDeployment, startRedisServer } from "@opsc/testing";
import type { Subprocess } from "bun";
import { deploymentAdmin } from "../support/deployment-admin.ts";

let deployment: Deployment;
let ops: OpsClient;
let redis: Subprocess;
let port: number;
const dir = mkdtempSync(join(tmpdir(), "opsc-redis-restart-"));
const previousRedisUrl = process.env.TEST_REDIS_URL;

const startRedis = () => startRedisServer({ port, dir });

beforeAll(async () => {
  port = await getFreePort();
  redis = await startRedis();
  process.env.TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
  deployment = await startDeployment({ executionWorkers: 1 });
  ops = await deploymentAdmin(deployment);
}, 120_000);

afterAll(async () => {
  await deployment?.stop();
  redis?.kill("SIGKILL");
  if (previousRedisUrl === undefined) delete process.env.TEST_REDIS_URL;
  else process.env.TEST_REDIS_URL = previousRedisUrl;
  rmSync(dir, { recursive: true, force: true });
});

test("a run survives Redis restarting empty mid-run", async () => {
  for (let index = 0; index < 30; index++)
    await ops.targets.create.mutate({
      name: `restart-${index}`,
      address: "127.0.0.1",
      port: 9,
      kind: "http",
      tags: { suite: "restart" },
    });
  // 30 tasks of 1 s, 10 at a time: some done, some running, some waiting when Redis goes.
  const { run } = await ops.execution.runs.start.mutate({
    action: { type: "noop", sleepMs: 1_000 },
    targets: { selector: "suite=restart" },
    fanOut: 10,
  });
  const deadline = Date.now() + 20_000;
  while ((await ops.execution.runs.get.query({ id: run.id })).counts.succeeded < 5) {
    if (Date.now() > deadline) throw new Error("the run did not get going");
    await Bun.sleep(50);
  }
  redis.kill("SIGKILL");
  await redis.exited;
  await Bun.sleep(1_000);
  redis = await startRedis();

  let done: TRun | undefined;
  const finishBy = Date.now() + 90_000;
  while (Date.now() < finishBy) {
    // The API answers again once the services have reconnected (authentication caches live in Redis too).
    done = await ops.execution.runs.get.query({ id: run.id }).catch(() => undefined);
    if (done && ["succeeded", "failed", "cancelled"].includes(done.state)) break;
    await Bun.sleep(200);
  }
  if (done?.state !== "succeeded") {
    // What was left, to tell a lost report from a lost task or a window that never refilled.
    const tasks = await ops.execution.tasks.list.query({ runId: run.id, limit: 100 }).catch(() => null);
    console.error(
      JSON.stringify({
        counts: done?.counts,
        tasks: tasks?.items.map((task) => [task.targetName, task.state, task.attempt, task.error?.kind]),
      }),
    );
  }
  expect(done?.state).toBe("succeeded");
  expect(done?.counts).toMatchObject({ total: 30, succeeded: 30, queued: 0, running: 0 });
}, 180_000);
