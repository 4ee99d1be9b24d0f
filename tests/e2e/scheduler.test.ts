/**
 * The scheduler as deployed: three scheduler processes (workers/scheduler) contend for one Redis lease in front of
 * the jobs service, a schedule fires every two seconds, and each slot must fire exactly once (one fire record, one
 * run). Then the leader is killed with SIGKILL: another takes over once the lease runs out, and the next slots still
 * fire exactly once. The 60 s minimum interval is lowered for this test only (JOBS_SCHEDULE_MIN_INTERVAL_SECONDS).
 * The same deployment runs the curl + openssl example of docs/webhooks.md through the gateway.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TScheduleFire } from "@opsc/contracts/jobs/schedules";
import type { OpsClient } from "@opsc/sdk";
import { type Deployment, repoRoot, startDeployment } from "@opsc/testing";
import { deploymentAdmin } from "../support/deployment-admin.ts";

const INTERVAL_SECONDS = 2;
const LEASE_MS = 3000;

let deployment: Deployment;
let ops: OpsClient;

beforeAll(async () => {
  deployment = await startDeployment({
    schedulers: 3,
    jobsEnv: { JOBS_SCHEDULE_MIN_INTERVAL_SECONDS: "1" },
    schedulerEnv: { SCHEDULER_TICK_MS: "200", SCHEDULER_LEASE_MS: String(LEASE_MS) },
  });
  ops = await deploymentAdmin(deployment);
}, 180_000);

afterAll(async () => {
  await deployment?.stop();
});

async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** Which scheduler processes say they lead (opsc_scheduler_is_leader 1); a dead one answers nothing. */
async function leaders(): Promise<number[]> {
  const answers = await Promise.all(
    deployment.schedulers.map(async (scheduler) => {
      try {
        const text = await (await fetch(`http://127.0.0.1:${scheduler.port}/metrics`)).text();
        return /^opsc_scheduler_is_leader 1$/m.test(text) ? scheduler.port : null;
      } catch {
        return null;
      }
    }),
  );
  return answers.filter((port): port is number => port !== null);
}

async function allFires(scheduleId: string): Promise<TScheduleFire[]> {
  return (await ops.jobs.schedules.fires.query({ id: scheduleId, limit: 200 })).items.reverse();
}

/** Every recorded slot is on the schedule's grid, once, with its own run; the runs are exactly those. */
async function expectEachSlotOnce(jobId: string, scheduleId: string, anchorAt: string) {
  const fires = await allFires(scheduleId);
  const slots = fires.map((fire) => new Date(fire.slot).getTime());
  expect(new Set(slots).size).toBe(slots.length);
  for (const slot of slots) expect((slot - Date.parse(anchorAt)) % (INTERVAL_SECONDS * 1000)).toBe(0);
  expect(fires.every((fire) => fire.outcome === "started" && fire.runId !== null)).toBe(true);
  const runs = (await ops.execution.runs.list.query({ jobId, limit: 200 })).items;
  expect(runs.every((run) => run.trigger?.kind === "schedule" && run.trigger.id === scheduleId)).toBe(true);
  expect(runs.map((run) => run.id).sort()).toEqual(fires.map((fire) => fire.runId!).sort());
  return fires;
}

test("three schedulers: each slot fires exactly once; a killed leader is replaced and the slots go on", async () => {
  await ops.targets.create.mutate({
    name: "scheduled-target",
    address: "127.0.0.1",
    port: 9,
    kind: "http",
    tags: { suite: "scheduler" },
  });
  // Nothing executes the runs (no execution worker): they stay queued, which is all this test needs.
  const job = await ops.jobs.create.mutate({
    name: "every-two-seconds",
    definition: {
      targets: { selector: "suite=scheduler" },
      steps: [{ key: "main", name: "Main", action: { type: "command", command: "true" }, runOn: "local" }],
    },
  });
  const schedule = await ops.jobs.schedules.create.mutate({
    jobId: job.id,
    name: "fast",
    kind: "interval",
    intervalSeconds: INTERVAL_SECONDS,
  });

  const [leader] = await waitFor(
    "a leader",
    async () => ((await leaders()).length === 1 ? leaders() : null),
    30_000,
  );
  await waitFor("five fires", async () => (await allFires(schedule.id)).length >= 5, 60_000);
  expect(await leaders()).toEqual([leader!]);
  const before = await expectEachSlotOnce(job.id, schedule.id, schedule.anchorAt);

  const victim = deployment.schedulers.find((scheduler) => scheduler.port === leader)!;
  const killedAt = Date.now();
  victim.proc.kill("SIGKILL");
  await victim.proc.exited;

  const [successor] = await waitFor(
    "another leader",
    async () => {
      const now = await leaders();
      return now.length === 1 && now[0] !== leader ? now : null;
    },
    // The lease runs out within LEASE_MS; a follower tries every LEASE_MS / 3.
    LEASE_MS * 5,
  );
  const takeoverMs = Date.now() - killedAt;
  console.info(`scheduler takeover after ${takeoverMs} ms (lease ${LEASE_MS} ms)`);
  expect(successor).not.toBe(leader);

  const lastBefore = Date.parse(before.at(-1)!.slot);
  await waitFor(
    "three fires after the takeover",
    async () =>
      (await allFires(schedule.id)).filter((fire) => Date.parse(fire.slot) > lastBefore).length >= 3,
    60_000,
  );
  const after = await expectEachSlotOnce(job.id, schedule.id, schedule.anchorAt);
  // Slots fired before the kill are unchanged: nothing was fired twice or rewritten by the new leader.
  expect(after.slice(0, before.length)).toEqual(before);
  // Slots after the takeover follow on without falling behind (a late slot within the grace fires, not misses).
  expect(after.some((fire) => Date.parse(fire.slot) > killedAt)).toBe(true);
}, 180_000);

test("the curl + openssl example of docs/webhooks.md starts a run through the gateway", async () => {
  const job = await ops.jobs.create.mutate({
    name: "hooked-from-the-docs",
    definition: {
      targets: { selector: "suite=scheduler" },
      parameters: [
        { name: "BRANCH", type: "string", required: true },
        { name: "COUNT", type: "integer" },
      ],
      steps: [{ key: "main", name: "Main", action: { type: "command", command: "true" }, runOn: "local" }],
    },
  });
  const { url, secret, webhook } = await ops.jobs.webhooks.create.mutate({
    jobId: job.id,
    name: "docs",
    parameterMapping: { BRANCH: "ref", COUNT: "build.count" },
  });
  const docs = readFileSync(join(repoRoot(), "docs", "webhooks.md"), "utf8");
  const example = /```sh\n([\s\S]*?)```/.exec(docs)?.[1];
  expect(example).toBeDefined();
  const script = example!
    .replace(/^URL=.*$/m, `URL="${deployment.url}${url}"`)
    .replace(/^SECRET=.*$/m, `SECRET="${secret}"`);
  const run = async () => {
    const result = await Bun.$`bash -c ${script}`.quiet();
    return JSON.parse(result.stdout.toString()) as { outcome: string; runId: string };
  };
  const answer = await run();
  expect(answer.outcome).toBe("started");
  const started = await ops.execution.runs.get.query({ id: answer.runId });
  expect(started.trigger).toEqual({ kind: "webhook", id: webhook.id, label: "docs" });
  expect(started.parameters).toEqual({ BRANCH: "refs/heads/main", COUNT: 3 });
  // A second call signs with a new nonce: accepted again.
  expect((await run()).outcome).toBe("started");
}, 60_000);
