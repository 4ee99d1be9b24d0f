export { type AuditActor, type AuditEntry, type AuditOutboxTable, recordAudit } from "./outbox.ts";
export { OutboxRelay, type OutboxRelayOptions } from "./relay.ts";
