import { InvalidCidrError, normalizeCidr, planScan, ScanRefusedError } from "@opsc/scanner";
import { AppError } from "@opsc/server-kit";
import type { Kysely, Transaction } from "kysely";
import type { DiscoveryDatabase } from "../database.ts";
import { listCidrs } from "../ranges/ranges.repository.ts";

/**
 * Normalises a scan's ranges and checks them against the allowed ranges as they are now: a 400 naming
 * `${field}.${index}` for a range outside them (or invalid, or special-use), or `${field}` when together they
 * hold more than `maxAddresses` addresses.
 */
export async function planRanges(
  db: Kysely<DiscoveryDatabase> | Transaction<DiscoveryDatabase>,
  ranges: readonly string[],
  field: string,
  maxAddresses: number,
): Promise<{ ranges: string[]; addressCount: number }> {
  const normalized = ranges.map((text, index) => {
    try {
      return normalizeCidr(text);
    } catch (error) {
      if (error instanceof InvalidCidrError)
        throw new AppError("BAD_REQUEST", { field: `${field}.${index}`, message: error.message });
      throw error;
    }
  });
  try {
    const plan = planScan({ cidrs: normalized, allowedCidrs: await listCidrs(db), maxAddresses });
    return { ranges: [...new Set(normalized)], addressCount: plan.addressCount };
  } catch (error) {
    if (!(error instanceof ScanRefusedError)) throw error;
    throw new AppError("BAD_REQUEST", {
      field: error.index === null ? field : `${field}.${error.index}`,
      message: error.message,
      context: { reason: error.reason },
    });
  }
}
