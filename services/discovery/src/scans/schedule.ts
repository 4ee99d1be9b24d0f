import { AppError } from "@opsc/server-kit";
import { CronExpressionParser } from "cron-parser";

export interface Schedule {
  cron: string;
  timeZone: string;
}

/** A scan started more often than this is almost certainly a typo (`* * * * *`), and a burden on the network. */
export const MIN_SCHEDULE_INTERVAL_MS = 5 * 60_000;

function parse(schedule: Schedule, currentDate: Date) {
  const text = schedule.cron.trim();
  const fields = text.split(/\s+/).length;
  // cron-parser accepts 4 fields too, and its strict mode demands 6: we take the usual 5, or 6 with seconds.
  if (!text.startsWith("@") && fields !== 5 && fields !== 6)
    throw new Error(`expected 5 fields (or 6 with seconds), got ${fields}`);
  return CronExpressionParser.parse(text, { currentDate, tz: schedule.timeZone });
}

/** The first slot strictly after `after`, in the schedule's time zone (DST handled by cron-parser). */
export function nextRunAfter(schedule: Schedule, after: Date): Date {
  return parse(schedule, after).next().toDate();
}

/**
 * Checks a schedule and returns its next slot from `now`; a 400 naming `${field}.cron` when the expression is
 * invalid or fires more often than every five minutes.
 */
export function firstRunOf(schedule: Schedule, field: string, now = new Date()): Date {
  let next: Date;
  let following: Date;
  try {
    const interval = parse(schedule, now);
    next = interval.next().toDate();
    following = interval.next().toDate();
  } catch (error) {
    throw new AppError("BAD_REQUEST", {
      field: `${field}.cron`,
      message: `Not a cron expression: ${(error as Error).message}`,
    });
  }
  if (following.getTime() - next.getTime() < MIN_SCHEDULE_INTERVAL_MS) {
    throw new AppError("BAD_REQUEST", {
      field: `${field}.cron`,
      message: "A scan may be scheduled at most every 5 minutes",
    });
  }
  return next;
}
