import { recordAudits } from "@opsc/audit";
import { reseal, sealedKeyId, type VaultKeys } from "@opsc/vault";
import type { Kysely } from "kysely";
import type { TargetsDatabase } from "../database.ts";
import * as repo from "./credentials.repository.ts";

/**
 * Re-seals every credential that another key sealed with the current (first) VAULT_KEYS key, a batch per
 * transaction, each change audited. Safe to run again: what is already under the current key is skipped.
 */
export async function rotateVaultKeys(db: Kysely<TargetsDatabase>, vault: VaultKeys, batchSize = 200) {
  let after: string | null = null;
  let total = 0;
  let resealed = 0;
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const rows = await repo.lockBatchAfter(trx, after, batchSize);
      const changed: { id: string; from: string }[] = [];
      for (const row of rows) {
        const next = reseal(vault, row.secret_sealed, row.id);
        if (next === null) continue;
        await repo.update(trx, row.id, { secret_sealed: next });
        changed.push({ id: row.id, from: sealedKeyId(row.secret_sealed) });
      }
      await recordAudits(
        trx,
        { actorId: null, apiKeyId: null, sourceIp: null, requestId: null, isSystem: true },
        changed.map((item) => ({
          action: "credential.rekeyed",
          resourceType: "credential",
          resourceId: item.id,
          before: { keyId: item.from },
          after: { keyId: vault.currentId },
        })),
      );
      return { rows, changed: changed.length };
    });
    total += batch.rows.length;
    resealed += batch.changed;
    if (batch.rows.length < batchSize) return { total, resealed, keyId: vault.currentId };
    after = batch.rows.at(-1)!.id;
  }
}
