import { router } from "@opsc/server-kit";
import { createAccountsRouter } from "./accounts/router.ts";
import type { UsersDeps } from "./deps.ts";
import { createMeRouter } from "./me/router.ts";

export function createUsersRouter(deps: UsersDeps) {
  return router({ accounts: createAccountsRouter(deps), me: createMeRouter(deps) });
}

export type UsersRouter = ReturnType<typeof createUsersRouter>;
