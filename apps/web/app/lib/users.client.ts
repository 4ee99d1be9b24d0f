import type { TUser } from "@opsc/contracts/users/accounts";
import { type ActionResult, formSecret, formText, succeeded } from "./action-result.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { errorCode, getOps } from "./ops.client.ts";
import { parseUsersQuery, presentUsersPage, toListUsersRequest, type UsersPage } from "./users.presenter.ts";

export type UsersLoaderData = { kind: "forbidden" } | ({ kind: "ok" } & UsersPage);

export async function loadUsersPage(request: Request): Promise<UsersLoaderData> {
  const query = parseUsersQuery(new URL(request.url).searchParams);
  try {
    const response = await getOps().users.accounts.list.query(toListUsersRequest(query));
    return { kind: "ok", ...presentUsersPage(query, response) };
  } catch (error) {
    // The API is the authority on roles: a non-admin gets a page saying so rather than an error screen.
    if (errorCode(error) === "FORBIDDEN") return { kind: "forbidden" };
    rethrowLoaderError(error);
  }
}

export const USER_INTENTS = [
  "create",
  "update-role",
  "disable",
  "enable",
  "reset-password",
  "delete",
] as const;
export type UserIntent = (typeof USER_INTENTS)[number];
export type UsersActionResult = ActionResult<UserIntent, { user?: TUser }>;

function isUserIntent(value: string): value is UserIntent {
  return (USER_INTENTS as readonly string[]).includes(value);
}

/** One clientAction for every change on /users, told apart by the form's `intent` field. */
export async function runUsersAction(form: FormData): Promise<UsersActionResult> {
  const intent = formText(form, "intent");
  if (!isUserIntent(intent)) throw new Response(`Unknown intent: ${intent}`, { status: 400 });
  const accounts = getOps().users.accounts;
  const id = formText(form, "id");
  const label = formText(form, "label") || "the user";
  try {
    switch (intent) {
      case "create": {
        const user = await accounts.create.mutate({
          email: formText(form, "email"),
          name: formText(form, "name"),
          // Not checked here: the API validates every field and names the bad ones.
          role: formText(form, "role") as TUser["role"],
          password: formSecret(form, "password"),
        });
        return succeeded(intent, `Created ${user.email}.`, { user });
      }
      case "update-role": {
        const role = formText(form, "role");
        const user = await accounts.update.mutate({ id, data: { role: role as TUser["role"] } });
        return succeeded(intent, `${user.email} is now ${user.role}.`, { user });
      }
      case "disable": {
        const reason = formText(form, "reason");
        const user = await accounts.disable.mutate({ id, ...(reason ? { reason } : {}) });
        return succeeded(intent, `Disabled ${user.email}; their sessions have ended.`, { user });
      }
      case "enable": {
        const user = await accounts.enable.mutate({ id });
        return succeeded(intent, `Enabled ${user.email}.`, { user });
      }
      case "reset-password":
        await accounts.resetPassword.mutate({ id, newPassword: formSecret(form, "newPassword") });
        return succeeded(intent, `Set a new password for ${label}; their sessions have ended.`, {});
      case "delete":
        await accounts.delete.mutate({ id });
        return succeeded(intent, `Deleted ${label}.`, {});
    }
  } catch (error) {
    return failureOf(intent, error);
  }
}
