import type { AuditOutboxTable } from "@opsc/audit";
import type { PreferencesTable } from "./preferences/preferences.table.ts";

export const USERS_SCHEMA = "users";

export interface UsersDatabase {
  preferences: PreferencesTable;
  audit_outbox: AuditOutboxTable;
}
