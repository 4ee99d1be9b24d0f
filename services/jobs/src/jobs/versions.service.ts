import type {
  ZDiffJobVersionsRequestSchema,
  ZListJobVersionsRequestSchema,
} from "@opsc/contracts/jobs/versions";
import { AppError, notFound } from "@opsc/server-kit";
import type { Selectable } from "kysely";
import type { z } from "zod";
import { jobDocument, lineDiff, normalizeDefinition, unifiedPatch } from "./definition-yaml.ts";
import * as repo from "./jobs.repository.ts";
import type { JobsDeps } from "./jobs.service.ts";
import type { JobVersionsTable } from "./jobs.table.ts";

type VersionRow = Pick<
  Selectable<JobVersionsTable>,
  "job_id" | "version" | "message" | "created_by" | "created_at"
>;

function toVersionSummary(row: VersionRow) {
  return {
    version: row.version,
    message: row.message,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

async function requireJob(deps: JobsDeps, id: string) {
  const job = await repo.findById(deps.db, id);
  if (!job) throw notFound("Job");
  return job;
}

export async function listVersions(deps: JobsDeps, input: z.output<typeof ZListJobVersionsRequestSchema>) {
  await requireJob(deps, input.id);
  const rows = await repo.listVersions(deps.db, input.id, input.before, input.limit + 1);
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toVersionSummary),
    nextBefore: rows.length > input.limit ? page.at(-1)!.version : null,
  };
}

async function requireVersion(deps: JobsDeps, id: string, version: number, field: string) {
  const row = await repo.findVersion(deps.db, id, version);
  if (!row) throw new AppError("NOT_FOUND", { field, message: `The job has no version ${version}` });
  return row;
}

export async function getVersion(deps: JobsDeps, id: string, version: number) {
  await requireJob(deps, id);
  const row = await requireVersion(deps, id, version, "version");
  return { ...toVersionSummary(row), jobId: row.job_id, definition: normalizeDefinition(row.definition) };
}

/** Two versions as YAML documents (under the job's current name) and their line diff. */
export async function diffVersions(deps: JobsDeps, input: z.output<typeof ZDiffJobVersionsRequestSchema>) {
  const job = await requireJob(deps, input.id);
  const [from, to] = await Promise.all([
    requireVersion(deps, input.id, input.from, "from"),
    requireVersion(deps, input.id, input.to, "to"),
  ]);
  const before = jobDocument(job.name, from.definition);
  const after = jobDocument(job.name, to.definition);
  return {
    from: { version: from.version, yaml: before },
    to: { version: to.version, yaml: after },
    changes: lineDiff(before, after),
    patch: unifiedPatch(
      { label: `${job.name} v${from.version}`, text: before },
      { label: `${job.name} v${to.version}`, text: after },
    ),
  };
}
