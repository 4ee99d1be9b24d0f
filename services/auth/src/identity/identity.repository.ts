import type { TRole } from "@opsc/contracts";
import { containsPattern } from "@opsc/db/match";
import { type Kysely, sql, type Transaction } from "kysely";
import type { AuthDatabase, UserTable } from "./identity.table.ts";

type Db = Kysely<AuthDatabase> | Transaction<AuthDatabase>;

export async function findUserById(db: Db, id: string) {
  return db.selectFrom("user").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function lockUserById(trx: Transaction<AuthDatabase>, id: string) {
  return trx.selectFrom("user").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom("user")
    .selectAll()
    .where(sql`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
}

export async function listUsers(
  db: Db,
  filter: { search?: string | undefined; role?: TRole | undefined; limit: number; offset: number },
) {
  let query = db.selectFrom("user");
  if (filter.search) {
    const pattern = containsPattern(filter.search);
    query = query.where((eb) => eb.or([eb("email", "ilike", pattern), eb("name", "ilike", pattern)]));
  }
  if (filter.role) query = query.where("role", "=", filter.role);
  const [items, count] = await Promise.all([
    query.selectAll().orderBy("email").limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.total) };
}

/** Admins able to sign in; used to refuse removing the last one. */
export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom("user")
    .select((eb) => eb.fn.countAll<number>().as("total"))
    .where("role", "=", "admin")
    .where((eb) => eb.or([eb("banned", "is", null), eb("banned", "=", false)]))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function insertUser(trx: Transaction<AuthDatabase>, user: UserTable) {
  await trx.insertInto("user").values(user).execute();
}

export async function insertCredentialAccount(
  trx: Transaction<AuthDatabase>,
  userId: string,
  passwordHash: string,
) {
  const now = new Date();
  await trx
    .insertInto("account")
    .values({
      id: crypto.randomUUID(),
      accountId: userId,
      providerId: "credential",
      userId,
      password: passwordHash,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
}

export async function findCredentialPasswordHash(db: Db, userId: string): Promise<string | null> {
  const row = await db
    .selectFrom("account")
    .select("password")
    .where("userId", "=", userId)
    .where("providerId", "=", "credential")
    .executeTakeFirst();
  return row?.password ?? null;
}

export async function updateCredentialPassword(
  trx: Transaction<AuthDatabase>,
  userId: string,
  passwordHash: string,
) {
  const result = await trx
    .updateTable("account")
    .set({ password: passwordHash, updatedAt: new Date() })
    .where("userId", "=", userId)
    .where("providerId", "=", "credential")
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) await insertCredentialAccount(trx, userId, passwordHash);
}

export async function updateUser(
  trx: Transaction<AuthDatabase>,
  id: string,
  changes: Partial<Pick<UserTable, "name" | "role" | "banned" | "banReason">>,
) {
  return trx
    .updateTable("user")
    .set({ ...changes, updatedAt: new Date() })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteUser(trx: Transaction<AuthDatabase>, id: string) {
  // better-auth's tables reference user with ON DELETE CASCADE (sessions, accounts, 2FA, API keys).
  await trx.deleteFrom("apikey").where("referenceId", "=", id).execute();
  await trx.deleteFrom("user").where("id", "=", id).execute();
}

/** Ends every session of a user, or every session but `keepToken`. */
export async function deleteSessions(trx: Transaction<AuthDatabase>, userId: string, keepToken?: string) {
  let query = trx.deleteFrom("session").where("userId", "=", userId);
  if (keepToken) query = query.where("token", "!=", keepToken);
  await query.execute();
}

export async function listApiKeysByUser(db: Db, userId: string) {
  return db
    .selectFrom("apikey")
    .selectAll()
    .where("referenceId", "=", userId)
    .orderBy("createdAt", "desc")
    .execute();
}

export async function findApiKeyById(db: Db, id: string) {
  return db.selectFrom("apikey").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function deleteApiKey(trx: Transaction<AuthDatabase>, id: string) {
  await trx.deleteFrom("apikey").where("id", "=", id).execute();
}
