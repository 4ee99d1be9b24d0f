import type { TCredentialKind } from "@opsc/contracts/targets/credentials";
import type { Generated } from "kysely";

export interface CredentialsTable {
  id: string;
  name: string;
  kind: TCredentialKind;
  description: string;
  username: string | null;
  header_name: string | null;
  secret_sealed: string;
  fingerprint: string;
  has_passphrase: boolean;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
