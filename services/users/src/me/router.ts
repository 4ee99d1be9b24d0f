import { ZSuccessResponse } from "@opsc/contracts";
import { ZIdRequestSchema, ZUser } from "@opsc/contracts/users/accounts";
import {
  ZChangePasswordRequestSchema,
  ZCreateApiKeyRequestSchema,
  ZCreateApiKeyResponseSchema,
  ZDisableTwoFactorRequestSchema,
  ZEnableTwoFactorRequestSchema,
  ZEnableTwoFactorResponseSchema,
  ZListApiKeysResponseSchema,
  ZPreferences,
  ZProfileResponseSchema,
  ZTwoFactorChangeResponseSchema,
  ZUpdatePreferencesRequestSchema,
  ZUpdateProfileRequestSchema,
  ZVerifyTwoFactorRequestSchema,
} from "@opsc/contracts/users/me";
import {
  auditActorOf,
  callInternal,
  type RequestContext,
  router,
  sessionProcedure,
  viewerProcedure,
} from "@opsc/server-kit";
import { z } from "zod";
import type { UsersDeps } from "../deps.ts";
import { getPreferences, updatePreferences } from "../preferences/preferences.service.ts";

const tags = ["profile"];

/** The browser gets the new session cookie with this response; SDK users get the new bearer token. */
function forwardSession(ctx: RequestContext, result: { sessionToken: string | null; setCookies: string[] }) {
  for (const cookie of result.setCookies) ctx.responseHeaders.append("set-cookie", cookie);
  return { success: true as const, sessionToken: result.sessionToken };
}
const noInput = z.object({}).strict().optional();

/** The caller's own account: every signed-in user, any role. */
export function createMeRouter(deps: UsersDeps) {
  return router({
    get: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/users/me",
          tags,
          summary: "The caller's profile, preferences and effective role",
        },
      })
      .input(noInput)
      .output(ZProfileResponseSchema)
      .query(async ({ ctx }) => {
        const [user, preferences] = await Promise.all([
          callInternal(() => deps.identity(ctx).users.get.query({ id: ctx.caller.userId })),
          getPreferences(deps.db, ctx.caller.userId),
        ]);
        return { user, preferences, apiKeyId: ctx.caller.apiKeyId, effectiveRole: ctx.caller.role };
      }),
    update: viewerProcedure
      .meta({
        openapi: { method: "POST", path: "/users/me", tags, summary: "Change the caller's display name" },
      })
      .input(ZUpdateProfileRequestSchema)
      .output(ZUser)
      .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).me.updateName.mutate(input))),
    updatePreferences: viewerProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/users/me/preferences",
          tags,
          summary: "Change theme and time zone",
        },
      })
      .input(ZUpdatePreferencesRequestSchema)
      .output(ZPreferences)
      .mutation(({ ctx, input }) => updatePreferences(deps.db, auditActorOf(ctx), ctx.caller.userId, input)),
    changePassword: sessionProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/users/me/password",
          tags,
          summary: "Change the caller's password",
        },
      })
      .input(ZChangePasswordRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).me.changePassword.mutate(input))),
    twoFactor: router({
      enable: sessionProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/users/me/two-factor/enable",
            tags,
            summary: "Start TOTP set-up: returns the otpauth URI and backup codes",
          },
        })
        .input(ZEnableTwoFactorRequestSchema)
        .output(ZEnableTwoFactorResponseSchema)
        .mutation(({ ctx, input }) =>
          callInternal(() => deps.identity(ctx).me.enableTwoFactor.mutate(input)),
        ),
      verify: sessionProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/users/me/two-factor/verify",
            tags,
            summary: "Confirm TOTP set-up with a current code",
          },
        })
        .input(ZVerifyTwoFactorRequestSchema)
        .output(ZTwoFactorChangeResponseSchema)
        .mutation(async ({ ctx, input }) =>
          forwardSession(ctx, await callInternal(() => deps.identity(ctx).me.verifyTwoFactor.mutate(input))),
        ),
      disable: sessionProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/users/me/two-factor/disable",
            tags,
            summary: "Turn two-factor sign-in off",
          },
        })
        .input(ZDisableTwoFactorRequestSchema)
        .output(ZTwoFactorChangeResponseSchema)
        .mutation(async ({ ctx, input }) =>
          forwardSession(ctx, await callInternal(() => deps.identity(ctx).me.disableTwoFactor.mutate(input))),
        ),
    }),
    apiKeys: router({
      list: viewerProcedure
        .meta({
          openapi: {
            method: "GET",
            path: "/users/me/api-keys",
            tags,
            summary: "The caller's API keys (never the secrets)",
          },
        })
        .input(noInput)
        .output(ZListApiKeysResponseSchema)
        .query(({ ctx }) => callInternal(() => deps.identity(ctx).me.listApiKeys.query())),
      create: sessionProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/users/me/api-keys",
            tags,
            summary: "Create an API key; the secret is returned once",
          },
        })
        .input(ZCreateApiKeyRequestSchema)
        .output(ZCreateApiKeyResponseSchema)
        .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).me.createApiKey.mutate(input))),
      revoke: viewerProcedure
        .meta({
          openapi: {
            method: "POST",
            path: "/users/me/api-keys/{id}/revoke",
            tags,
            summary: "Revoke one of the caller's API keys",
          },
        })
        .input(ZIdRequestSchema)
        .output(ZSuccessResponse)
        .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).me.revokeApiKey.mutate(input))),
    }),
  });
}
