import { type AuditActor, recordAudit } from "@opsc/audit";
import type { TPreferences } from "@opsc/contracts/users/me";
import type { Kysely } from "kysely";
import type { UsersDatabase } from "../database.ts";
import * as repo from "./preferences.repository.ts";
import type { PreferencesTable } from "./preferences.table.ts";

const DEFAULTS: TPreferences = { theme: "system", timeZone: "UTC" };

function toDto(row: PreferencesTable | undefined): TPreferences {
  return row ? { theme: row.theme, timeZone: row.time_zone } : DEFAULTS;
}

export async function getPreferences(db: Kysely<UsersDatabase>, userId: string): Promise<TPreferences> {
  return toDto(await repo.findByUserId(db, userId));
}

export async function updatePreferences(
  db: Kysely<UsersDatabase>,
  actor: AuditActor,
  userId: string,
  changes: Partial<TPreferences>,
): Promise<TPreferences> {
  return db.transaction().execute(async (trx) => {
    const before = toDto(await repo.findByUserId(trx, userId));
    const next = {
      ...before,
      ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
    } as TPreferences;
    const after = toDto(
      await repo.upsert(trx, { user_id: userId, theme: next.theme, time_zone: next.timeZone }),
    );
    await recordAudit(trx, actor, {
      action: "user.preferences_updated",
      resourceType: "user",
      resourceId: userId,
      before,
      after,
    });
    return after;
  });
}

/** Removes what this service keeps about a deleted user. */
export async function deletePreferences(
  db: Kysely<UsersDatabase>,
  actor: AuditActor,
  userId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const removed = await repo.deleteByUserId(trx, userId);
    if (removed) {
      await recordAudit(trx, actor, {
        action: "user.preferences_deleted",
        resourceType: "user",
        resourceId: userId,
        before: toDto(removed),
      });
    }
  });
}
