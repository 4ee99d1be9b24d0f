// The record a deleted run leaves in the object store: its run row, every task row and every artifact row, as JSON,
// without secrets (environment values, sealed secret parameters, the targets' sealed credentials).
import type { Kysely } from "kysely";
import type { ExecutionDatabase } from "../database.ts";

/** Tasks (or artifacts) read per query while writing a record. */
const PAGE = 1_000;

export const RUN_ARCHIVE_CONTENT_TYPE = "application/json";

/** Version of the record's layout, written into it. */
export const RUN_ARCHIVE_VERSION = 1;

/** `archives/runs/<yyyy>/<mm>/<runId>.json`, by the month (UTC) the run was created. */
export function runArchiveKey(runId: string, createdAt: Date): string {
  const year = createdAt.getUTCFullYear();
  const month = String(createdAt.getUTCMonth() + 1).padStart(2, "0");
  return `archives/runs/${year}/${month}/${runId}.json`;
}

/** Columns that hold or may hold a secret, whatever table: never archived. */
const SECRET_COLUMN = /secret|credential|sealed|password|token/i;

function withoutSecretColumns(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([column]) => !SECRET_COLUMN.test(column)));
}

/** The run row as archived: the environment's names only (as the API shows it), no sealed secret parameters. */
export function archivedRun(row: Record<string, unknown>): Record<string, unknown> {
  const { env, secret_env: secretEnv, ...rest } = row;
  return {
    ...withoutSecretColumns(rest),
    env_names: Object.keys((env as Record<string, string> | null) ?? {}),
    secret_env_names: Object.keys((secretEnv as Record<string, string> | null) ?? {}),
  };
}

/** A task row as archived: its target without the sealed credentials and connection options. */
export function archivedTask(row: Record<string, unknown>): Record<string, unknown> {
  const { target, ...rest } = row;
  const value = (target ?? {}) as Record<string, unknown>;
  return {
    ...withoutSecretColumns(rest),
    target: { id: value.id, name: value.name, address: value.address, port: value.port, kind: value.kind },
  };
}

/**
 * The run's record as JSON text, produced a page of rows at a time (a run of 50,000 tasks is never in memory whole):
 * `{ version, archivedAt, run, tasks: [...], artifacts: [...] }`.
 */
export async function* runRecordJson(
  db: Kysely<ExecutionDatabase>,
  run: Record<string, unknown> & { id: string },
  archivedAt: Date,
): AsyncGenerator<string> {
  yield `{"version":${RUN_ARCHIVE_VERSION},"archivedAt":${JSON.stringify(archivedAt.toISOString())},"run":${JSON.stringify(archivedRun(run))},"tasks":[`;
  let first = true;
  let afterSeq = -1;
  for (;;) {
    const tasks = await db
      .selectFrom("tasks")
      .selectAll()
      .where("run_id", "=", run.id)
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(PAGE)
      .execute();
    for (const task of tasks) {
      yield `${first ? "" : ","}${JSON.stringify(archivedTask(task as unknown as Record<string, unknown>))}`;
      first = false;
    }
    if (tasks.length < PAGE) break;
    afterSeq = tasks.at(-1)!.seq;
  }
  yield `],"artifacts":[`;
  first = true;
  let afterId = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const artifacts = await db
      .selectFrom("artifacts")
      .selectAll()
      .where("run_id", "=", run.id)
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(PAGE)
      .execute();
    for (const artifact of artifacts) {
      yield `${first ? "" : ","}${JSON.stringify(artifact)}`;
      first = false;
    }
    if (artifacts.length < PAGE) break;
    afterId = artifacts.at(-1)!.id;
  }
  yield "]}\n";
}
