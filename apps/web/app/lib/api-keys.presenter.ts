import type { TApiKey } from "@opsc/contracts/users/me";
import { formatDate, formatDateTime } from "./format.ts";

export interface ApiKeyRow {
  id: string;
  name: string;
  /** The key's first characters followed by an ellipsis, to recognise it. */
  preview: string;
  role: TApiKey["role"];
  expires: string;
  lastUsed: string;
  created: string;
  isExpired: boolean;
}

export function presentApiKeys(keys: TApiKey[], now: Date = new Date()): ApiKeyRow[] {
  return keys.map((key) => ({
    id: key.id,
    name: key.name,
    preview: key.start ? `${key.start}…` : "—",
    role: key.role,
    expires: key.expiresAt ? formatDate(key.expiresAt) : "Never",
    lastUsed: key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never",
    created: formatDate(key.createdAt),
    isExpired: key.expiresAt !== null && new Date(key.expiresAt) <= now,
  }));
}
