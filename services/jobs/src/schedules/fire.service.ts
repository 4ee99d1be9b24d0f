import {
  SCHEDULE_LIMITS,
  type TFireOutcome,
  type TFireScheduleResponse,
  type ZDueSchedulesRequestSchema,
  type ZFireScheduleRequestSchema,
} from "@opsc/contracts/jobs/schedules";
import { AppError } from "@opsc/server-kit";
import type { Selectable, Transaction } from "kysely";
import type { z } from "zod";
import { findActiveBlackout } from "../calendars/blackout.ts";
import type { JobsDatabase } from "../database.ts";
import type { JobsServiceDeps } from "../deps.ts";
import * as jobsRepo from "../jobs/jobs.repository.ts";
import { startJobRun } from "../runs/start-job-run.ts";
import * as repo from "./schedules.repository.ts";
import { timingOf } from "./schedules.service.ts";
import type { SchedulesTable } from "./schedules.table.ts";
import { openSecrets } from "./stored-parameters.ts";
import { countSlots, nextSlotAfter } from "./timing.ts";

type Row = Selectable<SchedulesTable>;

const GRACE_MS = SCHEDULE_LIMITS.misfireGraceSeconds * 1000;

/** The pending slots whose time has come (a held slot: when its window has ended), oldest first. */
export async function listDueSlots(
  deps: JobsServiceDeps,
  input: z.output<typeof ZDueSchedulesRequestSchema>,
) {
  const now = input.now ? new Date(input.now) : new Date();
  const rows = await repo.listDue(deps.db, now, input.limit);
  return { items: rows.map((row) => ({ scheduleId: row.id, slot: row.next_fire_at!.toISOString() })) };
}

interface Decision {
  outcome: TFireOutcome;
  runId: string | null;
  reason: string | null;
}

/**
 * Fires one slot of a schedule, once, whoever asks and however often. In one transaction: the schedule row is
 * locked; a slot already recorded (by another scheduler, or an earlier try) is answered from its record; a slot no
 * longer pending is left alone; then the misfire policy, the blackout windows, the run start, the record of the
 * fire and the next slot. The run is started with an idempotency key of the slot, so a transaction that fails after
 * the start and is tried again finds the same run instead of starting a second one.
 */
export async function fireSlot(
  deps: JobsServiceDeps,
  input: z.output<typeof ZFireScheduleRequestSchema>,
  requestId: string,
): Promise<TFireScheduleResponse> {
  const now = input.now ? new Date(input.now) : new Date();
  const slot = new Date(input.slot);
  return deps.db.transaction().execute(async (trx) => {
    const schedule = await repo.lockById(trx, input.scheduleId);
    const answer = (decision: Decision | null, alreadyFired: boolean, nextFireAt: Date | null) => ({
      scheduleId: input.scheduleId,
      slot: slot.toISOString(),
      outcome: decision?.outcome ?? null,
      alreadyFired,
      runId: decision?.runId ?? null,
      reason: decision?.reason ?? null,
      nextFireAt: nextFireAt?.toISOString() ?? null,
    });
    if (!schedule) return answer(null, false, null);
    const recorded = await repo.findFire(trx, schedule.id, slot);
    if (recorded && recorded.outcome !== "held")
      return answer(
        { outcome: recorded.outcome, runId: recorded.run_id, reason: recorded.reason },
        true,
        schedule.next_fire_at,
      );
    const isPending = !schedule.paused && schedule.next_fire_at?.getTime() === slot.getTime();
    const dueAt = schedule.held_until ?? schedule.next_fire_at;
    if (!isPending || !dueAt || dueAt > now) return answer(null, false, schedule.next_fire_at);

    const decision = await decide(deps, trx, schedule, slot, now, requestId);
    if (decision.outcome === "held") {
      await repo.recordFire(trx, { schedule_id: schedule.id, slot, ...decisionColumns(decision) });
      return answer(decision, false, schedule.next_fire_at);
    }
    // A once schedule ends with its slot; any other moves on to its next slot after this one and after now.
    const later = slot > now ? slot : now;
    const nextFireAt = nextSlotAfter(timingOf(schedule), later);
    await repo.recordFire(trx, { schedule_id: schedule.id, slot, ...decisionColumns(decision) });
    await repo.update(trx, schedule.id, {
      next_fire_at: nextFireAt,
      held_until: null,
      last_fired_at: now,
      last_outcome: decision.outcome,
      ...(nextFireAt === null ? { paused: true } : {}),
    });
    return answer(decision, false, nextFireAt);
  });
}

function decisionColumns(decision: Decision) {
  return { outcome: decision.outcome, run_id: decision.runId, reason: decision.reason };
}

async function decide(
  deps: JobsServiceDeps,
  trx: Transaction<JobsDatabase>,
  schedule: Row,
  slot: Date,
  now: Date,
  requestId: string,
): Promise<Decision> {
  const isHeld = schedule.held_until !== null;
  const lateMs = now.getTime() - slot.getTime();
  let note: string | null = null;
  // A held slot is late on purpose: the misfire policy is for slots the scheduler missed.
  if (!isHeld && lateMs > GRACE_MS) {
    const later = countSlots(timingOf(schedule), slot, now);
    const late = `${Math.round(lateMs / 1000)} s late`;
    if (schedule.misfire_policy === "skip")
      return {
        outcome: "missed",
        runId: null,
        reason: `missed (${late}; ${later} later slot(s) passed too); misfire policy skip`,
      };
    note = `${late}: one run for ${later + 1} missed slot(s) (misfire policy run-once)`;
  }

  const job = await jobsRepo.findById(trx, schedule.job_id);
  if (!job) return { outcome: "failed", runId: null, reason: "the job no longer exists" };
  const blackout = await findActiveBlackout(trx, { folder: job.folder, tags: job.tags }, now);
  if (blackout) {
    const window = `blackout window of calendar "${blackout.calendarName}" until ${blackout.endsAt.toISOString()}`;
    if (schedule.blackout_policy === "skip")
      return { outcome: "skipped-blackout", runId: null, reason: `inside a ${window}` };
    await repo.update(trx, schedule.id, { held_until: blackout.endsAt, last_outcome: "held" });
    return { outcome: "held", runId: null, reason: `held by a ${window}` };
  }

  try {
    const parameters = {
      ...schedule.parameters,
      ...openSecrets(deps.vault, schedule.secret_parameters, schedule.id),
    };
    const result = await startJobRun(
      deps,
      { actorId: schedule.owner, apiKeyId: null, sourceIp: null, requestId, isSystem: true },
      {
        jobId: schedule.job_id,
        parameters,
        trigger: { kind: "schedule", id: schedule.id, label: schedule.name },
        createdBy: schedule.owner,
        // Windows were checked above, at the scheduler's `now`.
        blackout: "ignore",
        idempotencyKey: `schedule:${schedule.id}:${slot.toISOString()}`,
        context: { requestId, sourceIp: null, caller: null, headers: new Headers() },
      },
    );
    if (result.outcome === "skipped")
      return {
        outcome: "skipped-concurrency",
        runId: null,
        reason: `run ${result.activeRunId} of this job is still active (concurrency policy skip)`,
      };
    if (result.outcome === "queued")
      return {
        outcome: "queued",
        runId: result.runId,
        reason: `waits for run ${result.activeRunId} (concurrency policy queue)${note ? `; ${note}` : ""}`,
      };
    return { outcome: "started", runId: result.runId, reason: note };
  } catch (error) {
    // An AppError's message is written for the caller (parameters no longer valid, no targets, a service down);
    // anything else stays in the log.
    const reason =
      error instanceof AppError
        ? `${error.field ? `${error.field}: ` : ""}${error.message}`
        : "the run could not be started (see the jobs service's log)";
    deps.log.warn(
      { err: error, scheduleId: schedule.id, slot: slot.toISOString() },
      "a scheduled run failed to start",
    );
    return { outcome: "failed", runId: null, reason: reason.slice(0, 2000) };
  }
}
