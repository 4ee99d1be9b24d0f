import { Cron } from "croner";

/**
 * When a schedule fires, and the slot arithmetic the scheduler relies on. Cron expressions are evaluated by croner
 * in the schedule's IANA zone, and DST follows croner's rules (docs/scheduling.md):
 * - a fixed-time expression (`30 2 * * *`: second, minute and hour each one value) whose time does not exist on the
 *   spring-forward day fires when the clock has jumped (03:00 local that day); one whose time happens twice on the
 *   fall-back day fires once, at the first occurrence;
 * - an expression with a wildcard, range or step in the time fields (`*\/30 * * * *`) skips the times that do not
 *   exist and fires on both occurrences of a repeated time.
 */
export type Timing =
  | { kind: "cron"; cron: string; timeZone: string }
  | { kind: "once"; at: Date }
  | { kind: "interval"; intervalSeconds: number; anchorAt: Date };

/** A cron expression croner refuses, or one with the wrong number of fields. */
export class TimingError extends Error {
  override readonly name = "TimingError";
}

/**
 * Parses a cron expression in a zone: 5 fields, or 6 with seconds first when `allowSeconds`. Throws a
 * {@link TimingError} whose message can be shown to the user.
 */
export function parseCron(expression: string, timeZone: string, options: { allowSeconds: boolean }): Cron {
  const text = expression.trim();
  const fields = text.split(/\s+/).length;
  // croner also takes ISO dates, nicknames and 7 fields; a schedule is 5 fields (or 6 with seconds) and nothing else.
  if (fields !== 5 && !(options.allowSeconds && fields === 6))
    throw new TimingError(
      options.allowSeconds
        ? `expected 5 fields (or 6 with seconds first), got ${fields}`
        : `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields}`,
    );
  try {
    const cron = new Cron(text, { timezone: timeZone, paused: true, mode: "5-or-6-parts" });
    // The zone is only checked when a date is computed.
    cron.nextRun(new Date(0));
    return cron;
  } catch (error) {
    throw new TimingError((error as Error).message.replace(/^Cron(Pattern|Date): /, ""));
  }
}

function cronOf(timing: Extract<Timing, { kind: "cron" }>): Cron {
  return parseCron(timing.cron, timing.timeZone, { allowSeconds: true });
}

/** The first slot strictly after `after`; null when there is none (a once schedule whose instant has passed). */
export function nextSlotAfter(timing: Timing, after: Date): Date | null {
  switch (timing.kind) {
    case "cron":
      return cronOf(timing).nextRun(after);
    case "once":
      return timing.at.getTime() > after.getTime() ? timing.at : null;
    case "interval": {
      const periodMs = timing.intervalSeconds * 1000;
      const elapsed = after.getTime() - timing.anchorAt.getTime();
      // The anchor (the creation) is not a slot itself: the first fire is one period later.
      const index = Math.max(1, Math.floor(elapsed / periodMs) + 1);
      return new Date(timing.anchorAt.getTime() + index * periodMs);
    }
  }
}

/** The next `count` slots strictly after `after`. */
export function nextSlots(timing: Timing, after: Date, count: number): Date[] {
  if (timing.kind === "cron") return cronOf(timing).nextRuns(count, after);
  const slots: Date[] = [];
  let cursor = after;
  while (slots.length < count) {
    const next = nextSlotAfter(timing, cursor);
    if (!next) break;
    slots.push(next);
    cursor = next;
  }
  return slots;
}

/** Slots in `(after, until]`, counted up to `cap` (a scheduler down for a year must not loop a million times). */
export function countSlots(timing: Timing, after: Date, until: Date, cap = 10_000): number {
  if (timing.kind === "interval") {
    const first = nextSlotAfter(timing, after)!;
    if (first.getTime() > until.getTime()) return 0;
    return Math.min(
      cap,
      Math.floor((until.getTime() - first.getTime()) / (timing.intervalSeconds * 1000)) + 1,
    );
  }
  let count = 0;
  let cursor: Date | null = nextSlotAfter(timing, after);
  while (cursor && cursor.getTime() <= until.getTime() && count < cap) {
    count++;
    cursor = nextSlotAfter(timing, cursor);
  }
  return count;
}

/**
 * The shortest gap between consecutive slots, in seconds, over the next `sample` slots from `from` (null when
 * there are fewer than two). A cron expression's sub-minute gaps come from its seconds field and show within the
 * first few slots; a 5-field expression never fires more often than every minute.
 */
export function shortestGapSeconds(timing: Timing, from: Date, sample = 10): number | null {
  if (timing.kind === "interval") return timing.intervalSeconds;
  const slots = nextSlots(timing, from, sample);
  let shortest: number | null = null;
  for (let index = 1; index < slots.length; index++) {
    const gap = (slots[index]!.getTime() - slots[index - 1]!.getTime()) / 1000;
    shortest = shortest === null ? gap : Math.min(shortest, gap);
  }
  return shortest;
}
