import type { TTarget } from "@opsc/contracts/targets/targets";
import type { Selectable } from "kysely";
import type { TargetsTable } from "./targets.table.ts";

export type TargetRow = Selectable<TargetsTable>;

export function toTargetDto(row: TargetRow): TTarget {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    port: row.port,
    kind: row.kind,
    tags: row.tags,
    description: row.description,
    enabled: row.enabled,
    maintenance: row.maintenance,
    ownerId: row.owner_id,
    credentialId: row.credential_id,
    sudoCredentialId: row.sudo_credential_id,
    http: row.http_options
      ? {
          scheme: row.http_options.scheme,
          path: row.http_options.path,
          insecureTls: row.http_options.insecureTls,
          ...(row.http_options.expectStatus ? { expectStatus: row.http_options.expectStatus } : {}),
        }
      : null,
    healthIntervalSeconds: row.health_interval_seconds,
    health: {
      status: row.health_status,
      latencyMs: row.health_latency_ms,
      error: row.health_error,
      checkedAt: row.health_checked_at?.toISOString() ?? null,
      changedAt: row.health_changed_at?.toISOString() ?? null,
    },
    hostKey:
      row.host_key_fingerprint && row.host_key_pinned_at
        ? {
            algorithm: row.host_key_algorithm ?? "",
            fingerprintSha256: row.host_key_fingerprint,
            pinnedAt: row.host_key_pinned_at.toISOString(),
          }
        : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The default port of a kind: SSH 22; HTTP by scheme. */
export function defaultPort(kind: "ssh" | "http", scheme: "http" | "https" | undefined): number {
  if (kind === "ssh") return 22;
  return scheme === "http" ? 80 : 443;
}
