/**
 * The jobs issue's acceptance scenario, through the SDK and the gateway against real processes (services, a
 * scheduler, an execution worker) and a real OpenSSH server on a loopback port:
 * a three-step job with a choice parameter and a condition; a schedule every five minutes in Europe/Paris that skips
 * during a blackout window; a run from a signed webhook; step 2 breaks on one target; after the fix, only that target
 * resumes from step 2 with step 1's outputs.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TRun, TTask } from "@opsc/contracts/execution/runs";
import type { OpsClient } from "@opsc/sdk";
import { type Deployment, type StartedSshd, startDeployment, startSshd } from "@opsc/testing";
import { deploymentAdmin } from "../support/deployment-admin.ts";

let deployment: Deployment;
let sshd: StartedSshd;
let ops: OpsClient;
let scratch: string;

beforeAll(async () => {
  sshd = await startSshd();
  deployment = await startDeployment({
    executionWorkers: 1,
    schedulers: 1,
    schedulerEnv: { SCHEDULER_TICK_MS: "200" },
  });
  ops = await deploymentAdmin(deployment);
  scratch = mkdtempSync(join(tmpdir(), "opsc-scenario-"));
  await Bun.$`chmod 755 ${scratch}`;
}, 120_000);
afterAll(async () => {
  await deployment?.stop();
  await sshd?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function finished(id: string, timeoutMs = 60_000): Promise<TRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await ops.execution.runs.get.query({ id });
    if (["succeeded", "failed", "cancelled"].includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.state}`);
    await Bun.sleep(100);
  }
}

const stateOf = (tasks: TTask[], target: string, step: string) =>
  tasks.find((task) => task.targetName === target && task.stepKey === step)?.state;

/** A local date-time in Europe/Paris, `minutes` from now (the calendar's windows are local times). */
function parisLocal(minutes: number): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(Date.now() + minutes * 60_000));
  const get = (type: string) => parts.find((part) => part.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}`;
}

test("write, schedule, black out, trigger by webhook, break, fix and resume one target from step 2", async () => {
  const user = sshd.users[0]!;
  const credential = await ops.targets.credentials.create.mutate({
    name: "scenario-key",
    secret: { kind: "ssh_key", username: user.username, privateKey: user.privateKeyPem },
  });
  const targets = [];
  for (const name of ["web-a", "web-b"])
    targets.push(
      await ops.targets.create.mutate({
        name,
        address: "127.0.0.1",
        port: sshd.port,
        kind: "ssh",
        credentialId: credential.id,
        tags: { role: "web" },
      }),
    );
  const broken = join(scratch, "disk-full-on-web-a");
  writeFileSync(broken, "");
  await Bun.$`chmod 644 ${broken}`;

  // A three-step job with a choice parameter and a condition.
  const job = await ops.jobs.create.mutate({
    name: "deploy-site",
    definition: {
      folder: "/web",
      parameters: [
        {
          name: "ENVIRONMENT",
          type: "choice",
          required: true,
          choices: { type: "static", values: [{ value: "staging" }, { value: "production" }] },
        },
      ],
      targets: { selector: "role=web" },
      steps: [
        {
          key: "fetch",
          name: "Fetch",
          action: { type: "command", command: 'echo "::output release=r-$ENVIRONMENT"' },
        },
        {
          key: "install",
          name: "Install",
          action: {
            type: "command",
            command: `if [ -e ${broken} ] && [ "$OPSC_TARGET_NAME" = web-a ]; then echo "disk full" >&2; exit 4; fi; echo "installed $OPSC_OUTPUT_fetch_release"`,
          },
        },
        {
          key: "announce",
          name: "Announce",
          action: { type: "command", command: 'echo "announced $OPSC_OUTPUT_fetch_release"' },
          when: { outputs: [{ step: "fetch", key: "release", op: "equals", value: "r-production" }] },
        },
      ],
    },
  });
  const jobId = job.id;

  // Every five minutes in Europe/Paris.
  const schedule = await ops.jobs.schedules.create.mutate({
    jobId,
    name: "every five minutes",
    kind: "cron",
    cron: "*/5 * * * *",
    timeZone: "Europe/Paris",
    parameters: { ENVIRONMENT: "staging" },
    blackoutPolicy: "skip",
  });
  const preview = await ops.jobs.schedules.preview.query({
    kind: "cron",
    cron: "*/5 * * * *",
    timeZone: "Europe/Paris",
  });
  expect(preview.instants.length).toBeGreaterThanOrEqual(5);
  for (const at of preview.instants) expect(new Date(at).getUTCMinutes() % 5).toBe(0);
  expect(schedule.nextFireAt).toBe(preview.instants[0]!);

  // A blackout window over the job's folder, now; the next slot comes (the clock is moved to it in the database:
  // the test cannot wait five minutes) and the scheduler skips it.
  const calendar = await ops.jobs.calendars.create.mutate({
    name: "change freeze",
    timeZone: "Europe/Paris",
    windows: [{ type: "once", start: parisLocal(-5), end: parisLocal(30) }],
    scope: { folders: ["/web"] },
  });
  const sql = new Bun.SQL(deployment.database.url);
  try {
    await sql`update jobs.schedules set next_fire_at = now() - interval '1 second' where id = ${schedule.id}`;
  } finally {
    await sql.close();
  }
  const deadline = Date.now() + 30_000;
  let fires = await ops.jobs.schedules.fires.query({ id: schedule.id });
  while (fires.items.length === 0) {
    if (Date.now() > deadline) throw new Error("the scheduler did not fire the due slot");
    await Bun.sleep(200);
    fires = await ops.jobs.schedules.fires.query({ id: schedule.id });
  }
  expect(fires.items[0]).toMatchObject({ outcome: "skipped-blackout", runId: null });
  expect(fires.items[0]!.reason).toContain("change freeze");
  // A manual run inside the window needs a reason.
  const refused = await ops.jobs.run
    .mutate({ id: jobId, parameters: { ENVIRONMENT: "staging" } })
    .catch((error) => error);
  expect(String(refused)).toContain("change freeze");
  await ops.jobs.calendars.delete.mutate({ id: calendar.id });

  // A signed webhook runs it with the payload's environment.
  const hook = await ops.jobs.webhooks.create.mutate({
    jobId,
    name: "from CI",
    parameterMapping: { ENVIRONMENT: "deploy.environment" },
  });
  const body = JSON.stringify({ deploy: { environment: "production" } });
  const call = (nonce: string, secret = hook.secret) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac("sha256", secret).update(`${timestamp}.${nonce}.${body}`).digest("hex");
    return fetch(`${deployment.url}${hook.url}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-opsc-timestamp": timestamp,
        "x-opsc-nonce": nonce,
        "x-opsc-signature": `sha256=${signature}`,
      },
      body,
    });
  };
  const forged = await call("nonce-forged-0001", "0".repeat(64));
  expect(forged.status).toBe(401);
  const accepted = await call("nonce-accepted-0001");
  expect(accepted.status).toBe(202);
  const { runId } = (await accepted.json()) as { runId: string };
  expect((await call("nonce-accepted-0001")).status).toBe(409);

  // Step 2 breaks on web-a; web-b goes through, and the condition runs step 3 (production).
  const first = await finished(runId);
  expect(first).toMatchObject({
    state: "failed",
    job: { id: jobId, version: 1 },
    trigger: { kind: "webhook" },
  });
  const firstTasks = (await ops.execution.tasks.list.query({ runId })).items;
  expect(stateOf(firstTasks, "web-a", "install")).toBe("failed");
  expect(stateOf(firstTasks, "web-a", "announce")).toBe("skipped");
  expect(stateOf(firstTasks, "web-b", "announce")).toBe("succeeded");

  // The fix, then only web-a resumes from step 2, with step 1's output.
  rmSync(broken);
  const [webA] = targets;
  const { run: resumed } = await ops.execution.runs.retry.mutate({
    id: runId,
    from: "failed-step",
    targetIds: [webA!.id],
  });
  const done = await finished(resumed.id);
  expect(done).toMatchObject({ state: "succeeded", retryMode: "resume", retryOf: runId });
  const tasks = (await ops.execution.tasks.list.query({ runId: done.id })).items;
  expect(tasks.map((task) => [task.targetName, task.stepKey, task.state])).toEqual([
    ["web-a", "fetch", "skipped"],
    ["web-a", "install", "succeeded"],
    ["web-a", "announce", "succeeded"],
  ]);
  const log = await ops.execution.logs.read.query({ runId: done.id, taskId: tasks[1]!.id });
  expect(log.items.map((chunk) => chunk.text).join("")).toContain("installed r-production");
  const lineage = await ops.execution.runs.lineage.query({ id: done.id });
  expect(lineage.chain.map((run) => run.id)).toEqual([runId, done.id]);
}, 180_000);
