/**
 * Schedules through the API and the scheduler's internal procedures (`schedules.due`, `schedules.fire`), with the
 * jobs, execution and targets services in one process: validation, secrets, fires recorded once (also when two
 * fires race), misfire skip vs run-once, blackout skip vs hold, pause/resume, once and interval schedules, the
 * concurrency outcome and a start that fails. The fires' `now` is passed explicitly, so no test waits for a clock.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { JobsInternalRouter } from "@opsc/jobs/internal";
import { createLogger } from "@opsc/logger";
import { createJobsClient } from "@opsc/scheduler-worker/jobs-client";
import { Scheduler } from "@opsc/scheduler-worker/scheduler";
import { createInternalClient } from "@opsc/server-kit";
import Redis from "ioredis";
import { rejection } from "../support/errors.ts";
import { createJobFactory, startJobsSystem } from "../support/jobs.ts";
import type { SignedInUser, TestSystem } from "../support/system.ts";

let system: TestSystem;
let operator: SignedInUser;
let viewer: SignedInUser;
const api = () => operator.client.jobs;

beforeAll(async () => {
  // Runs need a target; nothing executes them here (no worker), so they stay queued.
  ({ system, operator, viewer } = await startJobsSystem({ suite: "schedules" }));
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

function scheduler() {
  return createInternalClient<JobsInternalRouter>({
    baseUrl: "http://localhost",
    name: "jobs",
    token: system.internalToken,
    fetch: (input, init) => system.jobsApp.handle(new Request(input, init)),
  })({ requestId: crypto.randomUUID(), sourceIp: null, caller: null, headers: new Headers() });
}

const createJob = createJobFactory(api, { name: "scheduled", tag: "schedules", suite: "schedules" });

const seconds = (date: string | Date, delta: number) =>
  new Date(new Date(date).getTime() + delta * 1000).toISOString();

async function fires(scheduleId: string) {
  return system.jobsDb
    .selectFrom("schedule_fires")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .orderBy("slot")
    .execute();
}

async function runsOf(jobId: string) {
  return (await system.admin.client.execution.runs.list.query({ jobId, limit: 200 })).items;
}

describe("saving a schedule", () => {
  test("cron in a zone: next fire computed, preview, audit; bad input names the field", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "nightly",
      kind: "cron",
      cron: "30 2 * * *",
      timeZone: "Europe/Paris",
    });
    expect(schedule.jobName).toBe(job.name);
    expect(schedule.owner).toBe(operator.id);
    expect(schedule.paused).toBe(false);
    expect(new Date(schedule.nextFireAt!).getTime()).toBeGreaterThan(Date.now());
    // 02:30 in Paris is 00:30 or 01:30 UTC depending on the season.
    expect(["00:30", "01:30"]).toContain(schedule.nextFireAt!.slice(11, 16));

    const preview = await api().schedules.preview.query({
      kind: "cron",
      cron: "30 2 * * *",
      timeZone: "Europe/Paris",
      from: "2026-03-27T12:00:00Z",
      count: 3,
    });
    expect(preview.instants).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:00:00.000Z", // the spring-forward day: 03:00 CEST
      "2026-03-30T00:30:00.000Z",
    ]);
    expect(
      (
        await api().schedules.preview.query({
          kind: "interval",
          intervalSeconds: 3600,
          from: "2026-01-01T00:00:00Z",
        })
      ).instants,
    ).toHaveLength(10);

    const bad = [
      [{ kind: "cron" as const, cron: "61 * * * *" }, "cron"],
      [{ kind: "cron" as const, cron: "*/10 * * * * *" }, "cron"],
      [{ kind: "cron" as const, cron: "0 3 * * *", timeZone: "Mars/Olympus" }, "timeZone"],
      [{ kind: "interval" as const, intervalSeconds: 30 }, "intervalSeconds"],
      [{ kind: "once" as const, at: "2020-01-01T00:00:00Z" }, "at"],
      [{ kind: "once" as const }, "at"],
      [{ kind: "interval" as const, intervalSeconds: 120, cron: "* * * * *" }, "cron"],
    ] as const;
    for (const [timing, field] of bad) {
      const refused = await rejection(
        api().schedules.create.mutate({ jobId: job.id, name: "bad", ...timing }),
      );
      expect(refused.code).toBe("BAD_REQUEST");
      expect(Object.keys(refused.fields)).toContain(field);
    }
    const duplicate = await rejection(
      api().schedules.create.mutate({
        jobId: job.id,
        name: "NIGHTLY",
        kind: "interval",
        intervalSeconds: 600,
      }),
    );
    expect(duplicate.code).toBe("CONFLICT");
    const missingJob = await rejection(
      api().schedules.create.mutate({
        jobId: crypto.randomUUID(),
        name: "x",
        kind: "interval",
        intervalSeconds: 600,
      }),
    );
    expect(missingJob.code).toBe("NOT_FOUND");

    const audit = await system.jobsDb
      .selectFrom("audit_outbox")
      .select(["action", "actor_id"])
      .where("resource_id", "=", schedule.id)
      .execute();
    expect(audit).toEqual([{ action: "schedule.created", actor_id: operator.id }]);
  });

  test("parameters are checked against the job; secret values are sealed and never returned", async () => {
    const job = await createJob({
      parameters: [
        {
          name: "ENVIRONMENT",
          type: "choice",
          required: true,
          choices: { type: "static", values: [{ value: "prod" }, { value: "test" }] },
        },
        { name: "COUNT", type: "integer", min: 1, max: 5, default: 1 },
        { name: "TOKEN", type: "secret" },
      ],
    });
    const base = { jobId: job.id, kind: "interval" as const, intervalSeconds: 600 };
    const required = await rejection(api().schedules.create.mutate({ ...base, name: "a", parameters: {} }));
    expect(required.fields["parameters.ENVIRONMENT"]).toContain("required");
    const tooMany = await rejection(
      api().schedules.create.mutate({ ...base, name: "a", parameters: { ENVIRONMENT: "prod", COUNT: 9 } }),
    );
    expect(tooMany.fields["parameters.COUNT"]).toContain("at most 5");
    const unknown = await rejection(
      api().schedules.create.mutate({ ...base, name: "a", parameters: { ENVIRONMENT: "prod", NOPE: 1 } }),
    );
    expect(Object.keys(unknown.fields)).toContain("parameters.NOPE");

    const secret = "s3cr3t-value-never-shown";
    const schedule = await api().schedules.create.mutate({
      ...base,
      name: "with-secret",
      parameters: { ENVIRONMENT: "prod", COUNT: "3", TOKEN: secret },
    });
    expect(schedule.parameters).toEqual({ ENVIRONMENT: "prod", COUNT: 3 });
    expect(schedule.secretParameters).toEqual(["TOKEN"]);
    const listed = await viewer.client.jobs.schedules.list.query({ jobId: job.id });
    expect(JSON.stringify(listed)).not.toContain(secret);
    const row = await system.jobsDb
      .selectFrom("schedules")
      .select(["secret_parameters", "parameters"])
      .where("id", "=", schedule.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_parameters).toStartWith("v1.");
    expect(row.secret_parameters).not.toContain(secret);

    // Updating plain values keeps the stored secret; null clears it.
    const kept = await api().schedules.update.mutate({
      id: schedule.id,
      data: { parameters: { ENVIRONMENT: "test" } },
    });
    expect(kept.parameters).toEqual({ ENVIRONMENT: "test" });
    expect(kept.secretParameters).toEqual(["TOKEN"]);
    const cleared = await api().schedules.update.mutate({
      id: schedule.id,
      data: { parameters: { ENVIRONMENT: "test", TOKEN: null } },
    });
    expect(cleared.secretParameters).toEqual([]);

    // The secret reaches the run (masked in what the run shows), and no audit record holds it.
    const withSecret = await api().schedules.update.mutate({
      id: schedule.id,
      data: { parameters: { ENVIRONMENT: "prod", TOKEN: secret } },
    });
    const fired = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: withSecret.nextFireAt!,
      now: withSecret.nextFireAt!,
    });
    expect(fired.outcome).toBe("started");
    const run = await system.admin.client.execution.runs.get.query({ id: fired.runId! });
    expect(run.parameters).toMatchObject({ ENVIRONMENT: "prod", TOKEN: "********" });
    const audits = await system.jobsDb.selectFrom("audit_outbox").select(["before", "after"]).execute();
    expect(JSON.stringify(audits)).not.toContain(secret);
  });

  test("viewers read, only operators write", async () => {
    const job = await createJob();
    const refused = await rejection(
      viewer.client.jobs.schedules.create.mutate({
        jobId: job.id,
        name: "v",
        kind: "interval",
        intervalSeconds: 600,
      }),
    );
    expect(refused.code).toBe("FORBIDDEN");
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "o",
      kind: "interval",
      intervalSeconds: 600,
    });
    expect((await rejection(viewer.client.jobs.schedules.pause.mutate({ id: schedule.id }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await viewer.client.jobs.schedules.get.query({ id: schedule.id })).id).toBe(schedule.id);
    expect((await viewer.client.jobs.schedules.fires.query({ id: schedule.id })).total).toBe(0);
  });
});

describe("firing", () => {
  test("a due slot fires once: a run with the schedule as trigger, the next slot, and a second fire is a no-op", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "every-ten-minutes",
      kind: "interval",
      intervalSeconds: 600,
    });
    const slot = schedule.nextFireAt!;
    expect(slot).toBe(seconds(schedule.anchorAt, 600));
    const early = await scheduler().schedules.due.query({ now: seconds(slot, -1) });
    expect(early.items.map((item) => item.scheduleId)).not.toContain(schedule.id);
    const due = await scheduler().schedules.due.query({ now: slot });
    expect(due.items).toContainEqual({ scheduleId: schedule.id, slot });

    const fired = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot,
      now: seconds(slot, 2),
    });
    expect(fired).toMatchObject({ outcome: "started", alreadyFired: false, nextFireAt: seconds(slot, 600) });
    const again = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot,
      now: seconds(slot, 3),
    });
    expect(again).toMatchObject({ outcome: "started", alreadyFired: true, runId: fired.runId });

    const runs = await runsOf(job.id);
    expect(runs.map((run) => run.id)).toEqual([fired.runId!]);
    expect(runs[0]!.trigger).toEqual({ kind: "schedule", id: schedule.id, label: "every-ten-minutes" });
    expect(runs[0]!.createdBy).toBe(operator.id);
    const history = await api().schedules.fires.query({ id: schedule.id });
    expect(history.items.map((item) => [item.slot, item.outcome, item.runId])).toEqual([
      [new Date(slot).toISOString(), "started", fired.runId],
    ]);
    const after = await api().schedules.get.query({ id: schedule.id });
    expect(after.lastOutcome).toBe("started");
    expect(after.nextFireAt).toBe(seconds(slot, 600));
  });

  test("two schedulers firing the same slot at once: one fire, one run", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "raced",
      kind: "interval",
      intervalSeconds: 600,
    });
    const slot = schedule.nextFireAt!;
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        scheduler().schedules.fire.mutate({ scheduleId: schedule.id, slot, now: slot }),
      ),
    );
    expect(results.filter((result) => !result.alreadyFired)).toHaveLength(1);
    expect(new Set(results.map((result) => result.runId)).size).toBe(1);
    expect(await fires(schedule.id)).toHaveLength(1);
    expect(await runsOf(job.id)).toHaveLength(1);
  });

  test("a slot that is not pending (not yet due, or already moved on) does nothing", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "idle",
      kind: "interval",
      intervalSeconds: 600,
    });
    const slot = schedule.nextFireAt!;
    const tooEarly = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot,
      now: seconds(slot, -5),
    });
    expect(tooEarly).toMatchObject({ outcome: null, alreadyFired: false, runId: null });
    const otherSlot = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: seconds(slot, 1),
      now: slot,
    });
    expect(otherSlot.outcome).toBeNull();
    expect(await fires(schedule.id)).toHaveLength(0);
  });

  test("misfire skip: a slot older than the grace is recorded as missed, no run, next slot after now", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "skipper",
      kind: "interval",
      intervalSeconds: 600,
      misfirePolicy: "skip",
    });
    const slot = schedule.nextFireAt!;
    const now = seconds(slot, 1900); // three more slots passed
    const fired = await scheduler().schedules.fire.mutate({ scheduleId: schedule.id, slot, now });
    expect(fired.outcome).toBe("missed");
    expect(fired.reason).toContain("3 later slot(s)");
    expect(fired.nextFireAt).toBe(seconds(slot, 2400));
    expect(await runsOf(job.id)).toHaveLength(0);
  });

  test("within the grace a late slot still fires normally", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "late",
      kind: "interval",
      intervalSeconds: 600,
      misfirePolicy: "skip",
    });
    const fired = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: schedule.nextFireAt!,
      now: seconds(schedule.nextFireAt!, 59),
    });
    expect(fired.outcome).toBe("started");
  });

  test("misfire run-once: one run for all the missed slots", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "catch-up",
      kind: "interval",
      intervalSeconds: 600,
      misfirePolicy: "run-once",
    });
    const slot = schedule.nextFireAt!;
    const fired = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot,
      now: seconds(slot, 1900),
    });
    expect(fired.outcome).toBe("started");
    expect(fired.reason).toContain("one run for 4 missed slot(s)");
    expect(fired.nextFireAt).toBe(seconds(slot, 2400));
    expect(await runsOf(job.id)).toHaveLength(1);
    // The slots that passed are not fired one by one afterwards.
    const due = await scheduler().schedules.due.query({ now: seconds(slot, 1900) });
    expect(due.items.map((item) => item.scheduleId)).not.toContain(schedule.id);
  });

  test("a once schedule fires and ends", async () => {
    const job = await createJob();
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "one-shot",
      kind: "once",
      at,
    });
    expect(schedule.nextFireAt).toBe(new Date(at).toISOString());
    const fired = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: schedule.nextFireAt!,
      now: at,
    });
    expect(fired.outcome).toBe("started");
    expect(fired.nextFireAt).toBeNull();
    const after = await api().schedules.get.query({ id: schedule.id });
    expect(after).toMatchObject({ paused: true, nextFireAt: null, lastOutcome: "started" });
    const resumed = await rejection(api().schedules.resume.mutate({ id: schedule.id }));
    expect(resumed.code).toBe("BAD_REQUEST");
  });

  test("pause and resume: a paused schedule is not due; resuming takes the next slot after now", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "pausable",
      kind: "interval",
      intervalSeconds: 600,
    });
    const paused = await api().schedules.pause.mutate({ id: schedule.id });
    expect(paused).toMatchObject({ paused: true, nextFireAt: null });
    const due = await scheduler().schedules.due.query({ now: seconds(schedule.nextFireAt!, 10) });
    expect(due.items.map((item) => item.scheduleId)).not.toContain(schedule.id);
    const fired = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: schedule.nextFireAt!,
      now: schedule.nextFireAt!,
    });
    expect(fired.outcome).toBeNull();
    const resumed = await api().schedules.resume.mutate({ id: schedule.id });
    expect(resumed.paused).toBe(false);
    expect(resumed.nextFireAt).toBe(schedule.nextFireAt);
    const actions = await system.jobsDb
      .selectFrom("audit_outbox")
      .select("action")
      .where("resource_id", "=", schedule.id)
      .orderBy("id")
      .execute();
    expect(actions.map((row) => row.action)).toEqual([
      "schedule.created",
      "schedule.paused",
      "schedule.resumed",
    ]);
  });

  test("the job's concurrency policy: skip records skipped-concurrency, queue records queued", async () => {
    const skipping = await createJob({ concurrency: "skip" });
    const schedule = await api().schedules.create.mutate({
      jobId: skipping.id,
      name: "s",
      kind: "interval",
      intervalSeconds: 600,
    });
    const first = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: schedule.nextFireAt!,
      now: schedule.nextFireAt!,
    });
    expect(first.outcome).toBe("started");
    const second = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: first.nextFireAt!,
      now: first.nextFireAt!,
    });
    expect(second.outcome).toBe("skipped-concurrency");
    expect(second.runId).toBeNull();
    expect(second.reason).toContain(first.runId!);
    expect(second.nextFireAt).toBe(seconds(first.nextFireAt!, 600));

    const queueing = await createJob({ concurrency: "queue" });
    const queued = await api().schedules.create.mutate({
      jobId: queueing.id,
      name: "q",
      kind: "interval",
      intervalSeconds: 600,
    });
    const one = await scheduler().schedules.fire.mutate({
      scheduleId: queued.id,
      slot: queued.nextFireAt!,
      now: queued.nextFireAt!,
    });
    const two = await scheduler().schedules.fire.mutate({
      scheduleId: queued.id,
      slot: one.nextFireAt!,
      now: one.nextFireAt!,
    });
    expect([one.outcome, two.outcome]).toEqual(["started", "queued"]);
    expect(two.runId).not.toBeNull();
  });

  test("a start that fails is recorded as failed with the reason, and the schedule moves on", async () => {
    const job = await createJob({ targets: { selector: "suite=nothing-matches" } });
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "doomed",
      kind: "interval",
      intervalSeconds: 600,
    });
    const fired = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: schedule.nextFireAt!,
      now: schedule.nextFireAt!,
    });
    expect(fired.outcome).toBe("failed");
    expect(fired.reason).toContain("No target matches");
    expect(fired.nextFireAt).toBe(seconds(schedule.nextFireAt!, 600));
    expect((await api().schedules.get.query({ id: schedule.id })).lastOutcome).toBe("failed");
  });
});

describe("blackout windows", () => {
  /** A one-off window around the real now (UTC), for one job's tag only. */
  async function blackoutFor(tag: string, name: string) {
    const local = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(0, 16);
    return api().calendars.create.mutate({
      name,
      timeZone: "UTC",
      windows: [{ type: "once", start: local(-3_600_000), end: local(3_600_000), label: "freeze" }],
      scope: { folders: [], tags: [tag] },
    });
  }

  test("skip: the slot is recorded as skipped-blackout, naming the calendar", async () => {
    const job = await createJob();
    const calendar = await blackoutFor(job.tags[0]!, "freeze-skip");
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "skip-in-blackout",
      kind: "interval",
      intervalSeconds: 600,
      blackoutPolicy: "skip",
    });
    const fired = await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: schedule.nextFireAt!,
      now: schedule.nextFireAt!,
    });
    expect(fired.outcome).toBe("skipped-blackout");
    expect(fired.reason).toContain(`"${calendar.name}"`);
    expect(fired.nextFireAt).toBe(seconds(schedule.nextFireAt!, 600));
    expect(await runsOf(job.id)).toHaveLength(0);
  });

  test("hold: the slot waits for the window's end, then fires (late, but not a misfire)", async () => {
    const job = await createJob();
    await blackoutFor(job.tags[0]!, "freeze-hold");
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "hold-in-blackout",
      kind: "interval",
      intervalSeconds: 600,
      blackoutPolicy: "hold",
      misfirePolicy: "skip",
    });
    const slot = schedule.nextFireAt!;
    const held = await scheduler().schedules.fire.mutate({ scheduleId: schedule.id, slot, now: slot });
    expect(held.outcome).toBe("held");
    expect(held.nextFireAt).toBe(slot);
    const during = await api().schedules.get.query({ id: schedule.id });
    expect(during.heldUntil).not.toBeNull();
    expect(during.lastOutcome).toBe("held");
    const windowEnd = during.heldUntil!;
    expect(
      (await scheduler().schedules.due.query({ now: seconds(windowEnd, -1) })).items.map(
        (item) => item.scheduleId,
      ),
    ).not.toContain(schedule.id);
    expect((await scheduler().schedules.due.query({ now: windowEnd })).items).toContainEqual({
      scheduleId: schedule.id,
      slot,
    });

    const fired = await scheduler().schedules.fire.mutate({ scheduleId: schedule.id, slot, now: windowEnd });
    expect(fired.outcome).toBe("started");
    expect(fired.alreadyFired).toBe(false);
    const history = await fires(schedule.id);
    expect(history.map((row) => [row.slot.toISOString(), row.outcome, row.run_id])).toEqual([
      [new Date(slot).toISOString(), "started", fired.runId],
    ]);
    expect(await runsOf(job.id)).toHaveLength(1);
    expect((await api().schedules.get.query({ id: schedule.id })).heldUntil).toBeNull();
  });

  test("pausing a held schedule lets the held slot go as missed", async () => {
    const job = await createJob();
    await blackoutFor(job.tags[0]!, "freeze-pause");
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "held-then-paused",
      kind: "interval",
      intervalSeconds: 600,
      blackoutPolicy: "hold",
    });
    await scheduler().schedules.fire.mutate({
      scheduleId: schedule.id,
      slot: schedule.nextFireAt!,
      now: schedule.nextFireAt!,
    });
    await api().schedules.pause.mutate({ id: schedule.id });
    expect((await fires(schedule.id)).map((row) => row.outcome)).toEqual(["missed"]);
  });
});

describe("listing", () => {
  test("sorted by next fire for the dashboard, paused last; filtered by job", async () => {
    const job = await createJob();
    const later = await api().schedules.create.mutate({
      jobId: job.id,
      name: "b-later",
      kind: "interval",
      intervalSeconds: 7200,
    });
    const sooner = await api().schedules.create.mutate({
      jobId: job.id,
      name: "c-sooner",
      kind: "interval",
      intervalSeconds: 3600,
    });
    const paused = await api().schedules.create.mutate({
      jobId: job.id,
      name: "a-paused",
      kind: "interval",
      intervalSeconds: 600,
      paused: true,
    });
    const byNext = await viewer.client.jobs.schedules.list.query({ jobId: job.id, sort: "nextFire" });
    expect(byNext.items.map((item) => item.id)).toEqual([sooner.id, later.id, paused.id]);
    expect(byNext.total).toBe(3);
    const byName = await viewer.client.jobs.schedules.list.query({ jobId: job.id });
    expect(byName.items.map((item) => item.name)).toEqual(["a-paused", "b-later", "c-sooner"]);
    const all = await viewer.client.jobs.schedules.list.query({ sort: "nextFire", limit: 200 });
    expect(all.total).toBeGreaterThan(3);
  });

  test("REST: list and get under /api/v1/jobs/schedules", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "rest",
      kind: "interval",
      intervalSeconds: 600,
    });
    const headers = { authorization: `Bearer ${viewer.token}` };
    const got = await system.handle(`http://localhost/api/v1/jobs/schedules/${schedule.id}`, { headers });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { name: string }).name).toBe("rest");
    const preview = await system.handle(
      "http://localhost/api/v1/jobs/schedules/preview?kind=cron&cron=0%203%20*%20*%20*&timeZone=America/New_York&count=2&from=2026-03-07T12:00:00Z",
      { headers },
    );
    expect(((await preview.json()) as { instants: string[] }).instants).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T07:00:00.000Z",
    ]);
    const list = await system.handle(`http://localhost/api/v1/jobs/schedules?jobId=${job.id}&sort=nextFire`, {
      headers,
    });
    expect(((await list.json()) as { total: number }).total).toBe(1);
  });
});

describe("the scheduler worker's loop", () => {
  test("only the leader fires; when it stops, another replica takes over and fires the next slot once", async () => {
    const job = await createJob();
    const schedule = await api().schedules.create.mutate({
      jobId: job.id,
      name: "looped",
      kind: "interval",
      intervalSeconds: 600,
    });
    /** Makes the pending slot due now (within the grace), as if its time had come. */
    const makeDue = async () => {
      const slot = new Date(Date.now() - 1000);
      await system.jobsDb
        .updateTable("schedules")
        .set({ next_fire_at: slot })
        .where("id", "=", schedule.id)
        .execute();
      return slot.toISOString();
    };
    const replicas = ["a", "b"].map(
      (name) =>
        new Scheduler({
          redis: new Redis(system.redis.url, { maxRetriesPerRequest: 3 }),
          prefix: system.redis.prefix,
          jobs: createJobsClient({
            baseUrl: "http://localhost",
            internalToken: system.internalToken,
            fetch: (input, init) => system.jobsApp.handle(new Request(input, init)),
          }),
          log: createLogger({ service: `scheduler-${name}`, level: "silent" }),
          tickMs: 50,
          leaseTtlMs: 1000,
        }),
    );
    const waitFor = async (what: string, check: () => Promise<boolean> | boolean) => {
      const deadline = Date.now() + 15_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await Bun.sleep(25);
      }
    };
    try {
      for (const replica of replicas) await replica.start();
      await waitFor("a leader", () => replicas.some((replica) => replica.isLeader));
      expect(replicas.filter((replica) => replica.isLeader)).toHaveLength(1);
      const first = await makeDue();
      await waitFor("the first fire", async () => (await fires(schedule.id)).length === 1);
      const leader = replicas.find((replica) => replica.isLeader)!;
      const follower = replicas.find((replica) => replica !== leader)!;
      await leader.stop();
      await waitFor("the follower to lead", () => follower.isLeader);
      const second = await makeDue();
      await waitFor("the second fire", async () => (await fires(schedule.id)).length === 2);
      // A few more ticks: nothing fires twice.
      await Bun.sleep(200);
      const recorded = await fires(schedule.id);
      expect(recorded.map((row) => [row.slot.toISOString(), row.outcome])).toEqual([
        [first, "started"],
        [second, "started"],
      ]);
      expect(await runsOf(job.id)).toHaveLength(2);
    } finally {
      for (const replica of replicas) await replica.stop();
    }
  });
});
