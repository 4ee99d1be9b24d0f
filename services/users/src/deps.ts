import type { IdentityRouter } from "@opsc/auth/internal";
import type { Logger } from "@opsc/logger";
import type { InternalCallContext } from "@opsc/server-kit";
import type { TRPCClient } from "@trpc/client";
import type { Kysely } from "kysely";
import type { UsersDatabase } from "./database.ts";

export type IdentityClient = (context: InternalCallContext) => TRPCClient<IdentityRouter>;

export interface UsersDeps {
  db: Kysely<UsersDatabase>;
  identity: IdentityClient;
  log: Logger;
}
