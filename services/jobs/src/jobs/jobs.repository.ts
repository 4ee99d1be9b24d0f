import { containsPattern, equalsAnyIgnoringCase, escapeLike } from "@opsc/db/match";
import {
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type SqlBool,
  sql,
  type Transaction,
  type Updateable,
} from "kysely";
import type { JobsDatabase } from "../database.ts";
import type { JobsTable } from "./jobs.table.ts";

type Db = Kysely<JobsDatabase> | Transaction<JobsDatabase>;

/** Jobs in `folder` or below it (every job for `/`). */
export function inFolder(eb: ExpressionBuilder<JobsDatabase, "jobs">, folder: string): Expression<SqlBool> {
  if (folder === "/") return sql<SqlBool>`true`;
  return eb.or([eb("jobs.folder", "=", folder), eb("jobs.folder", "like", `${escapeLike(folder)}/%`)]);
}

export async function findById(db: Db, id: string) {
  return db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The job whose name matches, whatever its case. */
export async function findByName(db: Db, name: string) {
  return db
    .selectFrom("jobs")
    .selectAll()
    .where(sql`lower(name)`, "=", name.toLowerCase())
    .executeTakeFirst();
}

export async function lockById(trx: Transaction<JobsDatabase>, id: string) {
  return trx.selectFrom("jobs").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** The jobs with these names (any case), locked: an import compares and writes them in one transaction. */
export async function lockByNames(trx: Transaction<JobsDatabase>, names: string[]) {
  if (names.length === 0) return [];
  return trx
    .selectFrom("jobs")
    .selectAll()
    .where((eb) => equalsAnyIgnoringCase(eb, "name", names))
    .forUpdate()
    .execute();
}

/** The jobs with these names (any case), each with its latest definition. */
export async function findByNamesWithLatest(db: Db, names: string[]) {
  if (names.length === 0) return [];
  return withLatest(db)
    .where((eb) => equalsAnyIgnoringCase(eb, "jobs.name", names))
    .execute();
}

function withLatest(db: Db) {
  return db
    .selectFrom("jobs")
    .innerJoin("job_versions as v", (join) =>
      join.onRef("v.job_id", "=", "jobs.id").onRef("v.version", "=", "jobs.latest_version"),
    )
    .selectAll("jobs")
    .select("v.definition");
}

export interface ListFilters {
  folder?: string | undefined;
  tag?: string | undefined;
  search?: string | undefined;
  owner?: string | undefined;
}

/** One page in name order (case-insensitive), after the name `after` (lower-cased), with the latest definitions. */
export async function listPage(db: Db, filters: ListFilters, after: string | null, limit: number) {
  let query = withLatest(db);
  if (filters.folder) {
    const folder = filters.folder;
    query = query.where((eb) => inFolder(eb, folder));
  }
  if (filters.tag) query = query.where(sql<SqlBool>`jobs.tags @> array[${filters.tag}]::text[]`);
  if (filters.search) query = query.where(sql<SqlBool>`jobs.name ilike ${containsPattern(filters.search)}`);
  if (filters.owner) query = query.where("jobs.owner", "=", filters.owner);
  if (after !== null) query = query.where(sql`lower(jobs.name)`, ">", after);
  return query.orderBy(sql`lower(jobs.name)`).limit(limit).execute();
}

/** Every folder holding a job, with its number of jobs. */
export async function listFolders(db: Db) {
  return db
    .selectFrom("jobs")
    .select(["folder", (eb) => eb.fn.countAll<number>().as("jobs")])
    .groupBy("folder")
    .orderBy("folder")
    .execute();
}

/** Jobs in a folder (or all), in name order, with their latest definitions: what an export writes. */
export async function listWithLatest(db: Db, folder: string | undefined) {
  let query = withLatest(db);
  if (folder) query = query.where((eb) => inFolder(eb, folder));
  return query.orderBy(sql`lower(jobs.name)`).execute();
}

export async function findWithLatest(db: Db, id: string) {
  return withLatest(db).where("jobs.id", "=", id).executeTakeFirst();
}

export async function insertJob(trx: Transaction<JobsDatabase>, row: Insertable<JobsTable>) {
  return trx.insertInto("jobs").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateJob(trx: Transaction<JobsDatabase>, id: string, changes: Updateable<JobsTable>) {
  return trx
    .updateTable("jobs")
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteJob(trx: Transaction<JobsDatabase>, id: string) {
  await trx.deleteFrom("jobs").where("id", "=", id).execute();
}

export async function insertVersion(
  trx: Transaction<JobsDatabase>,
  row: {
    jobId: string;
    version: number;
    definition: unknown;
    message: string | null;
    createdBy: string | null;
  },
) {
  return trx
    .insertInto("job_versions")
    .values({
      job_id: row.jobId,
      version: row.version,
      definition: JSON.stringify(row.definition),
      message: row.message,
      created_by: row.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findVersion(db: Db, jobId: string, version: number) {
  return db
    .selectFrom("job_versions")
    .selectAll()
    .where("job_id", "=", jobId)
    .where("version", "=", version)
    .executeTakeFirst();
}

/** Newest first, older than `before` when given. */
export async function listVersions(db: Db, jobId: string, before: number | undefined, limit: number) {
  let query = db
    .selectFrom("job_versions")
    .select(["job_id", "version", "message", "created_by", "created_at"])
    .where("job_id", "=", jobId);
  if (before !== undefined) query = query.where("version", "<", before);
  return query.orderBy("version", "desc").limit(limit).execute();
}

export async function countVersions(db: Db, jobId: string): Promise<number> {
  const row = await db
    .selectFrom("job_versions")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("job_id", "=", jobId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
