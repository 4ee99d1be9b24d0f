import { z } from "zod";
import { ZTimestamp } from "../common.ts";
import { ZDiscoveryId } from "./common.ts";

const isAddressOrCidr = (value: string) =>
  [z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()].some((schema) => schema.safeParse(value).success);

/** An IPv4 or IPv6 CIDR block, or one address (`/32` or `/128`). Services store the normalised form. */
export const ZCidr = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(isAddressOrCidr, "an IPv4 or IPv6 address or CIDR block, e.g. 10.0.0.0/24 or fd00::/64")
  .meta({ example: "10.20.0.0/16" });

/** A network an admin allows discovery scans in. */
export const ZAllowedRange = z.object({
  id: z.string(),
  /** Normalised: the network address and prefix (`10.0.0.7/24` is stored as `10.0.0.0/24`). */
  cidr: z.string(),
  family: z.union([z.literal(4), z.literal(6)]),
  description: z.string(),
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TAllowedRange = z.infer<typeof ZAllowedRange>;

export const ZListAllowedRangesResponseSchema = z.object({ items: z.array(ZAllowedRange) });

const ZDescription = z.string().trim().max(500);

export const ZCreateAllowedRangeRequestSchema = z.strictObject({
  cidr: ZCidr,
  description: ZDescription.default(""),
});
export type TCreateAllowedRangeRequest = z.input<typeof ZCreateAllowedRangeRequestSchema>;

export const ZUpdateAllowedRangeRequestSchema = z.strictObject({
  id: ZDiscoveryId,
  data: z.strictObject({ cidr: ZCidr.optional(), description: ZDescription.optional() }),
});
export type TUpdateAllowedRangeRequest = z.input<typeof ZUpdateAllowedRangeRequestSchema>;
