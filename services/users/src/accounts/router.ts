import { ZSuccessResponse } from "@opsc/contracts";
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
import { adminProcedure, auditActorOf, callInternal, router } from "@opsc/server-kit";
import type { UsersDeps } from "../deps.ts";
import { deletePreferences } from "../preferences/preferences.service.ts";

const tags = ["users"];

/** User administration: admins only. Identity data lives in the auth service; we call it for every change. */
export function createAccountsRouter(deps: UsersDeps) {
  return router({
    list: adminProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/users/accounts",
          tags,
          summary: "List users (search, filter by role, paging)",
        },
      })
      .input(ZListUsersRequestSchema)
      .output(ZListUsersResponseSchema)
      .query(({ ctx, input }) => callInternal(() => deps.identity(ctx).users.list.query(input))),
    get: adminProcedure
      .meta({ openapi: { method: "GET", path: "/users/accounts/{id}", tags, summary: "Get a user" } })
      .input(ZGetUserRequestSchema)
      .output(ZUser)
      .query(({ ctx, input }) => callInternal(() => deps.identity(ctx).users.get.query(input))),
    create: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/users/accounts",
          tags,
          summary: "Create a user with an initial password",
        },
      })
      .input(ZCreateUserRequestSchema)
      .output(ZUser)
      .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).users.create.mutate(input))),
    update: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/users/accounts/{id}",
          tags,
          summary: "Change a user's name or role",
        },
      })
      .input(ZUpdateUserRequestSchema)
      .output(ZUser)
      .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).users.update.mutate(input))),
    disable: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/users/accounts/{id}/disable",
          tags,
          summary: "Disable a user and end their sessions",
        },
      })
      .input(ZDisableUserRequestSchema)
      .output(ZUser)
      .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).users.disable.mutate(input))),
    enable: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/users/accounts/{id}/enable",
          tags,
          summary: "Enable a disabled user",
        },
      })
      .input(ZIdRequestSchema)
      .output(ZUser)
      .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).users.enable.mutate(input))),
    delete: adminProcedure
      .meta({
        openapi: { method: "POST", path: "/users/accounts/{id}/delete", tags, summary: "Delete a user" },
      })
      .input(ZIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(async ({ ctx, input }) => {
        const result = await callInternal(() => deps.identity(ctx).users.delete.mutate(input));
        await deletePreferences(deps.db, auditActorOf(ctx), input.id);
        return result;
      }),
    resetPassword: adminProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/users/accounts/{id}/reset-password",
          tags,
          summary: "Set a new password; ends the user's sessions",
        },
      })
      .input(ZResetPasswordRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => callInternal(() => deps.identity(ctx).users.resetPassword.mutate(input))),
  });
}
