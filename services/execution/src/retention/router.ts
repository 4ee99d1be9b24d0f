import {
  ZMaintenanceStatusResponseSchema,
  ZPruneLogsResponseSchema,
  ZPruneRequestSchema,
  ZPruneRunsResponseSchema,
} from "@opsc/contracts/execution/maintenance";
import { adminProcedure, auditActorOf, internalProcedure, router } from "@opsc/server-kit";
import { z } from "zod";
import type { ExecutionServiceDeps } from "../deps.ts";
import { getMaintenanceStatus, pruneLogs, pruneRuns } from "./retention.service.ts";

/**
 * Retention, called by the system worker's maintenance module (internal token only). Each call does a bounded
 * batch and says whether more is due; changes are audited as the system.
 */
export function createMaintenanceInternalRouter(deps: ExecutionServiceDeps) {
  return router({
    /** Moves the chunks of old finished runs' logs from PostgreSQL to the object store. */
    pruneLogs: internalProcedure
      .input(ZPruneRequestSchema)
      .output(ZPruneLogsResponseSchema)
      .mutation(({ ctx, input }) => pruneLogs(deps, { ...auditActorOf(ctx), isSystem: true }, input)),
    /** Archives old finished runs as JSON in the object store and deletes them with their objects. */
    pruneRuns: internalProcedure
      .input(ZPruneRequestSchema)
      .output(ZPruneRunsResponseSchema)
      .mutation(({ ctx, input }) => pruneRuns(deps, { ...auditActorOf(ctx), isSystem: true }, input)),
  });
}

/** The retention policy and what maintenance did, for administrators. */
export function createMaintenanceRouter(deps: ExecutionServiceDeps) {
  return router({
    status: adminProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/execution/maintenance",
          tags: ["execution"],
          summary: "Retention policy of runs and logs, and what the last maintenance calls did",
        },
      })
      .input(z.object({}).strict().optional())
      .output(ZMaintenanceStatusResponseSchema)
      .query(() => getMaintenanceStatus(deps)),
  });
}
