import { router } from "@opsc/server-kit";
import { createCalendarsRouter } from "./calendars/router.ts";
import { createChoicesProcedures } from "./choices/router.ts";
import type { JobsServiceDeps } from "./deps.ts";
import { createDefinitionProcedures } from "./jobs/router.ts";
import { createRunProcedures } from "./runs/router.ts";
import { createSchedulesRouter } from "./schedules/router.ts";
import { createWebhooksRouter } from "./webhooks/router.ts";

/**
 * The public `jobs` router (`/trpc/jobs`, REST under `/api/v1/jobs`): definitions and versions (`/jobs/items/...`),
 * choices, runs, and jobs as code (`/jobs/export`, `/jobs/import`).
 */
export function createJobsRouter(deps: JobsServiceDeps) {
  return router({
    ...createDefinitionProcedures(deps),
    ...createChoicesProcedures(deps),
    ...createRunProcedures(deps),
    schedules: createSchedulesRouter(deps),
    calendars: createCalendarsRouter(deps),
    webhooks: createWebhooksRouter(deps),
  });
}

export type JobsRouter = ReturnType<typeof createJobsRouter>;
