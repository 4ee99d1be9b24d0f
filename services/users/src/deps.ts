import type { IdentityRouter } from "@opsc/auth/internal";
import type { Logger } from "@opsc/logger";
import type { InternalClient } from "@opsc/server-kit";
import type { Kysely } from "kysely";
import type { UsersDatabase } from "./database.ts";

export type IdentityClient = InternalClient<IdentityRouter>;

export interface UsersDeps {
  db: Kysely<UsersDatabase>;
  identity: IdentityClient;
  log: Logger;
}
