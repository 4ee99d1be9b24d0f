import type {
  TArtifact,
  TArtifactReport,
  ZListArtifactsRequestSchema,
} from "@opsc/contracts/execution/artifacts";
import { notFound } from "@opsc/server-kit";
import { sql, type Transaction } from "kysely";
import type { z } from "zod";
import type { ExecutionDatabase } from "../database.ts";
import type { ExecutionServiceDeps } from "../deps.ts";
import { decodeCursor, encodeCursor } from "../runs/runs.dto.ts";

/** Where an artifact's bytes are: the worker stores them there (workers/execution/src/artifacts.ts). */
export function artifactObjectKey(runId: string, taskId: string, name: string): string {
  return `artifacts/${runId}/${taskId}/${name}`;
}

/** The plain HTTP route that streams an artifact (tRPC carries no bytes). */
export const artifactDownloadPath = (id: string) => `/api/v1/execution/artifacts/${id}/content`;

/**
 * Records the files finished reports name, in the batch's transaction, for tasks of the run the report is about.
 * Idempotent on (task, name): a redelivered report writes the same row again. A key other than the one the task's
 * ids and the name give is ignored (the service serves only keys under the task's own prefix). `created_at` is
 * kept to the millisecond, so the list's keyset cursor (an ISO timestamp) is exact.
 */
export async function recordArtifacts(
  trx: Transaction<ExecutionDatabase>,
  reports: { runId: string; taskId: string; artifacts?: TArtifactReport[] | undefined }[],
): Promise<void> {
  const rows = reports.flatMap((report) =>
    (report.artifacts ?? [])
      .filter((artifact) => artifact.key === artifactObjectKey(report.runId, report.taskId, artifact.name))
      .map((artifact) => ({
        run_id: report.runId,
        task_id: report.taskId,
        name: artifact.name,
        size: artifact.size,
        sha256: artifact.sha256,
        content_type: artifact.contentType,
        object_key: artifact.key,
      })),
  );
  for (let start = 0; start < rows.length; start += 5_000) {
    await sql`
      insert into artifacts (run_id, task_id, name, size, sha256, content_type, object_key, created_at)
      select distinct on (r.task_id, r.name) r.run_id, r.task_id, r.name, r.size, r.sha256, r.content_type,
        r.object_key, date_trunc('milliseconds', now())
      from jsonb_to_recordset(${JSON.stringify(rows.slice(start, start + 5_000))}::jsonb) as r(
        run_id uuid, task_id uuid, name text, size bigint, sha256 text, content_type text, object_key text)
      join tasks t on t.id = r.task_id and t.run_id = r.run_id
      on conflict (task_id, name) do update set size = excluded.size, sha256 = excluded.sha256,
        content_type = excluded.content_type, object_key = excluded.object_key
    `.execute(trx);
  }
}

type ListInput = z.output<typeof ZListArtifactsRequestSchema>;

/** A run's artifacts (or one task's), in the order they were recorded; keyset-paged on (created_at, id). */
export async function listArtifacts(deps: Pick<ExecutionServiceDeps, "db">, input: ListInput) {
  const run = await deps.db.selectFrom("runs").select("id").where("id", "=", input.runId).executeTakeFirst();
  if (!run) throw notFound("run");
  let query = deps.db
    .selectFrom("artifacts as a")
    .innerJoin("tasks as t", "t.id", "a.task_id")
    .select([
      "a.id",
      "a.run_id",
      "a.task_id",
      "t.target_name",
      "a.name",
      "a.size",
      "a.sha256",
      "a.content_type",
      "a.created_at",
    ])
    .where("a.run_id", "=", input.runId);
  if (input.taskId) query = query.where("a.task_id", "=", input.taskId);
  const after = decodeCursor(input.cursor, "cursor");
  if (after)
    query = query.where(sql<boolean>`(a.created_at, a.id) > (${new Date(after.at)}, ${after.id}::uuid)`);
  const rows = await query
    .orderBy("a.created_at")
    .orderBy("a.id")
    .limit(input.limit + 1)
    .execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(
      (row): TArtifact => ({
        id: row.id,
        runId: row.run_id,
        taskId: row.task_id,
        targetName: row.target_name,
        name: row.name,
        size: Number(row.size),
        sha256: row.sha256,
        contentType: row.content_type,
        createdAt: new Date(row.created_at).toISOString(),
        downloadPath: artifactDownloadPath(row.id),
      }),
    ),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor({ at: new Date(last.created_at).toISOString(), id: last.id })
        : null,
  };
}
