import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from "kysely";
import type { JobsDatabase } from "../database.ts";
import type { ScheduleFiresTable, SchedulesTable } from "./schedules.table.ts";

type Db = Kysely<JobsDatabase> | Transaction<JobsDatabase>;

/** The schedule with its job's name, as lists and DTOs show it. */
function withJobName(db: Db) {
  return db
    .selectFrom("schedules")
    .innerJoin("jobs", "jobs.id", "schedules.job_id")
    .selectAll("schedules")
    .select("jobs.name as job_name");
}

export async function findById(db: Db, id: string) {
  return withJobName(db).where("schedules.id", "=", id).executeTakeFirst();
}

/** The row locked until the transaction ends: edits and fires of one schedule run one at a time. */
export async function lockById(trx: Transaction<JobsDatabase>, id: string) {
  return trx.selectFrom("schedules").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function listPage(
  db: Db,
  input: { jobId?: string | undefined; sort: "name" | "nextFire"; limit: number; offset: number },
) {
  let query = db.selectFrom("schedules").innerJoin("jobs", "jobs.id", "schedules.job_id");
  if (input.jobId) query = query.where("schedules.job_id", "=", input.jobId);
  let page = query.selectAll("schedules").select("jobs.name as job_name");
  if (input.sort === "nextFire") page = page.orderBy(sql`schedules.next_fire_at asc nulls last`);
  const [rows, total] = await Promise.all([
    page
      .orderBy(sql`lower(schedules.name)`)
      .orderBy("schedules.id")
      .limit(input.limit)
      .offset(input.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.total) };
}

export async function insert(trx: Transaction<JobsDatabase>, row: Insertable<SchedulesTable>) {
  return trx.insertInto("schedules").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function update(
  trx: Transaction<JobsDatabase>,
  id: string,
  changes: Updateable<SchedulesTable>,
) {
  return trx
    .updateTable("schedules")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function remove(trx: Transaction<JobsDatabase>, id: string) {
  await trx.deleteFrom("schedules").where("id", "=", id).execute();
}

/** Pending slots whose time (or, for a held slot, whose hold) has come, oldest first. */
export async function listDue(db: Db, now: Date, limit: number) {
  return db
    .selectFrom("schedules")
    .select(["id", "next_fire_at"])
    .where("paused", "=", false)
    .where("next_fire_at", "is not", null)
    .where(sql<Date>`coalesce(held_until, next_fire_at)`, "<=", now)
    .orderBy(sql`coalesce(held_until, next_fire_at)`)
    .limit(limit)
    .execute();
}

export async function findFire(db: Db, scheduleId: string, slot: Date) {
  return db
    .selectFrom("schedule_fires")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .where("slot", "=", slot)
    .executeTakeFirst();
}

/**
 * Records a slot's fire. The key (schedule, slot) makes it happen once; only a `held` record may be written over,
 * when the held slot finally fires. Returns null when another record was there.
 */
export async function recordFire(trx: Transaction<JobsDatabase>, row: Insertable<ScheduleFiresTable>) {
  return trx
    .insertInto("schedule_fires")
    .values(row)
    .onConflict((conflict) =>
      conflict
        .columns(["schedule_id", "slot"])
        .doUpdateSet({
          outcome: (eb) => eb.ref("excluded.outcome"),
          run_id: (eb) => eb.ref("excluded.run_id"),
          reason: (eb) => eb.ref("excluded.reason"),
          updated_at: sql<Date>`now()`,
        })
        .where("schedule_fires.outcome", "=", "held"),
    )
    .returningAll()
    .executeTakeFirst();
}

/** A held slot that will not fire after all (the schedule was paused or retimed): recorded as missed. */
export async function releaseHeld(trx: Transaction<JobsDatabase>, scheduleId: string, reason: string) {
  await trx
    .updateTable("schedule_fires")
    .set({ outcome: "missed", reason, updated_at: sql<Date>`now()` })
    .where("schedule_id", "=", scheduleId)
    .where("outcome", "=", "held")
    .execute();
}

export async function listFires(db: Db, scheduleId: string, limit: number, offset: number) {
  const query = db.selectFrom("schedule_fires").where("schedule_id", "=", scheduleId);
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy("slot", "desc").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.total) };
}
