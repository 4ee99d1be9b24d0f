import type { TFireOutcome, TSchedule, TScheduleKind } from "@opsc/contracts/jobs/schedules";
import type { BadgeTone } from "../components/ui/badge.tsx";

// Pure read models for schedules (/schedules and a job's Schedules tab): labels, the timing in words, times in a
// schedule's own zone, and the form ⇄ request. The contract's lists are repeated (types still checked against it)
// so this module brings no zod into the browser.

export const SCHEDULE_KINDS = ["cron", "interval", "once"] as const satisfies readonly TScheduleKind[];
export const SCHEDULE_KIND_LABELS: Record<TScheduleKind, string> = {
  cron: "Cron",
  interval: "Every…",
  once: "Once",
};

export const FIRE_OUTCOME_LABELS: Record<TFireOutcome, string> = {
  started: "Started",
  queued: "Queued",
  "skipped-concurrency": "Skipped (run active)",
  "skipped-blackout": "Skipped (blackout)",
  held: "Held (blackout)",
  missed: "Missed",
  failed: "Failed",
};

export const FIRE_OUTCOME_TONES: Record<TFireOutcome, BadgeTone> = {
  started: "green",
  queued: "indigo",
  "skipped-concurrency": "amber",
  "skipped-blackout": "amber",
  held: "amber",
  missed: "red",
  failed: "red",
};

export type MisfirePolicy = TSchedule["misfirePolicy"];
export type BlackoutPolicy = TSchedule["blackoutPolicy"];
export const MISFIRE_LABELS: Record<MisfirePolicy, string> = {
  skip: "Skip missed fires",
  "run-once": "Run once for missed fires",
};
export const BLACKOUT_LABELS: Record<BlackoutPolicy, string> = {
  skip: "Skip fires in a blackout",
  hold: "Hold them until it ends",
};

export const INTERVAL_UNITS = [
  { value: "60", label: "minutes" },
  { value: "3600", label: "hours" },
  { value: "86400", label: "days" },
] as const;

/** "every 5 min", "every 2 h", "every 1 d 6 h", "every 90 s". */
export function formatInterval(seconds: number): string {
  if (seconds % 86_400 === 0) return `every ${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `every ${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}

/** A date and time in `timeZone`, with the zone's short name: "27 Nov 2026, 14:05 CET". */
export function formatInZone(iso: string | null, timeZone: string): string {
  if (!iso) return "—";
  try {
    // dateStyle and timeStyle do not combine with timeZoneName: the parts are spelled out.
    return new Intl.DateTimeFormat(undefined, {
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone,
      timeZoneName: "short",
    }).format(new Date(iso));
  } catch {
    return new Date(iso).toISOString();
  }
}

/** When a schedule fires, in words: `30 2 * * 0 (Europe/Paris)`, `every 5 min`, `once at …`. */
export function describeTiming(
  schedule: Pick<TSchedule, "kind" | "cron" | "timeZone" | "at" | "intervalSeconds">,
): string {
  switch (schedule.kind) {
    case "cron":
      return `${schedule.cron ?? "?"} (${schedule.timeZone})`;
    case "interval":
      return formatInterval(schedule.intervalSeconds ?? 0);
    case "once":
      return `once at ${formatInZone(schedule.at, schedule.timeZone)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Wall-clock times in a zone

function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * `2026-12-24T18:00` read in `timeZone` as an instant (ISO, UTC). A time the clocks skip (spring forward) is taken
 * after the jump; one they repeat (fall back) is the first. Null when the text is no date and time.
 */
export function localToInstant(local: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  if (Number.isNaN(wall)) return null;
  try {
    // The zone's offsets half a day before and after: around a DST change they differ. A candidate is right when
    // it reads back as the wall time; two are (fall back): the earlier; none is (spring forward): the time as if
    // the clocks had not moved yet, which lands after the jump.
    const before = wall - offsetMs(wall - 43_200_000, timeZone);
    const after = wall - offsetMs(wall + 43_200_000, timeZone);
    const valid = [before, after].filter((instant) => instant + offsetMs(instant, timeZone) === wall);
    return new Date(valid.length ? Math.min(...valid) : before).toISOString();
  } catch {
    return null;
  }
}

/** An instant as `2026-12-24T18:00` on the wall clocks of `timeZone` (for a datetime-local input). */
export function instantToLocal(iso: string, timeZone: string): string {
  try {
    const instant = new Date(iso).getTime();
    return new Date(instant + offsetMs(instant, timeZone)).toISOString().slice(0, 16);
  } catch {
    return iso.slice(0, 16);
  }
}

/** The browser's own zone, the form's default. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// ---------------------------------------------------------------------------------------------------------
// The schedule form

export interface ScheduleTiming {
  kind: TScheduleKind;
  cron?: string;
  timeZone: string;
  at?: string;
  intervalSeconds?: number;
}

export interface ScheduleFormValues {
  name: string;
  kind: TScheduleKind;
  cron: string;
  timeZone: string;
  /** datetime-local text, in `timeZone`. */
  at: string;
  intervalCount: string;
  intervalUnit: string;
  misfirePolicy: MisfirePolicy;
  blackoutPolicy: BlackoutPolicy;
}

export function scheduleFormValues(schedule: TSchedule | null, defaultZone: string): ScheduleFormValues {
  if (!schedule)
    return {
      name: "",
      kind: "cron",
      cron: "",
      timeZone: defaultZone,
      at: "",
      intervalCount: "",
      intervalUnit: "60",
      misfirePolicy: "skip",
      blackoutPolicy: "skip",
    };
  const seconds = schedule.intervalSeconds ?? 0;
  const unit = [...INTERVAL_UNITS].reverse().find((candidate) => seconds % Number(candidate.value) === 0);
  return {
    name: schedule.name,
    kind: schedule.kind,
    cron: schedule.cron ?? "",
    timeZone: schedule.timeZone,
    at: schedule.at ? instantToLocal(schedule.at, schedule.timeZone) : "",
    intervalCount: seconds && unit ? String(seconds / Number(unit.value)) : "",
    intervalUnit: unit?.value ?? "60",
    misfirePolicy: schedule.misfirePolicy,
    blackoutPolicy: schedule.blackoutPolicy,
  };
}

/**
 * The timing fields of the form as the API takes them (`kind` and only its own field). What the form can tell is
 * wrong (no date, a count that is not a whole number) comes back as field errors; the API checks the rest.
 */
export function timingFromForm(
  values: Pick<ScheduleFormValues, "kind" | "cron" | "timeZone" | "at" | "intervalCount" | "intervalUnit">,
): { ok: true; timing: ScheduleTiming } | { ok: false; errors: Record<string, string> } {
  const timeZone = values.timeZone.trim() || "UTC";
  switch (values.kind) {
    case "cron":
      return { ok: true, timing: { kind: "cron", cron: values.cron.trim(), timeZone } };
    case "once": {
      const at = localToInstant(values.at, timeZone);
      if (!at) return { ok: false, errors: { at: "Pick a date and time" } };
      return { ok: true, timing: { kind: "once", at, timeZone } };
    }
    case "interval": {
      const count = values.intervalCount.trim();
      if (!/^\d+$/.test(count) || Number(count) < 1)
        return { ok: false, errors: { intervalSeconds: "Enter a whole number, 1 or more" } };
      return {
        ok: true,
        timing: { kind: "interval", intervalSeconds: Number(count) * Number(values.intervalUnit), timeZone },
      };
    }
  }
}
