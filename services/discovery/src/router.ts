import { router } from "@opsc/server-kit";
import type { DiscoveryServiceDeps } from "./deps.ts";
import { createRangesRouter } from "./ranges/router.ts";
import { createResultsRouter } from "./results/router.ts";
import { createRunsRouter } from "./runs/router.ts";
import { createScansRouter } from "./scans/router.ts";

export function createDiscoveryRouter(deps: DiscoveryServiceDeps) {
  return router({
    ranges: createRangesRouter(deps),
    scans: createScansRouter(deps),
    runs: createRunsRouter(deps),
    results: createResultsRouter(deps),
  });
}

export type DiscoveryRouter = ReturnType<typeof createDiscoveryRouter>;
