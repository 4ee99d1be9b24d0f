import type { Kysely } from "kysely";
import type { JobsDatabase } from "../database.ts";
import { listAll } from "./calendars.repository.ts";
import { activeOccurrence, scopeCovers } from "./windows.ts";

export interface ActiveBlackout {
  calendarId: string;
  calendarName: string;
  endsAt: Date;
}

/**
 * The blackout window open at `at` for a job (by its folder and tags), from any calendar whose scope covers it; when
 * several are open, the one that ends last. Null when the job may run.
 */
export async function findActiveBlackout(
  db: Kysely<JobsDatabase>,
  job: { folder: string; tags: string[] },
  at: Date,
): Promise<ActiveBlackout | null> {
  let found: ActiveBlackout | null = null;
  for (const calendar of await listAll(db)) {
    if (!scopeCovers(calendar.scope, job)) continue;
    const open = activeOccurrence({ timeZone: calendar.time_zone, windows: calendar.windows }, at);
    if (open && (!found || open.end > found.endsAt))
      found = { calendarId: calendar.id, calendarName: calendar.name, endsAt: open.end };
  }
  return found;
}
