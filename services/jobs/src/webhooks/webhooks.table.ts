import type { TWebhookCallOutcome } from "@opsc/contracts/jobs/webhooks";
import type { ColumnType, Generated } from "kysely";

/** jsonb: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string | undefined, string>;

export interface WebhooksTable {
  id: string;
  job_id: string;
  name: string;
  /** sha256 (hex) of the URL token. */
  token_hash: string;
  /** The HMAC key, sealed (vault owner: the webhook's id). */
  secret_sealed: string;
  parameter_mapping: Json<Record<string, string>>;
  static_parameters: Json<Record<string, unknown>>;
  /** Sealed JSON object of secret static parameter values (vault owner: the webhook's id). */
  secret_parameters: string | null;
  secret_parameter_names: ColumnType<string[], string[] | undefined, string[]>;
  enabled: Generated<boolean>;
  last_called_at: Date | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WebhookCallsTable {
  id: Generated<string>;
  webhook_id: string;
  received_at: Generated<Date>;
  status: number;
  outcome: TWebhookCallOutcome;
  reason: string | null;
  run_id: string | null;
  source_ip: string | null;
  request_id: string | null;
}
