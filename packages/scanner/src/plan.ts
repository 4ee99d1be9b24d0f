import {
  type Cidr,
  collapseCidrs,
  countHostAddresses,
  findUncovered,
  InvalidCidrError,
  parseCidr,
  specialUseReason,
} from "./cidr.ts";

/** The most addresses one scan may probe unless the caller says otherwise: a /16. */
export const DEFAULT_MAX_ADDRESSES = 65_536;

/** Why a scan was refused before a single packet was sent. */
export type ScanRefusalReason = "invalid" | "not_allowed" | "special_use" | "too_large";

/**
 * A scan the scanner will not run. `index` is the position of the offending range in the request (null when
 * the ranges are refused together, e.g. for their size), so a service can name the field.
 */
export class ScanRefusedError extends Error {
  override readonly name = "ScanRefusedError";
  constructor(
    readonly reason: ScanRefusalReason,
    readonly range: string | null,
    readonly index: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** What a scan will probe, once its ranges passed every check. */
export interface ScanPlan {
  /** Disjoint blocks in probe order. */
  ranges: Cidr[];
  addressCount: number;
}

/**
 * Checks a scan's ranges before anything is sent: each must parse, lie inside the union of `allowedCidrs`, stay
 * clear of special-use blocks, and together they may hold at most `maxAddresses` addresses.
 * Throws {@link ScanRefusedError} naming the first offending range.
 */
export function planScan(options: {
  cidrs: readonly string[];
  allowedCidrs: readonly string[];
  maxAddresses?: number;
}): ScanPlan {
  const maxAddresses = options.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  if (options.cidrs.length === 0) throw new ScanRefusedError("invalid", null, null, "No range to scan");
  const allowed = options.allowedCidrs.map((text) => parseCidr(text));
  const parsed = options.cidrs.map((text, index) => {
    try {
      return parseCidr(text);
    } catch (error) {
      if (error instanceof InvalidCidrError)
        throw new ScanRefusedError("invalid", text, index, error.message);
      throw error;
    }
  });
  for (const [index, cidr] of parsed.entries()) {
    const reason = specialUseReason(cidr);
    if (reason) throw new ScanRefusedError("special_use", cidr.text, index, `${cidr.text} ${reason}`);
  }
  const uncovered = new Set(findUncovered(parsed, allowed));
  const refusedIndex = parsed.findIndex((cidr) => uncovered.has(cidr));
  if (refusedIndex !== -1) {
    const text = parsed[refusedIndex]!.text;
    throw new ScanRefusedError(
      "not_allowed",
      text,
      refusedIndex,
      `${text} is not inside an allowed range${allowed.length ? "" : " (no range is allowed yet)"}`,
    );
  }
  const ranges = collapseCidrs(parsed);
  const total = ranges.reduce((sum, cidr) => sum + countHostAddresses(cidr), 0n);
  if (total > BigInt(maxAddresses)) {
    throw new ScanRefusedError(
      "too_large",
      null,
      null,
      `The ranges hold ${total} addresses; a scan may probe at most ${maxAddresses}`,
    );
  }
  return { ranges, addressCount: Number(total) };
}
