import { ZSuccessResponse } from "@opsc/contracts";
import { ZDiscoveryIdRequestSchema } from "@opsc/contracts/discovery/common";
import {
  ZAllowedRange,
  ZCreateAllowedRangeRequestSchema,
  ZListAllowedRangesResponseSchema,
  ZUpdateAllowedRangeRequestSchema,
} from "@opsc/contracts/discovery/ranges";
import { adminProcedure, auditActorOf, router, viewerProcedure } from "@opsc/server-kit";
import { z } from "zod";
import type { DiscoveryServiceDeps } from "../deps.ts";
import * as ranges from "./ranges.service.ts";

const tags = ["discovery"];

/** The networks scans may touch. Everyone may read them (scans are defined against them); only admins change them. */
export function createRangesRouter(deps: DiscoveryServiceDeps) {
  return router({
    list: viewerProcedure
      .meta({
        openapi: { method: "GET", path: "/discovery/ranges", tags, summary: "List the allowed ranges" },
      })
      .input(z.object({}).strict().optional())
      .output(ZListAllowedRangesResponseSchema)
      .query(() => ranges.listRanges(deps)),
    create: adminProcedure
      .meta({
        openapi: { method: "POST", path: "/discovery/ranges", tags, summary: "Allow a range for scans" },
      })
      .input(ZCreateAllowedRangeRequestSchema)
      .output(ZAllowedRange)
      .mutation(({ ctx, input }) => ranges.createRange(deps, auditActorOf(ctx), input)),
    update: adminProcedure
      .meta({
        openapi: { method: "POST", path: "/discovery/ranges/{id}", tags, summary: "Change an allowed range" },
      })
      .input(ZUpdateAllowedRangeRequestSchema)
      .output(ZAllowedRange)
      .mutation(({ ctx, input }) => ranges.updateRange(deps, auditActorOf(ctx), input)),
    delete: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/discovery/ranges/{id}/delete",
          tags,
          summary: "Stop allowing a range",
        },
      })
      .input(ZDiscoveryIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => ranges.deleteRange(deps, auditActorOf(ctx), input.id)),
  });
}
