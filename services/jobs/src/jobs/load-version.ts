import type { TJobDefinition } from "@opsc/contracts/jobs/definition";
import { AppError, notFound } from "@opsc/server-kit";
import type { Kysely, Transaction } from "kysely";
import type { JobsDatabase } from "../database.ts";
import { normalizeDefinition } from "./definition-yaml.ts";
import type { JobRow } from "./jobs.dto.ts";
import * as repo from "./jobs.repository.ts";

export interface LoadedVersion {
  job: JobRow;
  version: number;
  definition: TJobDefinition;
}

/** A job with one of its versions (the latest when `version` is omitted): what choices and runs start from. */
export async function loadVersion(
  db: Kysely<JobsDatabase> | Transaction<JobsDatabase>,
  id: string,
  version?: number,
): Promise<LoadedVersion> {
  const job = await repo.findById(db, id);
  if (!job) throw notFound("Job");
  const wanted = version ?? job.latest_version;
  const row = await repo.findVersion(db, id, wanted);
  if (!row)
    throw new AppError("NOT_FOUND", { field: "version", message: `The job has no version ${wanted}` });
  return { job, version: wanted, definition: normalizeDefinition(row.definition) };
}
