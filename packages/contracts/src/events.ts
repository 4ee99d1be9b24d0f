import { z } from "zod";

/** One audit record: written in the same transaction as the change it describes, then relayed to Redis. */
export const ZAuditRecord = z.object({
  eventId: z.string().uuid(),
  occurredAt: z.string(),
  service: z.string(),
  actorType: z.enum(["user", "api_key", "system", "anonymous"]),
  actorId: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  sourceIp: z.string().nullable(),
  requestId: z.string().nullable(),
});
export type TAuditRecord = z.infer<typeof ZAuditRecord>;

/** Stream names, one place: `${prefix}:${name}`. */
export const STREAMS = { events: "events" } as const;
export const streamKey = (prefix: string, name: keyof typeof STREAMS) => `${prefix}:${STREAMS[name]}`;

/** A domain event on the events stream (`type` names it: `target.health.changed`, `discovery.hosts.found`, …). */
export const ZDomainEvent = z.object({
  eventId: z.string(),
  type: z.string(),
  service: z.string(),
  occurredAt: z.string(),
  payload: z.record(z.string(), z.unknown()),
});
export type TDomainEvent = z.infer<typeof ZDomainEvent>;
