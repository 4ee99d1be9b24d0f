import { z } from "zod";
import { ZPageRequest, ZTimestamp } from "../common.ts";
import { ZPort } from "../targets/targets.ts";
import { ZDiscoveryId } from "./common.ts";
import { ZCidr } from "./ranges.ts";
import { ZScanRunSummary } from "./runs.ts";

/** Bounds of a scan definition: what one scan may cost the network and a worker. */
export const SCAN_LIMITS = {
  maxRanges: 64,
  maxPorts: 100,
  /** Addresses per scan, all ranges together: a /16. */
  maxAddresses: 65_536,
  maxConcurrency: 1000,
  minTimeoutMs: 100,
  maxTimeoutMs: 30_000,
} as const;

const isTimeZone = (value: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

/** A cron expression (5 fields, or 6 with seconds) evaluated in an IANA time zone. */
export const ZScanSchedule = z.strictObject({
  cron: z.string().trim().min(1).max(120).meta({ example: "0 3 * * *" }),
  timeZone: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .refine(isTimeZone, "an IANA time zone such as Europe/Berlin")
    .default("UTC"),
});

const ZScanName = z.string().trim().min(1).max(100);
const ZPorts = z
  .array(ZPort)
  .min(1)
  .max(SCAN_LIMITS.maxPorts)
  .transform((ports) => [...new Set(ports)].sort((a, b) => a - b));

const scanFields = {
  name: ZScanName,
  description: z.string().trim().max(2000).default(""),
  ranges: z
    .array(ZCidr)
    .min(1)
    .max(SCAN_LIMITS.maxRanges)
    .meta({
      description: `CIDR blocks inside the allowed ranges; ${SCAN_LIMITS.maxAddresses} addresses at most in all`,
    }),
  ports: ZPorts,
  timeoutMs: z.number().int().min(SCAN_LIMITS.minTimeoutMs).max(SCAN_LIMITS.maxTimeoutMs).default(1000),
  concurrency: z.number().int().min(1).max(SCAN_LIMITS.maxConcurrency).default(200),
  reverseDns: z
    .boolean()
    .default(false)
    .meta({ description: "names from the hosts file and PTR records (loopback: hosts file only)" }),
  schedule: ZScanSchedule.nullable().default(null),
};

export const ZScan = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  ranges: z.array(z.string()),
  ports: z.array(z.number().int()),
  timeoutMs: z.number().int(),
  concurrency: z.number().int(),
  reverseDns: z.boolean(),
  schedule: z.object({ cron: z.string(), timeZone: z.string() }).nullable(),
  /** When the schedule starts the scan next; null without a schedule. */
  nextRunAt: ZTimestamp.nullable(),
  addressCount: z.number().int(),
  lastRun: ZScanRunSummary.nullable(),
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TScan = z.infer<typeof ZScan>;

export const ZListScansRequestSchema = z.strictObject({
  search: z.string().trim().max(100).optional().meta({ description: "name contains, case-insensitive" }),
  ...ZPageRequest,
});
export const ZListScansResponseSchema = z.object({ items: z.array(ZScan), total: z.number().int() });

export const ZCreateScanRequestSchema = z.strictObject(scanFields);
export type TCreateScanRequest = z.input<typeof ZCreateScanRequestSchema>;

export const ZUpdateScanRequestSchema = z.strictObject({
  id: ZDiscoveryId,
  data: z.strictObject({
    name: ZScanName.optional(),
    description: z.string().trim().max(2000).optional(),
    ranges: scanFields.ranges.optional(),
    ports: ZPorts.optional(),
    timeoutMs: z.number().int().min(SCAN_LIMITS.minTimeoutMs).max(SCAN_LIMITS.maxTimeoutMs).optional(),
    concurrency: z.number().int().min(1).max(SCAN_LIMITS.maxConcurrency).optional(),
    reverseDns: z.boolean().optional(),
    schedule: ZScanSchedule.nullable().optional(),
  }),
});
export type TUpdateScanRequest = z.input<typeof ZUpdateScanRequestSchema>;
