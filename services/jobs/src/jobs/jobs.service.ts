import { type AuditActor, recordAudit, recordEvent } from "@opsc/audit";
import type { TJobDefinition } from "@opsc/contracts/jobs/definition";
import type {
  ZCreateJobRequestSchema,
  ZListJobsRequestSchema,
  ZSetJobOwnerRequestSchema,
  ZUpdateJobRequestSchema,
} from "@opsc/contracts/jobs/jobs";
import { AppError, callInternal, type InternalCallContext, notFound } from "@opsc/server-kit";
import type { Kysely, Transaction } from "kysely";
import type { z } from "zod";
import type { JobsDatabase } from "../database.ts";
import type { JobsServiceDeps } from "../deps.ts";
import { isSameDefinition } from "./definition-yaml.ts";
import { auditView, decodeCursor, encodeCursor, type JobRow, toJob, toJobSummary } from "./jobs.dto.ts";
import * as repo from "./jobs.repository.ts";

export interface JobsDeps {
  db: Kysely<JobsDatabase>;
}

/** A save's origin, for the audit record: the editor or a jobs-as-code import. */
type SaveSource = "api" | "import";

/**
 * `action.resolved` of a "run another job" step is what the service fills in when a run starts; a definition that
 * carries one was not written by hand and is refused, so a stored version never pins a child plan.
 */
export function assertNoResolvedSteps(definition: TJobDefinition, field: string) {
  definition.steps.forEach((step, index) => {
    if (step.action.type === "job" && step.action.resolved !== undefined)
      throw new AppError("BAD_REQUEST", {
        field: `${field}.steps.${index}.action.resolved`,
        message: "filled in when a run starts; leave it out",
      });
  });
}

function conflictOnName(field: string) {
  return (error: unknown): never => {
    if ((error as { constraint?: string }).constraint === "jobs_name_key")
      throw new AppError("CONFLICT", { field, message: "A job with this name already exists" });
    throw error;
  };
}

export async function listJobs(deps: JobsDeps, input: z.output<typeof ZListJobsRequestSchema>) {
  const after = decodeCursor(input.cursor);
  const [rows, folders] = await Promise.all([
    repo.listPage(deps.db, input, after, input.limit + 1),
    repo.listFolders(deps.db),
  ]);
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toJobSummary),
    nextCursor: rows.length > input.limit ? encodeCursor(page.at(-1)!.name.toLowerCase()) : null,
    folders: folders.map((folder) => ({ path: folder.folder, jobs: Number(folder.jobs) })),
  };
}

export async function getJob(deps: JobsDeps, id: string) {
  const row = await repo.findWithLatest(deps.db, id);
  if (!row) throw notFound("Job");
  return toJob(row, await repo.countVersions(deps.db, id));
}

/** Writes a new job and its version 1, with the audit record and event, inside `trx`. */
export async function insertJobWithVersion(
  trx: Transaction<JobsDatabase>,
  actor: AuditActor,
  input: { name: string; definition: TJobDefinition; message: string | null },
  source: SaveSource,
  nameField = "name",
) {
  const row = await repo
    .insertJob(trx, {
      name: input.name,
      folder: input.definition.folder,
      tags: input.definition.tags,
      owner: actor.actorId,
      latest_version: 1,
      created_by: actor.actorId,
    })
    .catch(conflictOnName(nameField));
  await repo.insertVersion(trx, {
    jobId: row.id,
    version: 1,
    definition: input.definition,
    message: input.message,
    createdBy: actor.actorId,
  });
  await recordAudit(trx, actor, {
    action: "job.created",
    resourceType: "job",
    resourceId: row.id,
    after: { ...auditView(row), message: input.message, source },
  });
  await recordEvent(trx, { type: "job.saved", payload: { jobId: row.id, name: row.name, version: 1 } });
  return row;
}

/**
 * Saves a new version of a locked job when the definition changed (and renames it when the name did), with the
 * audit record and event. Nothing is written when nothing changed: `newVersion` is then null.
 */
export async function saveJobVersion(
  trx: Transaction<JobsDatabase>,
  actor: AuditActor,
  before: JobRow,
  latestDefinition: unknown,
  input: { name?: string | undefined; definition: TJobDefinition; message: string | null },
  source: SaveSource,
  nameField = "name",
): Promise<{ row: JobRow; newVersion: number | null }> {
  const isRenamed = input.name !== undefined && input.name !== before.name;
  const isChanged = !isSameDefinition(latestDefinition, input.definition);
  if (!isRenamed && !isChanged) return { row: before, newVersion: null };
  const newVersion = isChanged ? before.latest_version + 1 : null;
  if (newVersion !== null)
    await repo.insertVersion(trx, {
      jobId: before.id,
      version: newVersion,
      definition: input.definition,
      message: input.message,
      createdBy: actor.actorId,
    });
  const row = await repo
    .updateJob(trx, before.id, {
      ...(isRenamed ? { name: input.name } : {}),
      ...(newVersion !== null
        ? { latest_version: newVersion, folder: input.definition.folder, tags: input.definition.tags }
        : {}),
    })
    .catch(conflictOnName(nameField));
  await recordAudit(trx, actor, {
    action: "job.updated",
    resourceType: "job",
    resourceId: before.id,
    before: auditView(before),
    after: { ...auditView(row), message: input.message, source },
  });
  await recordEvent(trx, {
    type: "job.saved",
    payload: { jobId: row.id, name: row.name, version: row.latest_version },
  });
  return { row, newVersion };
}

export async function createJob(
  deps: JobsDeps,
  actor: AuditActor,
  input: z.output<typeof ZCreateJobRequestSchema>,
) {
  assertNoResolvedSteps(input.definition, "definition");
  const row = await deps.db
    .transaction()
    .execute((trx) =>
      insertJobWithVersion(
        trx,
        actor,
        { name: input.name, definition: input.definition, message: input.message ?? null },
        "api",
      ),
    );
  return toJob({ ...row, definition: input.definition }, 1);
}

/**
 * Saves an edit as a new version. `baseVersion` is the version the editor started from: when another save came
 * in between, the edit is refused (CONFLICT) instead of silently replacing it.
 */
export async function updateJob(
  deps: JobsDeps,
  actor: AuditActor,
  input: z.output<typeof ZUpdateJobRequestSchema>,
) {
  assertNoResolvedSteps(input.definition, "definition");
  return deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Job");
    if (before.latest_version !== input.baseVersion)
      throw new AppError("CONFLICT", {
        field: "baseVersion",
        message: `Version ${before.latest_version} was saved after version ${input.baseVersion}, which this edit started from; reload the job and apply your changes again`,
      });
    const latest = await repo.findVersion(trx, before.id, before.latest_version);
    const { row, newVersion } = await saveJobVersion(
      trx,
      actor,
      before,
      latest!.definition,
      { name: input.name, definition: input.definition, message: input.message ?? null },
      "api",
    );
    const definition = newVersion !== null ? input.definition : latest!.definition;
    return {
      job: toJob({ ...row, definition }, await repo.countVersions(trx, row.id)),
      newVersion,
    };
  });
}

/** Deletes the job and all its versions; runs in the execution service keep its name and version. */
export async function deleteJob(deps: JobsDeps, actor: AuditActor, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, id);
    if (!before) throw notFound("Job");
    await repo.deleteJob(trx, id);
    await recordAudit(trx, actor, {
      action: "job.deleted",
      resourceType: "job",
      resourceId: id,
      before: auditView(before),
    });
    await recordEvent(trx, { type: "job.deleted", payload: { jobId: id, name: before.name } });
  });
  return { success: true as const };
}

/** Gives the job to another user (admin); the user must exist. */
export async function setJobOwner(
  deps: JobsDeps & Pick<JobsServiceDeps, "identity">,
  actor: AuditActor,
  context: InternalCallContext,
  input: z.output<typeof ZSetJobOwnerRequestSchema>,
) {
  const owner = input.owner;
  if (owner !== null) {
    // Asked before the transaction: no row lock is held while another service answers.
    await callInternal(() => deps.identity(context).users.get.query({ id: owner })).catch(
      (error: unknown) => {
        if (error instanceof AppError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST"))
          throw new AppError("BAD_REQUEST", { field: "owner", message: "No user has this id", cause: error });
        throw error;
      },
    );
  }
  const row = await deps.db.transaction().execute(async (trx) => {
    const before = await repo.lockById(trx, input.id);
    if (!before) throw notFound("Job");
    if (before.owner === owner) return before;
    const after = await repo.updateJob(trx, input.id, { owner });
    await recordAudit(trx, actor, {
      action: "job.owner_changed",
      resourceType: "job",
      resourceId: input.id,
      before: { owner: before.owner },
      after: { owner },
    });
    return after;
  });
  return getJob(deps, row.id);
}
