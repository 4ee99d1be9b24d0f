// Plain authenticated HTTP routes for bytes, which tRPC cannot stream: an artifact's content and a run's whole log.
// The caller is checked like viewerProcedure checks it, with the authenticate function the routers use.
import { hasRole } from "@opsc/contracts";
import type { Authenticate, createServiceHttp, RequestInfo } from "@opsc/server-kit";
import { Elysia } from "elysia";
import type { ExecutionServiceDeps } from "./deps.ts";
import { LOG_CONTENT_TYPE, runLogText, textStream } from "./logs/archive.ts";

type Http = ReturnType<typeof createServiceHttp>;
type DownloadDeps = Pick<ExecutionServiceDeps, "db" | "objectStore" | "log">;

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const ARTIFACT_PATH = new RegExp(`^/api/v1/execution/artifacts/(${UUID})/content$`);
const LOG_PATH = new RegExp(`^/api/v1/execution/runs/(${UUID})/log\\.txt$`);

function errorResponse(status: number, code: string, message: string, info: RequestInfo): Response {
  return Response.json({ error: { code, message, requestId: info.requestId, issues: null } }, { status });
}

/**
 * `attachment` with a file name that is safe in a header: `[A-Za-z0-9._-]` in `filename`, and the name itself
 * percent-encoded in `filename*` (RFC 6266).
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_") || "download";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The caller, or the response that refuses them: 401 without valid credentials, 403 below viewer. */
async function authorize(
  authenticate: Authenticate,
  request: Request,
  info: RequestInfo,
): Promise<Response | null> {
  const caller = await authenticate(request.headers, info);
  if (!caller) return errorResponse(401, "UNAUTHORIZED", "Sign in or send an API key", info);
  if (!hasRole(caller.role, "viewer"))
    return errorResponse(403, "FORBIDDEN", "Requires the viewer role", info);
  return null;
}

/**
 * `GET /api/v1/execution/artifacts/{id}/content`: the artifact's bytes, streamed from the object store, with its
 * content type, length and `Content-Disposition: attachment`.
 * `GET /api/v1/execution/runs/{id}/log.txt`: the run's whole log as text (see `runLogText`), from its archive
 * when there is one, else built from PostgreSQL while it streams (not for a run whose log was pruned: its chunks are
 * only in the object store, and its archive was written again just before).
 * Both: 401 without credentials, 404 for an unknown id, 503 when the object store fails.
 */
export function createDownloadRoutes(deps: DownloadDeps, http: Http, authenticate: Authenticate) {
  const log = deps.log.child({ component: "downloads" });

  const artifact = http.instrument("/api/v1/execution/artifacts/{id}/content", async (request, info) => {
    const refused = await authorize(authenticate, request, info);
    if (refused) return refused;
    const id = ARTIFACT_PATH.exec(new URL(request.url).pathname)?.[1];
    const row = id
      ? await deps.db
          .selectFrom("artifacts")
          .select(["name", "size", "content_type", "object_key", "sha256"])
          .where("id", "=", id)
          .executeTakeFirst()
      : undefined;
    if (!row) return errorResponse(404, "NOT_FOUND", "artifact not found", info);
    let object: Awaited<ReturnType<typeof deps.objectStore.get>>;
    try {
      object = await deps.objectStore.get(row.object_key);
    } catch (error) {
      log.error({ err: error, key: row.object_key }, "the object store failed to read an artifact");
      return errorResponse(503, "SERVICE_UNAVAILABLE", "The object store is not available; try again", info);
    }
    if (!object) return errorResponse(404, "NOT_FOUND", "The artifact's file is no longer stored", info);
    return new Response(object.body, {
      headers: {
        "content-type": row.content_type,
        "content-length": String(object.size),
        "content-disposition": contentDisposition(row.name),
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-store",
        "x-opsc-sha256": row.sha256,
      },
    });
  });

  const runLog = http.instrument("/api/v1/execution/runs/{id}/log.txt", async (request, info) => {
    const refused = await authorize(authenticate, request, info);
    if (refused) return refused;
    const id = LOG_PATH.exec(new URL(request.url).pathname)?.[1];
    const run = id
      ? await deps.db
          .selectFrom("runs")
          .select(["id", "log_archive_key", "logs_pruned_at"])
          .where("id", "=", id)
          .executeTakeFirst()
      : undefined;
    if (!run) return errorResponse(404, "NOT_FOUND", "run not found", info);
    const headers = {
      "content-type": LOG_CONTENT_TYPE,
      "content-disposition": contentDisposition(`run-${run.id}.log`),
      "x-content-type-options": "nosniff",
      "cache-control": "private, no-store",
    };
    if (run.log_archive_key) {
      try {
        const object = await deps.objectStore.get(run.log_archive_key);
        if (object)
          return new Response(object.body, {
            headers: { ...headers, "content-length": String(object.size), "x-opsc-log-source": "archive" },
          });
        if (!run.logs_pruned_at)
          log.warn({ runId: run.id }, "the run's log archive is missing; serving the log from the database");
      } catch (error) {
        // A pruned run's chunks are no longer in the database: there is nothing to fall back to.
        if (run.logs_pruned_at) {
          log.error({ err: error, runId: run.id }, "the object store failed to read a pruned run's log");
          return errorResponse(
            503,
            "SERVICE_UNAVAILABLE",
            "The object store is not available; try again",
            info,
          );
        }
        log.warn({ err: error, runId: run.id }, "the object store failed; serving the log from the database");
      }
    }
    if (run.logs_pruned_at) {
      log.warn({ runId: run.id }, "the log archive of a run whose log was pruned is missing");
      return errorResponse(404, "NOT_FOUND", "This run's log is no longer stored", info);
    }
    return new Response(textStream(runLogText(deps.db, run.id)), {
      headers: { ...headers, "x-opsc-log-source": "database" },
    });
  });

  return new Elysia({ name: "execution-downloads" })
    .get("/api/v1/execution/artifacts/:id/content", artifact)
    .get("/api/v1/execution/runs/:id/log.txt", runLog);
}
