import type { TJob, TJobSummary } from "@opsc/contracts/jobs/jobs";
import { AppError } from "@opsc/server-kit";
import type { Selectable } from "kysely";
import { normalizeDefinition } from "./definition-yaml.ts";
import type { JobsTable } from "./jobs.table.ts";

export type JobRow = Selectable<JobsTable>;
export type JobWithDefinition = JobRow & { definition: unknown };

export function toJobSummary(row: JobWithDefinition): TJobSummary {
  const definition = row.definition as { description?: string };
  return {
    id: row.id,
    name: row.name,
    folder: row.folder,
    tags: row.tags,
    description: definition.description ?? "",
    owner: row.owner,
    latestVersion: row.latest_version,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toJob(row: JobWithDefinition, versionCount: number): TJob {
  return { ...toJobSummary(row), definition: normalizeDefinition(row.definition), versionCount };
}

/** What an audit record says about a job: who and where, not the definition (its version holds that). */
export function auditView(row: JobRow) {
  return {
    name: row.name,
    folder: row.folder,
    tags: row.tags,
    owner: row.owner,
    latestVersion: row.latest_version,
  };
}

export function encodeCursor(lowerName: string): string {
  return Buffer.from(lowerName).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (text.length === 0 || text.length > 100 || encodeCursor(text) !== cursor)
    throw new AppError("BAD_REQUEST", { field: "cursor", message: "Not a cursor this list returned" });
  return text;
}
