import { discoveryModule } from "./discovery/index.ts";
import type { SystemWorkerEnv } from "./env.ts";
import { createHealthModule } from "./health/index.ts";
import { createMaintenanceModule } from "./maintenance/index.ts";
import type { SystemWorkerModule } from "./module.ts";

/** Every module the system worker runs: the one list to add a module to. */
export function createModules(env: Pick<SystemWorkerEnv, "health" | "maintenance">): SystemWorkerModule[] {
  return [createHealthModule(env.health), discoveryModule, createMaintenanceModule(env.maintenance)];
}
