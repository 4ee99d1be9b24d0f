import {
  ZCreateFirstAdminRequestSchema,
  ZCreateFirstAdminResponseSchema,
  ZSetupStatusResponseSchema,
} from "@opsc/contracts/auth/setup";
import { publicProcedure, router } from "@opsc/server-kit";
import { z } from "zod";
import type { IdentityDeps } from "./identity/identity.service.ts";
import { createFirstAdmin, needsSetup } from "./setup/setup.service.ts";

/** The auth service's public router (sign-in itself is better-auth's, under /api/auth). */
export function createAuthRouter(deps: IdentityDeps & { setupToken: string | undefined }) {
  return router({
    setup: router({
      status: publicProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/auth/setup",
            tags: ["auth"],
            protect: false,
            summary: "Whether the first administrator must still be created",
          },
        })
        .input(z.object({}).optional())
        .output(ZSetupStatusResponseSchema)
        .query(async () => ({ needsSetup: await needsSetup(deps.db) })),
      createAdmin: publicProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/auth/setup",
            tags: ["auth"],
            protect: false,
            summary: "Create the first administrator with the one-time setup token",
          },
        })
        .input(ZCreateFirstAdminRequestSchema)
        .output(ZCreateFirstAdminResponseSchema)
        .mutation(({ ctx, input }) =>
          createFirstAdmin(
            deps,
            { actorId: null, apiKeyId: null, sourceIp: ctx.sourceIp, requestId: ctx.requestId },
            input,
          ),
        ),
    }),
  });
}

export type AuthRouter = ReturnType<typeof createAuthRouter>;
