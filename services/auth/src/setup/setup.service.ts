import { timingSafeEqual } from "node:crypto";
import type { AuditActor } from "@opsc/audit";
import { AppError } from "@opsc/server-kit";
import { type Kysely, sql } from "kysely";
import type { IdentityDeps } from "../identity/identity.service.ts";
import * as identity from "../identity/identity.service.ts";
import type { AuthDatabase } from "../identity/identity.table.ts";

/** Any administrator at all, enabled or not: once one exists, bootstrap is over for good. */
export async function needsSetup(db: Kysely<AuthDatabase>): Promise<boolean> {
  const row = await db
    .selectFrom("user")
    .select("id")
    .where("role", "=", "admin")
    .limit(1)
    .executeTakeFirst();
  return row === undefined;
}

function tokenMatches(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Creates the first administrator. There is no default password: the caller must hold the one-time setup token
 * (printed by `bun run start`, or set as SETUP_TOKEN), or use the `admin:create` command on the server.
 */
export async function createFirstAdmin(
  deps: IdentityDeps & { setupToken: string | undefined },
  actor: AuditActor,
  input: { token?: string; email: string; name: string; password: string },
) {
  if (input.token !== undefined) {
    if (!deps.setupToken) {
      throw new AppError("FORBIDDEN", {
        message: "Web setup is not enabled on this server; run `bun run admin:create`",
        field: "token",
      });
    }
    if (!tokenMatches(deps.setupToken, input.token))
      throw new AppError("FORBIDDEN", { message: "The setup token is wrong", field: "token" });
  }
  const user = await identity.createUser(
    deps,
    { ...actor, isSystem: actor.actorId === null },
    { email: input.email, name: input.name, password: input.password, role: "admin" },
    {
      action: "user.bootstrap_admin",
      precheck: async (trx) => {
        // Two concurrent set-ups: the advisory lock lets one through; the other then sees an admin.
        await sql`select pg_advisory_xact_lock(hashtext('opsc.auth.bootstrap'))`.execute(trx);
        if (!(await needsSetup(trx)))
          throw new AppError("CONFLICT", { message: "An administrator already exists" });
      },
    },
  );
  return { userId: user.id };
}
