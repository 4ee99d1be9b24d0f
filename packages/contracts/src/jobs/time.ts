import { z } from "zod";

/** Whether the runtime's Intl knows this IANA time zone name (`Europe/Paris`, `UTC`). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone, checked with Intl. */
export const ZTimeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(isTimeZone, "an IANA time zone such as Europe/Paris")
  .meta({ example: "Europe/Paris" });

/** A wall-clock date and time without offset, read in a time zone given beside it: `2026-12-24T18:00`. */
export const ZLocalDateTime = z
  .string()
  .trim()
  .regex(
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/,
    "a local date and time such as 2026-12-24T18:00",
  );

/** An instant with its offset (`2026-12-24T17:00:00Z`, `2026-12-24T18:00:00+01:00`). */
export const ZInstant = z.iso.datetime({ offset: true });

/**
 * A cron expression: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first where allowed.
 * Evaluated with croner in an IANA time zone; see docs/scheduling.md for what happens on DST changes.
 */
export const ZCronExpression = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .refine((value) => !value.startsWith("@"), "write the fields out (nicknames like @daily are not accepted)")
  .meta({ example: "30 2 * * 0" });
