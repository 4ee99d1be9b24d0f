import { z } from "zod";

/** Discovery's ids are UUIDs: anything else is a 400 naming the field, never a database error. */
export const ZDiscoveryId = z.uuid();
export const ZDiscoveryIdRequestSchema = z.strictObject({ id: ZDiscoveryId });
