import type { AuditOutboxTable } from "@opsc/audit";

/** better-auth's tables (camelCase columns), as far as OpsConductor reads and writes them itself. */
export interface UserTable {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  image: string | null;
  createdAt: Date;
  updatedAt: Date;
  role: string | null;
  banned: boolean | null;
  banReason: string | null;
  banExpires: Date | null;
  twoFactorEnabled: boolean | null;
}

export interface AccountTable {
  id: string;
  accountId: string;
  providerId: string;
  userId: string;
  password: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionTable {
  id: string;
  userId: string;
  token: string;
}

export interface ApiKeyTable {
  id: string;
  name: string | null;
  start: string | null;
  referenceId: string;
  enabled: boolean | null;
  expiresAt: Date | null;
  lastRequest: Date | null;
  createdAt: Date;
  metadata: string | null;
}

export interface SetupTokenTable {
  id: number;
  consumed_at: Date | null;
}

export interface AuthDatabase {
  user: UserTable;
  account: AccountTable;
  session: SessionTable;
  apikey: ApiKeyTable;
  audit_outbox: AuditOutboxTable;
}
