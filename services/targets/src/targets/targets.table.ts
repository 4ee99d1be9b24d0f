import type { Generated } from "kysely";

export interface TargetsTable {
  id: Generated<string>;
  name: string;
  address: string;
  port: number;
  kind: "ssh" | "http";
  tags: Record<string, string>;
  description: string;
  enabled: boolean;
  maintenance: boolean;
  owner_id: string | null;
  credential_id: string | null;
  sudo_credential_id: string | null;
  http_options: {
    scheme: "http" | "https";
    path: string;
    expectStatus?: number | undefined;
    insecureTls: boolean;
  } | null;
  health_interval_seconds: number | null;
  health_status: Generated<"up" | "degraded" | "down" | "unknown">;
  health_latency_ms: number | null;
  health_error: string | null;
  health_checked_at: Date | null;
  health_changed_at: Date | null;
  health_claimed_until: Date | null;
  host_key_algorithm: string | null;
  host_key_fingerprint: string | null;
  host_key_pinned_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
