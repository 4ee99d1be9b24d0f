import { ZCaller, ZSuccessResponse } from "@opsc/contracts";
import {
  ZCreateUserRequestSchema,
  ZDisableUserRequestSchema,
  ZGetUserRequestSchema,
  ZIdRequestSchema,
  ZListUsersRequestSchema,
  ZListUsersResponseSchema,
  ZResetPasswordRequestSchema,
  ZUpdateUserRequestSchema,
  ZUser,
} from "@opsc/contracts/users/accounts";
import {
  ZApiKey,
  ZChangePasswordRequestSchema,
  ZCreateApiKeyRequestSchema,
  ZCreateApiKeyResponseSchema,
  ZDisableTwoFactorRequestSchema,
  ZEnableTwoFactorRequestSchema,
  ZEnableTwoFactorResponseSchema,
  ZInternalTwoFactorChangeSchema,
  ZUpdateProfileRequestSchema,
  ZVerifyTwoFactorRequestSchema,
} from "@opsc/contracts/users/me";
import { AppError, auditActorOf, internalProcedure, router } from "@opsc/server-kit";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { IdentityDeps } from "../identity/identity.service.ts";
import * as identity from "../identity/identity.service.ts";
import * as twoFactor from "../identity/two-factor.service.ts";

/**
 * The identity operations other services (users) call. Role checks happen in the calling service's public
 * router; these procedures keep the data rules (last admin, own keys only) and write the audit records.
 */
export function createIdentityRouter(deps: IdentityDeps, options: { onChange: () => Promise<void> }) {
  /**
   * Procedures acting for the asserted end user need one. Their mutations may change how credentials resolve (a
   * role, a ban, a revoked key, a new password), so each one that succeeded tells the services' identity caches.
   */
  const asUser = internalProcedure.use(async ({ ctx, next, type }) => {
    if (!ctx.caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "No caller asserted" });
    const result = await next({ ctx: { caller: ctx.caller } });
    if (type === "mutation" && result.ok) await options.onChange();
    return result;
  });
  return router({
    authenticate: internalProcedure
      .output(ZCaller.nullable())
      .query(({ ctx }) => identity.authenticate(deps, ctx.headers)),
    users: router({
      list: internalProcedure
        .input(ZListUsersRequestSchema)
        .output(ZListUsersResponseSchema)
        .query(({ input }) => identity.listUsers(deps, input)),
      get: internalProcedure
        .input(ZGetUserRequestSchema)
        .output(ZUser)
        .query(({ input }) => identity.getUser(deps, input.id)),
      create: asUser
        .input(ZCreateUserRequestSchema)
        .output(ZUser)
        .mutation(({ ctx, input }) => identity.createUser(deps, auditActorOf(ctx), input)),
      update: asUser
        .input(ZUpdateUserRequestSchema)
        .output(ZUser)
        .mutation(({ ctx, input }) => identity.updateUser(deps, auditActorOf(ctx), input.id, input.data)),
      disable: asUser
        .input(ZDisableUserRequestSchema)
        .output(ZUser)
        .mutation(({ ctx, input }) =>
          identity.setDisabled(deps, auditActorOf(ctx), input.id, true, input.reason),
        ),
      enable: asUser
        .input(ZIdRequestSchema)
        .output(ZUser)
        .mutation(({ ctx, input }) => identity.setDisabled(deps, auditActorOf(ctx), input.id, false)),
      delete: asUser
        .input(ZIdRequestSchema)
        .output(ZSuccessResponse)
        .mutation(({ ctx, input }) => identity.deleteUser(deps, auditActorOf(ctx), input.id)),
      resetPassword: asUser
        .input(ZResetPasswordRequestSchema)
        .output(ZSuccessResponse)
        .mutation(({ ctx, input }) =>
          identity.resetPassword(deps, auditActorOf(ctx), input.id, input.newPassword),
        ),
    }),
    me: router({
      updateName: asUser
        .input(ZUpdateProfileRequestSchema)
        .output(ZUser)
        .mutation(({ ctx, input }) =>
          identity.updateOwnName(deps, auditActorOf(ctx), ctx.caller.userId, input.name),
        ),
      changePassword: asUser
        .input(ZChangePasswordRequestSchema)
        .output(ZSuccessResponse)
        .mutation(async ({ ctx, input }) => {
          const session = await deps.auth.api.getSession({ headers: ctx.headers }).catch(() => null);
          return identity.changeOwnPassword(
            deps,
            auditActorOf(ctx),
            ctx.caller.userId,
            input,
            session?.session.token ?? null,
          );
        }),
      enableTwoFactor: asUser
        .input(ZEnableTwoFactorRequestSchema)
        .output(ZEnableTwoFactorResponseSchema)
        .mutation(({ ctx, input }) => twoFactor.enable(deps, auditActorOf(ctx), ctx.headers, input.password)),
      verifyTwoFactor: asUser
        .input(ZVerifyTwoFactorRequestSchema)
        .output(ZInternalTwoFactorChangeSchema)
        .mutation(({ ctx, input }) => twoFactor.verify(deps, auditActorOf(ctx), ctx.headers, input.code)),
      disableTwoFactor: asUser
        .input(ZDisableTwoFactorRequestSchema)
        .output(ZInternalTwoFactorChangeSchema)
        .mutation(({ ctx, input }) =>
          twoFactor.disable(deps, auditActorOf(ctx), ctx.headers, input.password),
        ),
      listApiKeys: asUser
        .output(z.object({ items: z.array(ZApiKey) }))
        .query(({ ctx }) => identity.listApiKeys(deps, ctx.caller.userId)),
      createApiKey: asUser
        .input(ZCreateApiKeyRequestSchema)
        .output(ZCreateApiKeyResponseSchema)
        .mutation(({ ctx, input }) => identity.createApiKey(deps, auditActorOf(ctx), ctx.caller, input)),
      revokeApiKey: asUser
        .input(ZIdRequestSchema)
        .output(ZSuccessResponse)
        .mutation(({ ctx, input }) =>
          identity.revokeApiKey(deps, auditActorOf(ctx), ctx.caller.userId, input.id),
        ),
    }),
  });
}

export type IdentityRouter = ReturnType<typeof createIdentityRouter>;
export { AppError };
