import { ZExecutionTarget } from "@opsc/contracts/execution/actions";
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
import { pinObservedHostKeys, resolveExecutionTargets } from "../targets/execution-targets.ts";
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
    execution: router({
      /** The targets of a new run, with their connection settings and sealed credentials. */
      resolve: internalProcedure
        .input(
          z
            .strictObject({
              selector: z.string().min(1).max(2000).optional(),
              ids: z.array(z.string().uuid()).min(1).max(50_000).optional(),
            })
            .refine((value) => (value.selector === undefined) !== (value.ids === undefined), {
              message: "give either selector or ids",
            }),
        )
        .output(
          z.object({ items: z.array(ZExecutionTarget), missing: z.array(z.string()), excluded: z.number() }),
        )
        // A mutation only so that 50,000 ids travel in a body, not a URL; it changes nothing.
        .mutation(({ input }) => resolveExecutionTargets(deps.db, input)),
      /** Host keys that tasks saw on targets without a pinned key: pinned on first use. */
      pinHostKeys: internalProcedure
        .input(
          z.strictObject({
            keys: z
              .array(
                z.strictObject({
                  targetId: z.string().uuid(),
                  algorithm: z.string().max(100),
                  fingerprintSha256: z.string().max(200),
                }),
              )
              .max(50_000),
          }),
        )
        .output(z.object({ pinned: z.number().int() }))
        .mutation(({ input }) => pinObservedHostKeys(deps.db, input.keys)),
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
