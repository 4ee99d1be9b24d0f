import { ZSuccessResponse } from "@opsc/contracts";
import {
  ZCreateCredentialRequestSchema,
  ZCredential,
  ZListCredentialsResponseSchema,
  ZUpdateCredentialRequestSchema,
} from "@opsc/contracts/targets/credentials";
import { ZIdRequestSchema } from "@opsc/contracts/users/accounts";
import { adminProcedure, auditActorOf, operatorProcedure, router } from "@opsc/server-kit";
import { z } from "zod";
import type { TargetsServiceDeps } from "../deps.ts";
import * as credentials from "./credentials.service.ts";

const tags = ["credentials"];

/** Secrets go in and never come out: reads return metadata and a fingerprint. */
export function createCredentialsRouter(deps: TargetsServiceDeps) {
  return router({
    list: operatorProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/targets/credentials",
          tags,
          summary: "List credentials (metadata and fingerprints only)",
        },
      })
      .input(z.object({}).strict().optional())
      .output(ZListCredentialsResponseSchema)
      .query(() => credentials.listCredentials(deps)),
    get: operatorProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/targets/credentials/{id}",
          tags,
          summary: "Get a credential's metadata",
        },
      })
      .input(ZIdRequestSchema)
      .output(ZCredential)
      .query(({ input }) => credentials.getCredential(deps, input.id)),
    create: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/targets/credentials",
          tags,
          summary: "Store a credential (encrypted; write-only)",
        },
      })
      .input(ZCreateCredentialRequestSchema)
      .output(ZCredential)
      .mutation(({ ctx, input }) => credentials.createCredential(deps, auditActorOf(ctx), input)),
    update: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/targets/credentials/{id}",
          tags,
          summary: "Rename, describe or replace the secret",
        },
      })
      .input(ZUpdateCredentialRequestSchema)
      .output(ZCredential)
      .mutation(({ ctx, input }) => credentials.updateCredential(deps, auditActorOf(ctx), input)),
    delete: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/targets/credentials/{id}/delete",
          tags,
          summary: "Delete an unused credential",
        },
      })
      .input(ZIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => credentials.deleteCredential(deps, auditActorOf(ctx), input.id)),
  });
}
