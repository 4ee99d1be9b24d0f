import { ROLES, type TRole } from "@opsc/contracts";
import type { TUser } from "@opsc/contracts/users/accounts";
import type { TApiKey } from "@opsc/contracts/users/me";
import type { ApiKeyTable, UserTable } from "./identity.table.ts";

export function toRole(value: string | null | undefined): TRole {
  return (ROLES as readonly string[]).includes(value ?? "") ? (value as TRole) : "viewer";
}

/** The public shape of a user: no hashes, no tokens, nothing secret. */
export function toUserDto(row: UserTable): TUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: toRole(row.role),
    disabled: row.banned === true,
    disabledReason: row.banned ? (row.banReason ?? null) : null,
    twoFactorEnabled: row.twoFactorEnabled === true,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The role an API key carries: the one stored in its metadata, capped by its owner's at use time. */
export function apiKeyRole(metadata: string | null | undefined | Record<string, unknown>): TRole {
  if (!metadata) return "viewer";
  try {
    const parsed = typeof metadata === "string" ? (JSON.parse(metadata) as unknown) : metadata;
    const role =
      typeof parsed === "string"
        ? (JSON.parse(parsed) as { role?: string }).role
        : (parsed as { role?: string }).role;
    return toRole(role);
  } catch {
    return "viewer";
  }
}

export function toApiKeyDto(row: ApiKeyTable): TApiKey {
  return {
    id: row.id,
    name: row.name ?? "",
    start: row.start,
    role: apiKeyRole(row.metadata),
    enabled: row.enabled !== false,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    lastUsedAt: row.lastRequest ? row.lastRequest.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}
