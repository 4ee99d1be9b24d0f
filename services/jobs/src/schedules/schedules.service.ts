import { type AuditActor, recordAudit } from "@opsc/audit";
import type {
  TSchedule,
  TScheduleKind,
  ZCreateScheduleRequestSchema,
  ZListFiresRequestSchema,
  ZListSchedulesRequestSchema,
  ZPreviewScheduleRequestSchema,
  ZUpdateScheduleRequestSchema,
} from "@opsc/contracts/jobs/schedules";
import { AppError, notFound } from "@opsc/server-kit";
import type { VaultKeys } from "@opsc/vault";
import type { Kysely, Selectable, Transaction } from "kysely";
import type { z } from "zod";
import type { JobsDatabase } from "../database.ts";
import { loadVersion } from "../jobs/load-version.ts";
import * as repo from "./schedules.repository.ts";
import type { SchedulesTable } from "./schedules.table.ts";
import { openSecrets, prepareParameters } from "./stored-parameters.ts";
import {
  nextSlotAfter,
  nextSlots,
  parseCron,
  shortestGapSeconds,
  type Timing,
  TimingError,
} from "./timing.ts";

export interface SchedulesDeps {
  db: Kysely<JobsDatabase>;
  vault: VaultKeys;
  /** Slots of one schedule are at least this many seconds apart (60; lowered only by tests, see env.ts). */
  scheduleMinIntervalSeconds: number;
}

type Row = Selectable<SchedulesTable>;

export function timingOf(row: Row): Timing {
  switch (row.kind) {
    case "cron":
      return { kind: "cron", cron: row.cron!, timeZone: row.time_zone };
    case "once":
      return { kind: "once", at: row.at! };
    case "interval":
      return { kind: "interval", intervalSeconds: row.interval_seconds!, anchorAt: row.anchor_at };
  }
}

export function toDto(row: Row & { job_name: string }): TSchedule {
  return {
    id: row.id,
    jobId: row.job_id,
    jobName: row.job_name,
    name: row.name,
    kind: row.kind,
    cron: row.cron,
    timeZone: row.time_zone,
    at: row.at?.toISOString() ?? null,
    intervalSeconds: row.interval_seconds,
    anchorAt: row.anchor_at.toISOString(),
    parameters: row.parameters,
    secretParameters: row.secret_parameter_names,
    paused: row.paused,
    misfirePolicy: row.misfire_policy,
    blackoutPolicy: row.blackout_policy,
    nextFireAt: row.next_fire_at?.toISOString() ?? null,
    heldUntil: row.held_until?.toISOString() ?? null,
    lastFiredAt: row.last_fired_at?.toISOString() ?? null,
    lastOutcome: row.last_outcome,
    owner: row.owner,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

interface TimingInput {
  kind: TScheduleKind;
  cron?: string | undefined;
  timeZone?: string | undefined;
  at?: string | undefined;
  intervalSeconds?: number | undefined;
}

/**
 * A timing from the flat fields, checked: croner accepts the expression, slots are far enough apart, a once instant
 * is in the future. `anchorAt` is when an interval counts from. Errors name `${prefix}<field>`.
 */
export function resolveTiming(
  input: TimingInput,
  options: { minIntervalSeconds: number; now: Date; prefix?: string; anchorAt?: Date },
): Timing {
  const prefix = options.prefix ?? "";
  const minimum = options.minIntervalSeconds;
  switch (input.kind) {
    case "cron": {
      const timeZone = input.timeZone ?? "UTC";
      try {
        parseCron(input.cron!, timeZone, { allowSeconds: true });
      } catch (error) {
        if (!(error instanceof TimingError)) throw error;
        throw new AppError("BAD_REQUEST", {
          field: `${prefix}cron`,
          message: `Not a cron expression: ${error.message}`,
        });
      }
      const timing: Timing = { kind: "cron", cron: input.cron!.trim(), timeZone };
      const gap = shortestGapSeconds(timing, options.now);
      if (gap !== null && gap < minimum)
        throw new AppError("BAD_REQUEST", {
          field: `${prefix}cron`,
          message: `This expression fires ${gap} s apart; a schedule fires at most every ${minimum} s`,
        });
      if (!nextSlotAfter(timing, options.now))
        throw new AppError("BAD_REQUEST", { field: `${prefix}cron`, message: "This expression never fires" });
      return timing;
    }
    case "once": {
      const at = new Date(input.at!);
      if (at.getTime() <= options.now.getTime())
        throw new AppError("BAD_REQUEST", { field: `${prefix}at`, message: "must be in the future" });
      return { kind: "once", at };
    }
    case "interval": {
      if (input.intervalSeconds! < minimum)
        throw new AppError("BAD_REQUEST", {
          field: `${prefix}intervalSeconds`,
          message: `must be at least ${minimum} seconds`,
        });
      return {
        kind: "interval",
        intervalSeconds: input.intervalSeconds!,
        anchorAt: options.anchorAt ?? options.now,
      };
    }
  }
}

function timingColumns(timing: Timing) {
  return {
    kind: timing.kind,
    cron: timing.kind === "cron" ? timing.cron : null,
    time_zone: timing.kind === "cron" ? timing.timeZone : "UTC",
    at: timing.kind === "once" ? timing.at : null,
    interval_seconds: timing.kind === "interval" ? timing.intervalSeconds : null,
    ...(timing.kind === "interval" ? { anchor_at: timing.anchorAt } : {}),
  };
}

function conflictOnName(field: string) {
  return (error: unknown): never => {
    if ((error as { constraint?: string }).constraint === "schedules_job_name_key")
      throw new AppError("CONFLICT", { field, message: "This job already has a schedule with this name" });
    throw error;
  };
}

async function reload(db: Kysely<JobsDatabase> | Transaction<JobsDatabase>, id: string) {
  const row = await repo.findById(db, id);
  if (!row) throw notFound("Schedule");
  return toDto(row);
}

export async function listSchedules(
  deps: SchedulesDeps,
  input: z.output<typeof ZListSchedulesRequestSchema>,
) {
  const { rows, total } = await repo.listPage(deps.db, input);
  return { items: rows.map(toDto), total };
}

export async function getSchedule(deps: SchedulesDeps, id: string) {
  return reload(deps.db, id);
}

export async function createSchedule(
  deps: SchedulesDeps,
  actor: AuditActor,
  input: z.output<typeof ZCreateScheduleRequestSchema>,
) {
  const now = new Date();
  const timing = resolveTiming(input, { minIntervalSeconds: deps.scheduleMinIntervalSeconds, now });
  const { definition } = await loadVersion(deps.db, input.jobId);
  // The id is known before the insert: the sealed secrets are bound to it.
  const id = crypto.randomUUID();
  const stored = prepareParameters(deps.vault, definition.parameters, input.parameters, {
    owner: id,
    field: "parameters",
    complete: true,
  });
  return deps.db.transaction().execute(async (trx) => {
    await repo
      .insert(trx, {
        id,
        job_id: input.jobId,
        name: input.name,
        ...timingColumns(timing),
        anchor_at: now,
        parameters: JSON.stringify(stored.plain),
        secret_parameters: stored.sealedSecrets,
        secret_parameter_names: stored.secretNames,
        paused: input.paused,
        misfire_policy: input.misfirePolicy,
        blackout_policy: input.blackoutPolicy,
        next_fire_at: input.paused ? null : nextSlotAfter(timing, now),
        owner: actor.actorId,
        created_by: actor.actorId,
      })
      .catch(conflictOnName("name"));
    const schedule = await reload(trx, id);
    await recordAudit(trx, actor, {
      action: "schedule.created",
      resourceType: "schedule",
      resourceId: id,
      after: schedule,
    });
    return schedule;
  });
}

export async function updateSchedule(
  deps: SchedulesDeps,
  actor: AuditActor,
  input: z.output<typeof ZUpdateScheduleRequestSchema>,
) {
  const { data } = input;
  const now = new Date();
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Schedule");
    const previous = await reload(trx, input.id);
    const timing =
      data.kind !== undefined
        ? resolveTiming(
            { ...data, kind: data.kind },
            { minIntervalSeconds: deps.scheduleMinIntervalSeconds, now, prefix: "data." },
          )
        : null;
    let parameters = {};
    if (data.parameters !== undefined) {
      const { definition } = await loadVersion(trx, before.job_id);
      const stored = prepareParameters(deps.vault, definition.parameters, data.parameters, {
        owner: before.id,
        field: "data.parameters",
        complete: true,
        kept: openSecrets(deps.vault, before.secret_parameters, before.id),
      });
      parameters = {
        parameters: JSON.stringify(stored.plain),
        secret_parameters: stored.sealedSecrets,
        secret_parameter_names: stored.secretNames,
      };
    }
    if (timing && before.held_until)
      await repo.releaseHeld(trx, before.id, "the schedule's timing changed while the slot was held");
    await repo
      .update(trx, input.id, {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.misfirePolicy !== undefined ? { misfire_policy: data.misfirePolicy } : {}),
        ...(data.blackoutPolicy !== undefined ? { blackout_policy: data.blackoutPolicy } : {}),
        ...parameters,
        // A new timing starts afresh from now: an interval is anchored again, a held slot is let go.
        ...(timing
          ? {
              ...timingColumns(timing),
              held_until: null,
              next_fire_at: before.paused ? null : nextSlotAfter(timing, now),
            }
          : {}),
      })
      .catch(conflictOnName("data.name"));
    const after = await reload(trx, input.id);
    await recordAudit(trx, actor, {
      action: "schedule.updated",
      resourceType: "schedule",
      resourceId: input.id,
      before: previous,
      after,
    });
    return after;
  });
}

export async function deleteSchedule(deps: SchedulesDeps, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.lockById(trx, id))) throw notFound("Schedule");
    const before = await reload(trx, id);
    await repo.remove(trx, id);
    await recordAudit(trx, actor, {
      action: "schedule.deleted",
      resourceType: "schedule",
      resourceId: id,
      before,
    });
  });
  return { success: true as const };
}

/**
 * Pausing clears the pending slot (a held one is recorded as missed); resuming takes the next slot after now, so
 * slots that passed while paused are not fired.
 */
export async function setPaused(deps: SchedulesDeps, actor: AuditActor, id: string, paused: boolean) {
  const now = new Date();
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo.lockById(trx, id);
    if (!row) throw notFound("Schedule");
    const before = await reload(trx, id);
    if (row.paused === paused) return before;
    let nextFireAt: Date | null = null;
    if (paused) {
      if (row.held_until) await repo.releaseHeld(trx, id, "the schedule was paused while the slot was held");
    } else {
      nextFireAt = nextSlotAfter(timingOf(row), now);
      // A once schedule that has fired is done, even if its instant is still ahead by this clock.
      const hasFired = row.kind === "once" && (await repo.findFire(trx, id, row.at!)) !== undefined;
      if (!nextFireAt || hasFired)
        throw new AppError("BAD_REQUEST", {
          field: "id",
          message: hasFired
            ? "This once schedule has fired; give it a new time to use it again"
            : "This once schedule's time has passed; give it a new time to resume it",
        });
    }
    await repo.update(trx, id, { paused, next_fire_at: nextFireAt, held_until: null });
    const after = await reload(trx, id);
    await recordAudit(trx, actor, {
      action: paused ? "schedule.paused" : "schedule.resumed",
      resourceType: "schedule",
      resourceId: id,
      before,
      after,
    });
    return after;
  });
}

export async function listFires(deps: SchedulesDeps, input: z.output<typeof ZListFiresRequestSchema>) {
  if (!(await repo.findById(deps.db, input.id))) throw notFound("Schedule");
  const { rows, total } = await repo.listFires(deps.db, input.id, input.limit, input.offset);
  return {
    items: rows.map((row) => ({
      slot: row.slot.toISOString(),
      outcome: row.outcome,
      runId: row.run_id,
      reason: row.reason,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    })),
    total,
  };
}

/** The next instants of a timing being edited; the same checks as a save. */
export function previewSchedule(deps: SchedulesDeps, input: z.output<typeof ZPreviewScheduleRequestSchema>) {
  const from = input.from ? new Date(input.from) : new Date();
  const timing = resolveTiming(input, {
    minIntervalSeconds: deps.scheduleMinIntervalSeconds,
    now: from,
    anchorAt: from,
  });
  return { instants: nextSlots(timing, from, input.count).map((instant) => instant.toISOString()) };
}
