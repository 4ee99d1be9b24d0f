import { recordAudits } from "@opsc/audit";
import type { THealthCheckTarget } from "@opsc/contracts/targets/health";

/** A target row with its credential's columns joined in, as the health sweep and run resolution select it. */
export interface ConnectionRow {
  id: string;
  address: string;
  port: number;
  kind: "ssh" | "http";
  http_options: THealthCheckTarget["http"];
  host_key_algorithm: string | null;
  host_key_fingerprint: string | null;
  credential_id: string | null;
  credential_kind: string | null;
  credential_username: string | null;
  credential_header: string | null;
  credential_sealed: string | null;
}

/** What a worker needs to connect to a target: address, HTTP options, pinned host key, credential still sealed. */
export function toConnectionTarget(row: ConnectionRow): THealthCheckTarget {
  return {
    id: row.id,
    address: row.address,
    port: row.port,
    kind: row.kind,
    http: row.http_options,
    expectedHostKey: row.host_key_fingerprint
      ? { algorithm: row.host_key_algorithm ?? "", fingerprintSha256: row.host_key_fingerprint }
      : null,
    credential:
      row.credential_id && row.credential_sealed
        ? {
            id: row.credential_id,
            kind: row.credential_kind ?? "",
            username: row.credential_username,
            headerName: row.credential_header,
            sealed: row.credential_sealed,
          }
        : null,
  };
}

/** Audits host keys pinned on first use by a worker (health check or task): the system did it, not a person. */
export async function auditFirstUsePins(
  trx: Parameters<typeof recordAudits>[0],
  pinned: { id: string; host_key_algorithm: string; host_key_fingerprint: string }[],
  by: string,
): Promise<void> {
  await recordAudits(
    trx,
    { actorId: null, apiKeyId: null, sourceIp: null, requestId: null, isSystem: true },
    pinned.map((row) => ({
      action: "target.host_key_pinned",
      resourceType: "target",
      resourceId: row.id,
      after: { algorithm: row.host_key_algorithm, fingerprintSha256: row.host_key_fingerprint, by },
    })),
  );
}
