import { z } from "zod";
import { ZJobId } from "./jobs.ts";
import { ZChoice, ZParameterName } from "./parameters.ts";
import { ZJobVersionNumber } from "./versions.ts";

/** A value as a run form holds it, for `${NAME}` references in a choice source. */
export const ZParameterValueInput = z.union([
  z.string().max(32_768),
  z.number(),
  z.boolean(),
  z.array(z.string().max(500)).max(1000),
]);

/** At most this many options one choice parameter may offer (targets or an HTTP endpoint). */
export const MAX_CHOICES = 5000;

export const ZJobChoicesRequestSchema = z.strictObject({
  id: ZJobId,
  /** The version whose parameters are meant; the latest when omitted. */
  version: ZJobVersionNumber.optional(),
  parameter: ZParameterName,
  /** The other parameters' current values, for `${NAME}` in the choice source. */
  values: z.record(z.string(), ZParameterValueInput).default({}),
});
export type TJobChoicesRequest = z.input<typeof ZJobChoicesRequestSchema>;

export const ZJobChoicesResponseSchema = z.object({
  parameter: z.string(),
  choices: z.array(ZChoice),
});
