/**
 * Recovery of the execution path with every part a process of its own (as in the distributed deployment): the
 * services behind Caddy and two execution workers. One worker is killed with SIGKILL while it holds tasks.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TRun } from "@opsc/contracts/execution/runs";
import type { OpsClient } from "@opsc/sdk";
import { type Deployment, startDeployment } from "@opsc/testing";
import { deploymentAdmin } from "../support/deployment-admin.ts";

let deployment: Deployment;
let ops: OpsClient;

beforeAll(async () => {
  deployment = await startDeployment({
    executionWorkers: 2,
    // A short lease so that the dead worker's tasks are reclaimed within seconds.
    executionWorkerEnv: { EXECUTION_TASK_LEASE_MS: "3000", EXECUTION_CONCURRENCY: "4" },
  });
  ops = await deploymentAdmin(deployment);
}, 120_000);

afterAll(async () => {
  await deployment?.stop();
});

async function finished(id: string, timeoutMs: number): Promise<TRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await ops.execution.runs.get.query({ id });
    if (["succeeded", "failed", "cancelled"].includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run still ${run.state}: ${JSON.stringify(run.counts)}`);
    await Bun.sleep(100);
  }
}

test("kill -9 a worker mid-task: its tasks are reclaimed after the lease and failed by policy; the run finishes", async () => {
  for (let index = 0; index < 8; index++) {
    await ops.targets.create.mutate({
      name: `recover-${index}`,
      address: "127.0.0.1",
      port: 9,
      kind: "http",
      tags: { suite: "recover" },
    });
  }
  const { run } = await ops.execution.runs.start.mutate({
    action: { type: "noop", sleepMs: 4_000 },
    targets: { selector: "suite=recover" },
  });
  // Both workers hold four tasks each once all eight run.
  const deadline = Date.now() + 20_000;
  while ((await ops.execution.runs.get.query({ id: run.id })).counts.running < 8) {
    if (Date.now() > deadline) throw new Error("the tasks never all started");
    await Bun.sleep(50);
  }
  const victim = deployment.executionWorkers[0]!;
  const tasks = (await ops.execution.tasks.list.query({ runId: run.id })).items;
  const victimTasks = new Set(
    tasks.filter((task) => task.workerId?.endsWith(`-${victim.proc.pid}`)).map((task) => task.id),
  );
  victim.proc.kill("SIGKILL");
  await victim.proc.exited;

  const done = await finished(run.id, 60_000);
  expect(done.counts.total).toBe(8);
  expect(done.counts.queued + done.counts.running).toBe(0);
  const after = (await ops.execution.tasks.list.query({ runId: run.id })).items;
  // Every task recorded once, with a final state: the survivor's succeeded, the dead worker's failed as lost.
  expect(after).toHaveLength(8);
  for (const task of after) {
    if (victimTasks.has(task.id)) {
      expect(task.state).toBe("failed");
      expect(task.error?.kind).toBe("worker_lost");
    } else {
      expect(task.state).toBe("succeeded");
    }
  }
  expect(victimTasks.size).toBeGreaterThan(0);
  expect(done.state).toBe("failed");
}, 120_000);
