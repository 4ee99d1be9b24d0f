import type { Generated } from "kysely";

export interface HealthChecksTable {
  id: Generated<number>;
  target_id: string;
  status: "up" | "degraded" | "down" | "unknown";
  latency_ms: number | null;
  error: string | null;
  checked_at: Date;
}
