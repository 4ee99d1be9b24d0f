import type { AuditOutboxTable, EventOutboxTable } from "@opsc/audit";
import type { CalendarsTable } from "./calendars/calendars.table.ts";
import type { JobsTable, JobVersionsTable } from "./jobs/jobs.table.ts";
import type { ScheduleFiresTable, SchedulesTable } from "./schedules/schedules.table.ts";
import type { WebhookCallsTable, WebhooksTable } from "./webhooks/webhooks.table.ts";

export const JOBS_SCHEMA = "jobs";

export interface JobsDatabase {
  jobs: JobsTable;
  job_versions: JobVersionsTable;
  calendars: CalendarsTable;
  schedules: SchedulesTable;
  schedule_fires: ScheduleFiresTable;
  webhooks: WebhooksTable;
  webhook_calls: WebhookCallsTable;
  audit_outbox: AuditOutboxTable;
  event_outbox: EventOutboxTable;
}
