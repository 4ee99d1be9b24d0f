import { z } from "zod";

/** `discovery.hosts.found`: a completed run found hosts that no target has the address of. */
export const DISCOVERY_HOSTS_FOUND = "discovery.hosts.found";

export const ZDiscoveryHostsFoundPayload = z.object({
  runId: z.string(),
  scanId: z.string(),
  scanName: z.string(),
  /** Every new host, even beyond the listed ones. */
  count: z.number().int(),
  /** The first 1,000 new hosts. */
  hosts: z.array(
    z.object({
      address: z.string(),
      hostname: z.string().nullable(),
      osHint: z.string().nullable(),
      ports: z.array(z.number().int()),
    }),
  ),
});
export type TDiscoveryHostsFoundPayload = z.infer<typeof ZDiscoveryHostsFoundPayload>;
