import type { AuditActor } from "@opsc/audit";
import type { ZExportJobsRequestSchema, ZImportJobsRequestSchema } from "@opsc/contracts/jobs/as-code";
import { type TJobDefinition, ZJobDefinition, ZJobName } from "@opsc/contracts/jobs/definition";
import type { TLineDiff } from "@opsc/contracts/jobs/versions";
import { AppError } from "@opsc/server-kit";
import { parseAllDocuments } from "yaml";
import type { z } from "zod";
import { isSameDefinition, jobDocument, jobsFile, lineDiff } from "./definition-yaml.ts";
import type { JobWithDefinition } from "./jobs.dto.ts";
import * as repo from "./jobs.repository.ts";
import { insertJobWithVersion, type JobsDeps, saveJobVersion } from "./jobs.service.ts";

/** Jobs as code: export to one multi-document YAML file, import it back with a preview. */

const IMPORT_MESSAGE = "imported from YAML";
const MAX_REPORTED_ERRORS = 20;

export async function exportJobs(deps: JobsDeps, input: z.output<typeof ZExportJobsRequestSchema>) {
  const rows = await repo.listWithLatest(deps.db, input.folder);
  return { yaml: jobsFile(rows), count: rows.length };
}

interface ImportError {
  path: string;
  message: string;
}

interface ParsedJob {
  document: number;
  name: string;
  definition: TJobDefinition;
}

/** `documents[2].steps[0].key` */
function formatPath(document: number, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === "number" ? `${text}[${part}]` : `${text}.${String(part)}`),
    `documents[${document}]`,
  );
}

function issuesOf(document: number, error: z.ZodError, prefix: PropertyKey[] = []): ImportError[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({
        path: formatPath(document, [...path, key]),
        message: "unknown field",
      }));
    return [{ path: formatPath(document, path), message: issue.message }];
  });
}

/** Reads and validates every document; a document that fails is reported and left out of the jobs. */
function readDocuments(text: string): { jobs: ParsedJob[]; errors: ImportError[] } {
  const jobs: ParsedJob[] = [];
  const errors: ImportError[] = [];
  const seen = new Map<string, number>();
  parseAllDocuments(text).forEach((document, index) => {
    if (document.errors.length > 0) {
      errors.push({ path: `documents[${index}]`, message: document.errors[0]!.message });
      return;
    }
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    // An empty document (a trailing `---`) holds no job.
    if (value === null || value === undefined) return;
    if (typeof value !== "object" || Array.isArray(value)) {
      errors.push({
        path: `documents[${index}]`,
        message: "a job: a mapping with name and the definition's fields",
      });
      return;
    }
    const { name, ...fields } = value as Record<string, unknown>;
    const parsedName = ZJobName.safeParse(name);
    const parsedDefinition = ZJobDefinition.safeParse(fields);
    if (!parsedName.success) errors.push(...issuesOf(index, parsedName.error, ["name"]));
    if (!parsedDefinition.success) errors.push(...issuesOf(index, parsedDefinition.error));
    if (!parsedName.success || !parsedDefinition.success) return;
    const definition = parsedDefinition.data;
    const resolvedAt = definition.steps.findIndex(
      (step) => step.action.type === "job" && step.action.resolved !== undefined,
    );
    if (resolvedAt >= 0) {
      errors.push({
        path: formatPath(index, ["steps", resolvedAt, "action", "resolved"]),
        message: "filled in when a run starts; leave it out",
      });
      return;
    }
    const key = parsedName.data.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      errors.push({
        path: formatPath(index, ["name"]),
        message: `documents[${earlier}] defines a job of this name too`,
      });
      return;
    }
    seen.set(key, index);
    jobs.push({ document: index, name: parsedName.data, definition });
  });
  return { jobs, errors };
}

type Plan =
  | { action: "create" }
  | { action: "update" | "unchanged"; existing: JobWithDefinition; changes: TLineDiff | null };

function planOf(job: ParsedJob, existing: JobWithDefinition | undefined): Plan {
  if (!existing) return { action: "create" };
  // The same test as a save's: a file that only orders keys differently changes nothing.
  if (existing.name === job.name && isSameDefinition(existing.definition, job.definition))
    return { action: "unchanged", existing, changes: null };
  const before = jobDocument(existing.name, existing.definition);
  const after = jobDocument(job.name, job.definition);
  return { action: "update", existing, changes: lineDiff(before, after) };
}

/**
 * Previews an import (per job: create, update with its diff, or unchanged) and, with `apply`, writes all of it in
 * one transaction: every new job and version, or nothing when a document is invalid.
 */
export async function importJobs(
  deps: JobsDeps,
  actor: AuditActor,
  input: z.output<typeof ZImportJobsRequestSchema>,
) {
  const { jobs, errors } = readDocuments(input.yaml);
  const existing = new Map(
    (
      await repo.findByNamesWithLatest(
        deps.db,
        jobs.map((job) => job.name),
      )
    ).map((row) => [row.name.toLowerCase(), row]),
  );
  const preview = jobs.map((job) => {
    const plan = planOf(job, existing.get(job.name.toLowerCase()));
    return {
      document: job.document,
      name: job.name,
      action: plan.action,
      id: plan.action === "create" ? null : plan.existing.id,
      version: plan.action === "create" ? null : plan.existing.latest_version,
      changes: plan.action === "create" ? null : plan.changes,
    };
  });
  if (!input.apply) return { applied: false, jobs: preview, errors };
  if (errors.length > 0)
    throw new AppError("BAD_REQUEST", {
      field: errors[0]!.path,
      message: `Nothing was imported: ${errors
        .slice(0, MAX_REPORTED_ERRORS)
        .map((error) => `${error.path}: ${error.message}`)
        .join("; ")}${errors.length > MAX_REPORTED_ERRORS ? "; …" : ""}`,
    });

  const applied = await deps.db.transaction().execute(async (trx) => {
    // Compared again under lock: an edit saved since the preview is taken into account, not overwritten blindly.
    const locked = new Map(
      (
        await repo.lockByNames(
          trx,
          jobs.map((job) => job.name),
        )
      ).map((row) => [row.name.toLowerCase(), row]),
    );
    const results = [];
    for (const job of jobs) {
      const row = locked.get(job.name.toLowerCase());
      const field = formatPath(job.document, ["name"]);
      const save = { name: job.name, definition: job.definition, message: IMPORT_MESSAGE };
      if (!row) {
        const created = await insertJobWithVersion(trx, actor, save, "import", field);
        results.push({ job, id: created.id, version: 1, action: "create" as const, changes: null });
        continue;
      }
      const latest = await repo.findVersion(trx, row.id, row.latest_version);
      const plan = planOf(job, { ...row, definition: latest!.definition });
      const saved = await saveJobVersion(trx, actor, row, latest!.definition, save, "import", field);
      results.push({
        job,
        id: row.id,
        version: saved.row.latest_version,
        action: plan.action,
        changes: plan.action === "create" ? null : plan.changes,
      });
    }
    return results;
  });
  return {
    applied: true,
    jobs: applied.map((result) => ({
      document: result.job.document,
      name: result.job.name,
      action: result.action,
      id: result.id,
      version: result.version,
      changes: result.changes,
    })),
    errors: [],
  };
}
