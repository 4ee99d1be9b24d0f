import {
  ZClaimDueRequestSchema,
  ZClaimDueResponseSchema,
  ZRecordResultsRequestSchema,
  ZRecordResultsResponseSchema,
} from "@opsc/contracts/targets/health";
import { ZCreateTargetRequestSchema, ZTarget } from "@opsc/contracts/targets/targets";
import { auditActorOf, internalProcedure, router } from "@opsc/server-kit";
import { z } from "zod";
import type { TargetsServiceDeps } from "../deps.ts";
import { claimDue, recordResults } from "../health/health.service.ts";
import { toTargetDto } from "../targets/targets.dto.ts";
import * as repo from "../targets/targets.repository.ts";
import { createTargets } from "../targets/targets.service.ts";

/**
 * What other services and workers call: the health sweep (system worker) and the inventory lookups and imports
 * of discovery. Reached only with the internal token, never through the gateway.
 */
export function createTargetsInternalRouter(deps: TargetsServiceDeps) {
  const healthDeps = { db: deps.db, defaultIntervalSeconds: deps.defaultIntervalSeconds };
  return router({
    health: router({
      claimDue: internalProcedure
        .input(ZClaimDueRequestSchema)
        .output(ZClaimDueResponseSchema)
        .mutation(async ({ input }) => ({ items: await claimDue(healthDeps, input) })),
      recordResults: internalProcedure
        .input(ZRecordResultsRequestSchema)
        .output(ZRecordResultsResponseSchema)
        .mutation(({ input }) => recordResults(healthDeps, input.results)),
    }),
    inventory: router({
      /** Targets at these addresses (discovery compares scan results with the inventory). */
      byAddresses: internalProcedure
        .input(z.strictObject({ addresses: z.array(z.string().max(253)).max(65_536) }))
        .output(z.object({ items: z.array(ZTarget) }))
        .query(async ({ input }) => ({
          items: (await repo.findByAddresses(deps.db, input.addresses)).map(toTargetDto),
        })),
      /** Creates reviewed discoveries as targets, all or none, audited as the user who imported them. */
      create: internalProcedure
        .input(z.strictObject({ targets: z.array(ZCreateTargetRequestSchema).min(1).max(5000) }))
        .output(z.object({ items: z.array(ZTarget) }))
        .mutation(async ({ ctx, input }) => ({
          items: await createTargets(
            deps,
            auditActorOf(ctx),
            input.targets,
            "target.imported_from_discovery",
          ),
        })),
    }),
  });
}

export type TargetsInternalRouter = ReturnType<typeof createTargetsInternalRouter>;
