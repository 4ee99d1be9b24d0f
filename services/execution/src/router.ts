import {
  ZListArtifactsRequestSchema,
  ZListArtifactsResponseSchema,
} from "@opsc/contracts/execution/artifacts";
import {
  ZCancelTaskRequestSchema,
  ZLineageResponseSchema,
  ZListRunsRequestSchema,
  ZListRunsResponseSchema,
  ZListTasksRequestSchema,
  ZListTasksResponseSchema,
  ZLogChunk,
  ZReadLogRequestSchema,
  ZReadLogResponseSchema,
  ZRetryRunRequestSchema,
  ZRun,
  ZRunIdRequestSchema,
  ZRunStatsRequestSchema,
  ZRunStatsResponseSchema,
  ZStartRunRequestSchema,
  ZStartRunResponseSchema,
  ZTask,
} from "@opsc/contracts/execution/runs";
import {
  auditActorOf,
  operatorProcedure,
  type RequestContext,
  router,
  viewerProcedure,
} from "@opsc/server-kit";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { listArtifacts } from "./artifacts/artifacts.service.ts";
import type { ExecutionServiceDeps } from "./deps.ts";
import { readLog, tailLog } from "./logs/logs.service.ts";
import { createMaintenanceRouter } from "./retention/router.ts";
import * as runs from "./runs/runs.service.ts";

const tags = ["execution"];

export function callContextOf(ctx: Pick<RequestContext, "requestId" | "sourceIp" | "caller" | "headers">) {
  return { requestId: ctx.requestId, sourceIp: ctx.sourceIp, caller: ctx.caller, headers: ctx.headers };
}

export function createExecutionRouter(deps: ExecutionServiceDeps) {
  return router({
    runs: router({
      start: operatorProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/execution/runs",
            tags,
            summary: "Run a command, script or HTTP request on targets",
          },
        })
        .input(ZStartRunRequestSchema)
        .output(ZStartRunResponseSchema)
        .mutation(({ ctx, input }) =>
          runs.startRun(deps, auditActorOf(ctx), ctx.caller, callContextOf(ctx), input),
        ),
      list: viewerProcedure
        .meta({
          openapi: { method: "GET", path: "/execution/runs", tags, summary: "List runs, newest first" },
        })
        .input(ZListRunsRequestSchema)
        .output(ZListRunsResponseSchema)
        .query(({ input }) => runs.listRuns(deps, input)),
      get: viewerProcedure
        .meta({ openapi: { method: "GET", path: "/execution/runs/{id}", tags, summary: "Get a run" } })
        .input(ZRunIdRequestSchema)
        .output(ZRun)
        .query(({ input }) => runs.getRun(deps, input.id)),
      cancel: operatorProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/execution/runs/{id}/cancel",
            tags,
            summary: "Cancel a run: pending tasks are skipped, running ones killed",
          },
        })
        .input(ZRunIdRequestSchema)
        .output(ZRun)
        .mutation(({ ctx, input }) => runs.cancelRun(deps, auditActorOf(ctx), ctx.caller, input.id)),
      retry: operatorProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/execution/runs/{id}/retry",
            tags,
            summary: "Run the failed targets again as a new, linked run",
          },
        })
        .input(ZRetryRunRequestSchema)
        .output(ZStartRunResponseSchema)
        .mutation(({ ctx, input }) =>
          runs.retryRun(deps, auditActorOf(ctx), ctx.caller, callContextOf(ctx), input),
        ),
      lineage: viewerProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/execution/runs/{id}/lineage",
            tags,
            summary: "A run's retries and resumes, the runs its steps started, and its parent",
          },
        })
        .input(ZRunIdRequestSchema)
        .output(ZLineageResponseSchema)
        .query(({ input }) => runs.lineage(deps, input.id)),
      stats: viewerProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/execution/stats",
            tags,
            summary: "Runs per hour and their outcome, success rate, running runs, recent failures",
          },
        })
        .input(ZRunStatsRequestSchema)
        .output(ZRunStatsResponseSchema)
        .query(({ input }) => runs.runStats(deps, input.hours)),
    }),
    tasks: router({
      list: viewerProcedure
        .meta({
          openapi: { method: "GET", path: "/execution/runs/{runId}/tasks", tags, summary: "A run's tasks" },
        })
        .input(ZListTasksRequestSchema)
        .output(ZListTasksResponseSchema)
        .query(({ input }) => runs.listTasks(deps, input)),
      get: viewerProcedure
        .meta({ openapi: { method: "GET", path: "/execution/tasks/{id}", tags, summary: "Get a task" } })
        .input(ZCancelTaskRequestSchema)
        .output(ZTask)
        .query(({ input }) => runs.getTask(deps, input.id)),
      cancel: operatorProcedure
        .meta({
          openapi: { method: "POST", path: "/execution/tasks/{id}/cancel", tags, summary: "Cancel one task" },
        })
        .input(ZCancelTaskRequestSchema)
        .output(ZTask)
        .mutation(({ ctx, input }) => runs.cancelTask(deps, auditActorOf(ctx), input.id)),
    }),
    artifacts: router({
      list: viewerProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/execution/runs/{runId}/artifacts",
            tags,
            summary: "Files a run's tasks saved; each downloads from its downloadPath",
          },
        })
        .input(ZListArtifactsRequestSchema)
        .output(ZListArtifactsResponseSchema)
        .query(({ input }) => listArtifacts(deps, input)),
    }),
    logs: router({
      read: viewerProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/execution/runs/{runId}/log",
            tags,
            summary: "A run's output from an offset (persisted chunks)",
          },
        })
        .input(ZReadLogRequestSchema)
        .output(ZReadLogResponseSchema)
        .query(({ input }) => readLog(deps, input)),
      /** Live tail over server-sent events; reconnecting resumes after the last offset received. */
      tail: viewerProcedure
        .input(
          z.strictObject({
            runId: z.string().uuid(),
            taskId: z.string().uuid().optional(),
            after: z.string().max(64).optional(),
            lastEventId: z.string().max(64).nullish(),
          }),
        )
        .subscription(async function* ({ input, signal }) {
          for await (const chunk of tailLog(
            deps,
            { runId: input.runId, taskId: input.taskId, after: input.lastEventId ?? input.after },
            signal,
          )) {
            yield tracked(chunk.offset, ZLogChunk.parse(chunk));
          }
        }),
    }),
    /** Retention policy and what maintenance did (admin). */
    maintenance: createMaintenanceRouter(deps),
  });
}

export type ExecutionRouter = ReturnType<typeof createExecutionRouter>;
