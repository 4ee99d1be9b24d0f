import { type AuditActor, recordAudit } from "@opsc/audit";
import { minRole, type TCaller, type TRole } from "@opsc/contracts";
import type { TCreateUserRequest } from "@opsc/contracts/users/accounts";
import type { Logger } from "@opsc/logger";
import { AppError, notFound } from "@opsc/server-kit";
import { APIError } from "better-auth/api";
import type { Kysely, Transaction } from "kysely";
import type { BetterAuth } from "../better-auth.ts";
import { apiKeyRole, toApiKeyDto, toRole, toUserDto } from "./identity.dto.ts";
import * as repo from "./identity.repository.ts";
import type { AuthDatabase } from "./identity.table.ts";

export interface IdentityDeps {
  db: Kysely<AuthDatabase>;
  auth: BetterAuth;
  log: Logger;
}

async function hashPassword(deps: IdentityDeps, password: string): Promise<string> {
  return (await deps.auth.$context).password.hash(password);
}

async function verifyPassword(deps: IdentityDeps, hash: string, password: string): Promise<boolean> {
  return (await deps.auth.$context).password.verify({ hash, password });
}

/** Resolves the caller of a request from its cookie, bearer token or API key. */
export async function authenticate(deps: IdentityDeps, headers: Headers): Promise<TCaller | null> {
  if (!headers.get("cookie") && !headers.get("authorization") && !headers.get("x-api-key")) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer && bearer.split(".").length === 3) return authenticateJwt(deps, bearer);
  // getSession throws on a malformed or unknown API key; that is "not authenticated", not a server error.
  const session = await deps.auth.api.getSession({ headers }).catch((error: unknown) => {
    // A bad credential is an APIError: simply "not authenticated". Anything else (a JWKS key that no longer
    // decrypts after BETTER_AUTH_SECRET changed, a database fault) must be visible to operators.
    if (!(error instanceof APIError)) deps.log.error({ err: error }, "session lookup failed");
    return null;
  });
  if (!session || (session.user as { banned?: boolean | null }).banned) return null;
  const userRole = toRole((session.user as { role?: string | null }).role);
  let role = userRole;
  let apiKeyId: string | null = null;
  if (headers.get("x-api-key")) {
    const key = await repo.findApiKeyById(deps.db, session.session.id);
    if (!key || key.enabled === false) return null;
    apiKeyId = key.id;
    role = minRole(userRole, apiKeyRole(key.metadata));
  }
  return { userId: session.user.id, email: session.user.email, name: session.user.name, role, apiKeyId };
}

/**
 * A JWT from /api/auth/token (signed with the keys published at /api/auth/jwks). The signature and expiry come
 * from the token; the role and the disabled flag come from the database, so a demotion or a ban applies at once.
 */
async function authenticateJwt(deps: IdentityDeps, token: string): Promise<TCaller | null> {
  const verified = await deps.auth.api.verifyJWT({ body: { token } }).catch(() => null);
  const userId = verified?.payload?.sub;
  if (!userId) return null;
  const user = await repo.findUserById(deps.db, userId);
  if (!user || user.banned) return null;
  return { userId: user.id, email: user.email, name: user.name, role: toRole(user.role), apiKeyId: null };
}

export async function listUsers(
  deps: IdentityDeps,
  input: { search?: string | undefined; role?: TRole | undefined; limit: number; offset: number },
) {
  const { items, total } = await repo.listUsers(deps.db, {
    search: input.search,
    role: input.role,
    limit: input.limit,
    offset: input.offset,
  });
  return { items: items.map(toUserDto), total };
}

export async function getUser(deps: IdentityDeps, id: string) {
  const row = await repo.findUserById(deps.db, id);
  if (!row) throw notFound("User");
  return toUserDto(row);
}

/** Creates a user with a password, in one transaction with its audit record. */
export async function createUser(
  deps: IdentityDeps,
  actor: AuditActor,
  input: TCreateUserRequest,
  options: { action?: string; precheck?: (trx: Transaction<AuthDatabase>) => Promise<void> } = {},
) {
  const passwordHash = await hashPassword(deps, input.password);
  return deps.db.transaction().execute(async (trx) => {
    await options.precheck?.(trx);
    if (await repo.findUserByEmail(trx, input.email)) {
      throw new AppError("CONFLICT", { message: "A user with this e-mail already exists", field: "email" });
    }
    const now = new Date();
    const row = {
      id: crypto.randomUUID(),
      name: input.name,
      email: input.email.toLowerCase(),
      emailVerified: true,
      image: null,
      createdAt: now,
      updatedAt: now,
      role: input.role,
      banned: false,
      banReason: null,
      banExpires: null,
      twoFactorEnabled: false,
    };
    await repo.insertUser(trx, row);
    await repo.insertCredentialAccount(trx, row.id, passwordHash);
    const user = toUserDto(row);
    await recordAudit(trx, actor, {
      action: options.action ?? "user.created",
      resourceType: "user",
      resourceId: row.id,
      after: user,
    });
    return user;
  });
}

/** Refuses a change that would leave no administrator able to sign in. */
async function assertAdminRemains(
  trx: Transaction<AuthDatabase>,
  target: { role: string | null; banned: boolean | null },
) {
  if (target.role === "admin" && target.banned !== true && (await repo.countActiveAdmins(trx)) <= 1) {
    throw new AppError("PRECONDITION_FAILED", { message: "This is the last active administrator" });
  }
}

async function withLockedUser<T>(
  deps: IdentityDeps,
  id: string,
  fn: (
    trx: Transaction<AuthDatabase>,
    row: NonNullable<Awaited<ReturnType<typeof repo.lockUserById>>>,
  ) => Promise<T>,
): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    // Serialises admin-count checks: two concurrent demotions cannot both see "two admins left".
    await trx.selectFrom("user").select("id").where("role", "=", "admin").forUpdate().execute();
    const row = await repo.lockUserById(trx, id);
    if (!row) throw notFound("User");
    return fn(trx, row);
  });
}

export async function updateUser(
  deps: IdentityDeps,
  actor: AuditActor,
  id: string,
  data: { name?: string | undefined; role?: TRole | undefined },
) {
  return withLockedUser(deps, id, async (trx, row) => {
    if (data.role && data.role !== "admin") await assertAdminRemains(trx, row);
    const updated = await repo.updateUser(trx, id, {
      ...(data.name ? { name: data.name } : {}),
      ...(data.role ? { role: data.role } : {}),
    });
    const before = toUserDto(row);
    const after = toUserDto(updated);
    await recordAudit(trx, actor, {
      action: data.role && data.role !== before.role ? "user.role_changed" : "user.updated",
      resourceType: "user",
      resourceId: id,
      before,
      after,
    });
    return after;
  });
}

export async function setDisabled(
  deps: IdentityDeps,
  actor: AuditActor,
  id: string,
  disabled: boolean,
  reason?: string,
) {
  if (disabled && actor.actorId === id)
    throw new AppError("PRECONDITION_FAILED", { message: "You cannot disable yourself", field: "id" });
  return withLockedUser(deps, id, async (trx, row) => {
    if (disabled) await assertAdminRemains(trx, row);
    const updated = await repo.updateUser(trx, id, {
      banned: disabled,
      banReason: disabled ? (reason ?? null) : null,
    });
    if (disabled) await repo.deleteSessions(trx, id);
    const after = toUserDto(updated);
    await recordAudit(trx, actor, {
      action: disabled ? "user.disabled" : "user.enabled",
      resourceType: "user",
      resourceId: id,
      before: toUserDto(row),
      after,
    });
    return after;
  });
}

export async function deleteUser(deps: IdentityDeps, actor: AuditActor, id: string) {
  if (actor.actorId === id)
    throw new AppError("PRECONDITION_FAILED", { message: "You cannot delete yourself", field: "id" });
  await withLockedUser(deps, id, async (trx, row) => {
    await assertAdminRemains(trx, row);
    await repo.deleteUser(trx, id);
    await recordAudit(trx, actor, {
      action: "user.deleted",
      resourceType: "user",
      resourceId: id,
      before: toUserDto(row),
    });
  });
  return { success: true as const };
}

/** An administrator sets a new password; every session of that user ends. */
export async function resetPassword(deps: IdentityDeps, actor: AuditActor, id: string, newPassword: string) {
  const passwordHash = await hashPassword(deps, newPassword);
  await withLockedUser(deps, id, async (trx) => {
    await repo.updateCredentialPassword(trx, id, passwordHash);
    await repo.deleteSessions(trx, id);
    await recordAudit(trx, actor, { action: "user.password_reset", resourceType: "user", resourceId: id });
  });
  return { success: true as const };
}

export async function updateOwnName(deps: IdentityDeps, actor: AuditActor, userId: string, name: string) {
  return updateUser(deps, actor, userId, { name });
}

/** A user changes their own password, proving the current one. */
export async function changeOwnPassword(
  deps: IdentityDeps,
  actor: AuditActor,
  userId: string,
  input: { currentPassword: string; newPassword: string; revokeOtherSessions: boolean },
  currentSessionToken: string | null,
) {
  const hash = await repo.findCredentialPasswordHash(deps.db, userId);
  if (!hash || !(await verifyPassword(deps, hash, input.currentPassword))) {
    throw new AppError("BAD_REQUEST", { message: "The current password is wrong", field: "currentPassword" });
  }
  const passwordHash = await hashPassword(deps, input.newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await repo.updateCredentialPassword(trx, userId, passwordHash);
    if (input.revokeOtherSessions) await repo.deleteSessions(trx, userId, currentSessionToken ?? undefined);
    await recordAudit(trx, actor, {
      action: "user.password_changed",
      resourceType: "user",
      resourceId: userId,
    });
  });
  return { success: true as const };
}

export async function listApiKeys(deps: IdentityDeps, userId: string) {
  return { items: (await repo.listApiKeysByUser(deps.db, userId)).map(toApiKeyDto) };
}

/**
 * Creates an API key for the caller. better-auth writes the key row itself, so the audit record follows in a
 * second transaction; if that fails the key is deleted again, so no key exists without its audit record.
 */
export async function createApiKey(
  deps: IdentityDeps,
  actor: AuditActor,
  caller: TCaller,
  input: { name: string; expiresInDays: number | null; role?: TRole | undefined },
) {
  const owner = await repo.findUserById(deps.db, caller.userId);
  if (!owner) throw notFound("User");
  const ownerRole = toRole(owner.role);
  const requested = input.role ?? minRole(ownerRole, caller.role);
  if (requested !== minRole(requested, caller.role)) {
    throw new AppError("FORBIDDEN", {
      message: `A key cannot carry more rights than its creator (${caller.role})`,
      field: "role",
    });
  }
  const created = await deps.auth.api.createApiKey({
    body: {
      userId: caller.userId,
      name: input.name,
      expiresIn: input.expiresInDays === null ? null : input.expiresInDays * 86_400,
      metadata: { role: requested },
    },
  });
  const row = await repo.findApiKeyById(deps.db, created.id);
  if (!row) throw new AppError("INTERNAL_SERVER_ERROR", { message: "API key was not stored" });
  const apiKey = toApiKeyDto(row);
  try {
    await deps.db.transaction().execute((trx) =>
      recordAudit(trx, actor, {
        action: "api_key.created",
        resourceType: "api_key",
        resourceId: apiKey.id,
        after: apiKey,
      }),
    );
  } catch (error) {
    await deps.db.deleteFrom("apikey").where("id", "=", apiKey.id).execute();
    throw error;
  }
  return { apiKey, key: created.key };
}

export async function revokeApiKey(deps: IdentityDeps, actor: AuditActor, userId: string, id: string) {
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findApiKeyById(trx, id);
    // Another user's key answers "not found": its existence is not the caller's business.
    if (!row || row.referenceId !== userId) throw notFound("API key");
    await repo.deleteApiKey(trx, id);
    await recordAudit(trx, actor, {
      action: "api_key.revoked",
      resourceType: "api_key",
      resourceId: id,
      before: toApiKeyDto(row),
    });
  });
  return { success: true as const };
}
