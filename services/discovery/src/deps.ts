import type { Logger } from "@opsc/logger";
import type { Producer } from "@opsc/streams";
import type { Kysely } from "kysely";
import type { DiscoveryDatabase } from "./database.ts";
import type { InventoryClient } from "./inventory.ts";
import type { DiscoveryJobCatalog } from "./runs/scan-job.ts";

export interface DiscoveryServiceDeps {
  db: Kysely<DiscoveryDatabase>;
  log: Logger;
  /** Enqueues `discovery.scan` jobs for the system worker. */
  producer: Producer<DiscoveryJobCatalog>;
  inventory: InventoryClient;
  /** The most addresses one scan may probe, all ranges together. */
  maxAddresses: number;
}
