export { type EventOutboxTable, recordEvent, recordEvents } from "./events.ts";
export {
  type AuditActor,
  type AuditEntry,
  type AuditOutboxTable,
  recordAudit,
  recordAudits,
} from "./outbox.ts";
export { OutboxRelay, type OutboxRelayOptions } from "./relay.ts";
