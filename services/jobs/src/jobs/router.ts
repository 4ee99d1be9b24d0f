import { ZSuccessResponse } from "@opsc/contracts";
import {
  ZExportJobsRequestSchema,
  ZExportJobsResponseSchema,
  ZImportJobsRequestSchema,
  ZImportJobsResponseSchema,
} from "@opsc/contracts/jobs/as-code";
import {
  ZCreateJobRequestSchema,
  ZJob,
  ZJobIdRequestSchema,
  ZListJobsRequestSchema,
  ZListJobsResponseSchema,
  ZSetJobOwnerRequestSchema,
  ZUpdateJobRequestSchema,
  ZUpdateJobResponseSchema,
} from "@opsc/contracts/jobs/jobs";
import {
  ZDiffJobVersionsRequestSchema,
  ZDiffJobVersionsResponseSchema,
  ZGetJobVersionRequestSchema,
  ZJobVersion,
  ZListJobVersionsRequestSchema,
  ZListJobVersionsResponseSchema,
} from "@opsc/contracts/jobs/versions";
import { adminProcedure, auditActorOf, operatorProcedure, router, viewerProcedure } from "@opsc/server-kit";
import { callContextOf } from "../call-context.ts";
import type { JobsServiceDeps } from "../deps.ts";
import { exportJobs, importJobs } from "./as-code.service.ts";
import * as jobs from "./jobs.service.ts";
import { diffVersions, getVersion, listVersions } from "./versions.service.ts";

const tags = ["jobs"];

/**
 * Job definitions and their versions, and jobs as code. REST: a job is `/jobs/items/{id}` (like targets), so other
 * paths under `/jobs/` (export, import, schedules, …) never collide with an id.
 */
export function createDefinitionProcedures(deps: JobsServiceDeps) {
  return {
    export: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/jobs/export",
          tags,
          summary: "Export jobs as one YAML file (a document per job)",
        },
      })
      .input(ZExportJobsRequestSchema)
      .output(ZExportJobsResponseSchema)
      .query(({ input }) => exportJobs(deps, input)),
    import: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/import",
          tags,
          summary: "Preview a YAML import of jobs; with apply, save all of it or nothing",
        },
      })
      .input(ZImportJobsRequestSchema)
      .output(ZImportJobsResponseSchema)
      .mutation(({ ctx, input }) => importJobs(deps, auditActorOf(ctx), input)),
    list: viewerProcedure
      .meta({
        openapi: { method: "GET", path: "/jobs/items", tags, summary: "List jobs by name, with the folders" },
      })
      .input(ZListJobsRequestSchema)
      .output(ZListJobsResponseSchema)
      .query(({ input }) => jobs.listJobs(deps, input)),
    get: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/jobs/items/{id}",
          tags,
          summary: "Get a job with its latest definition",
        },
      })
      .input(ZJobIdRequestSchema)
      .output(ZJob)
      .query(({ input }) => jobs.getJob(deps, input.id)),
    create: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/jobs/items", tags, summary: "Create a job (version 1)" } })
      .input(ZCreateJobRequestSchema)
      .output(ZJob)
      .mutation(({ ctx, input }) => jobs.createJob(deps, auditActorOf(ctx), input)),
    update: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/items/{id}",
          tags,
          summary: "Save a new version of a job (refused when baseVersion is not the latest)",
        },
      })
      .input(ZUpdateJobRequestSchema)
      .output(ZUpdateJobResponseSchema)
      .mutation(({ ctx, input }) => jobs.updateJob(deps, auditActorOf(ctx), input)),
    delete: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/items/{id}/delete",
          tags,
          summary: "Delete a job with its versions",
        },
      })
      .input(ZJobIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => jobs.deleteJob(deps, auditActorOf(ctx), input.id)),
    setOwner: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/items/{id}/owner",
          tags,
          summary: "Give a job to another user",
        },
      })
      .input(ZSetJobOwnerRequestSchema)
      .output(ZJob)
      .mutation(({ ctx, input }) => jobs.setJobOwner(deps, auditActorOf(ctx), callContextOf(ctx), input)),
    versions: router({
      list: viewerProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/jobs/items/{id}/versions",
            tags,
            summary: "A job's versions, newest first",
          },
        })
        .input(ZListJobVersionsRequestSchema)
        .output(ZListJobVersionsResponseSchema)
        .query(({ input }) => listVersions(deps, input)),
      get: viewerProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/jobs/items/{id}/versions/{version}",
            tags,
            summary: "One version of a job",
          },
        })
        .input(ZGetJobVersionRequestSchema)
        .output(ZJobVersion)
        .query(({ input }) => getVersion(deps, input.id, input.version)),
      diff: viewerProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/jobs/items/{id}/diff",
            tags,
            summary: "Two versions of a job as YAML, with their line diff",
          },
        })
        .input(ZDiffJobVersionsRequestSchema)
        .output(ZDiffJobVersionsResponseSchema)
        .query(({ input }) => diffVersions(deps, input)),
    }),
  };
}
