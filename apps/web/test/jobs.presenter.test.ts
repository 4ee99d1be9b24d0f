import { describe, expect, test } from "bun:test";
import { ZStep } from "@opsc/contracts/execution/plan";
import { type TCalendar, ZCreateCalendarRequestSchema } from "@opsc/contracts/jobs/calendars";
import {
  calendarDraft,
  calendarRequestOf,
  describeScope,
  describeWindow,
  formatMinutes,
  normaliseCalendarErrors,
  windowsOf,
} from "../app/lib/calendars.presenter.ts";
import {
  describeCondition,
  describeStepAction,
  describeTargets,
  diffStats,
  EMPTY_JOBS_QUERY,
  folderTree,
  foldUnchanged,
  jobsExportFileName,
  jobsHref,
  parseDiffPair,
  parseJobsQuery,
  parseJobTab,
  presentJobsPaging,
  sideBySide,
  toListJobsRequest,
} from "../app/lib/jobs.presenter.ts";
import {
  describeTiming,
  formatInterval,
  formatInZone,
  instantToLocal,
  localToInstant,
  scheduleFormValues,
  timingFromForm,
} from "../app/lib/schedules.presenter.ts";

describe("the jobs list's URL", () => {
  test("search, folder, tag and the cursor stack round-trip; junk is dropped", () => {
    const query = { search: "deploy", folder: "/web/prod", tag: "nightly", cursors: ["abc", "d-e_f"] };
    const href = jobsHref(query);
    expect(href).toBe("/jobs?q=deploy&folder=%2Fweb%2Fprod&tag=nightly&pages=abc%2Cd-e_f");
    expect(parseJobsQuery(new URL(href, "http://x").searchParams)).toEqual(query);
    expect(parseJobsQuery(new URLSearchParams("folder=../etc&tag=Not A Tag&pages=ok,%20bad%20"))).toEqual({
      ...EMPTY_JOBS_QUERY,
      cursors: ["ok"],
    });
    expect(parseJobsQuery(new URLSearchParams("folder=/"))).toEqual(EMPTY_JOBS_QUERY);
    expect(jobsHref(EMPTY_JOBS_QUERY)).toBe("/jobs");
  });

  test("the request asks for the page after the last cursor", () => {
    expect(toListJobsRequest({ search: "", folder: "/db", tag: null, cursors: ["a", "b"] })).toEqual({
      folder: "/db",
      limit: 25,
      cursor: "b",
    });
    const paging = presentJobsPaging({ ...EMPTY_JOBS_QUERY, cursors: ["a", "b"] }, "c");
    expect(paging.page).toBe(3);
    expect(paging.next?.cursors).toEqual(["a", "b", "c"]);
    expect(paging.previous?.cursors).toEqual(["a"]);
    expect(paging.first?.cursors).toEqual([]);
  });
});

describe("the folder tree", () => {
  test("parents are added, folders come before their sub-folders, totals count everything below", () => {
    const tree = folderTree([
      { path: "/web/prod", jobs: 2 },
      { path: "/", jobs: 1 },
      { path: "/db", jobs: 3 },
      { path: "/web", jobs: 1 },
      { path: "/db/backups/nightly", jobs: 1 },
    ]);
    expect(tree.map((node) => [node.path, node.label, node.depth, node.jobs, node.total])).toEqual([
      ["/", "All jobs", 0, 1, 8],
      ["/db", "db", 1, 3, 4],
      ["/db/backups", "backups", 2, 0, 1],
      ["/db/backups/nightly", "nightly", 3, 1, 1],
      ["/web", "web", 1, 1, 3],
      ["/web/prod", "prod", 2, 2, 2],
    ]);
    // /web does not contain /webhooks.
    expect(
      folderTree([
        { path: "/web", jobs: 1 },
        { path: "/webhooks", jobs: 2 },
      ]).find((node) => node.path === "/web")?.total,
    ).toBe(1);
  });
});

describe("the versions diff, side by side", () => {
  const changes = [
    { type: "unchanged" as const, lines: ["name: j", "steps:"] },
    { type: "removed" as const, lines: ["  - key: a", "    name: A"] },
    { type: "added" as const, lines: ["  - key: b"] },
    { type: "unchanged" as const, lines: ["tags: []"] },
    { type: "added" as const, lines: ["exclusive: true"] },
  ];

  test("a removal faces the addition that replaces it; line numbers per side", () => {
    const rows = sideBySide(changes);
    expect(rows.map((row) => [row.left.line, row.left.kind, row.right.line, row.right.kind])).toEqual([
      [1, "unchanged", 1, "unchanged"],
      [2, "unchanged", 2, "unchanged"],
      [3, "removed", 3, "added"],
      [4, "removed", null, "empty"],
      [5, "unchanged", 4, "unchanged"],
      [null, "empty", 5, "added"],
    ]);
    expect(rows[2]!.left.text).toBe("  - key: a");
    expect(rows[2]!.right.text).toBe("  - key: b");
    expect(diffStats(changes)).toEqual({ added: 2, removed: 2 });
  });

  test("long unchanged stretches fold, keeping three lines of context next to each change", () => {
    const same = (count: number, from: number) =>
      Array.from({ length: count }, (_, index) => `line ${from + index}`);
    const rows = sideBySide([
      { type: "unchanged", lines: same(10, 1) },
      { type: "removed", lines: ["old"] },
      { type: "added", lines: ["new"] },
      { type: "unchanged", lines: same(5, 11) },
    ]);
    const folded = foldUnchanged(rows);
    expect(folded.map((line) => ("gap" in line ? `gap ${line.gap}` : line.left.text))).toEqual([
      "gap 7",
      "line 8",
      "line 9",
      "line 10",
      "old",
      "line 11",
      "line 12",
      "line 13",
      "gap 2",
    ]);
    expect(foldUnchanged(sideBySide([{ type: "unchanged", lines: same(4, 1) }]))).toEqual([{ gap: 4 }]);
  });

  test("the pair compared comes from the URL, else the latest against the one before", () => {
    expect(parseDiffPair(new URLSearchParams("from=1&to=3"), 3)).toEqual({ from: 1, to: 3 });
    expect(parseDiffPair(new URLSearchParams("from=1&to=9"), 3)).toEqual({ from: 2, to: 3 });
    expect(parseDiffPair(new URLSearchParams(""), 1)).toBeNull();
    expect(parseJobTab(new URLSearchParams("tab=webhooks"))).toBe("webhooks");
    expect(parseJobTab(new URLSearchParams("tab=nope"))).toBe("versions");
  });
});

describe("a definition in words", () => {
  test("targets, actions and conditions", () => {
    expect(describeTargets({ selector: "env=prod" })).toBe("targets env=prod");
    expect(describeTargets({ parameter: "HOSTS" })).toBe("targets from the parameter HOSTS");
    expect(describeTargets({ ids: ["a", "b"] })).toBe("2 chosen targets");
    const step = ZStep.parse({
      key: "s",
      name: "S",
      action: { type: "script", script: "#!/bin/sh\n\necho 1\necho 2\n" },
      when: { status: "always", outputs: [{ step: "a", key: "k", op: "equals", value: "v" }] },
    });
    expect(describeStepAction(step.action)).toBe("script, 3 lines (sh)");
    expect(describeCondition(step.when)).toBe("always, if a.k = v");
    expect(
      describeStepAction({ type: "http", method: "POST", path: "/x", headers: {}, expectStatus: [] }),
    ).toBe("POST /x");
    expect(describeCondition({ status: "success", outputs: [] })).toBe("");
  });

  test("export file names", () => {
    const now = new Date("2026-11-27T10:00:00Z");
    expect(jobsExportFileName(null, now)).toBe("jobs-2026-11-27.yaml");
    expect(jobsExportFileName("/db/backups", now)).toBe("jobs-db-backups-2026-11-27.yaml");
  });
});

describe("schedule timing", () => {
  test("a wall-clock time in Europe/Paris becomes the right instant, across DST", () => {
    expect(localToInstant("2026-12-24T18:00", "Europe/Paris")).toBe("2026-12-24T17:00:00.000Z");
    expect(localToInstant("2026-07-01T18:00", "Europe/Paris")).toBe("2026-07-01T16:00:00.000Z");
    // 02:30 does not exist on 29 March 2026 (clocks jump 02:00 → 03:00): taken after the jump.
    expect(localToInstant("2026-03-29T02:30", "Europe/Paris")).toBe("2026-03-29T01:30:00.000Z");
    // 02:30 happens twice on 25 October 2026: the first one (still summer time).
    expect(localToInstant("2026-10-25T02:30", "Europe/Paris")).toBe("2026-10-25T00:30:00.000Z");
    expect(localToInstant("2026-12-24T18:00", "America/New_York")).toBe("2026-12-24T23:00:00.000Z");
    expect(localToInstant("tomorrow", "UTC")).toBeNull();
    expect(instantToLocal("2026-12-24T17:00:00.000Z", "Europe/Paris")).toBe("2026-12-24T18:00");
  });

  test("the form's timing as the API takes it: the kind and only its own field", () => {
    const base = {
      cron: " */5 * * * * ",
      timeZone: "Europe/Paris",
      at: "",
      intervalCount: "",
      intervalUnit: "60",
    };
    expect(timingFromForm({ ...base, kind: "cron" })).toEqual({
      ok: true,
      timing: { kind: "cron", cron: "*/5 * * * *", timeZone: "Europe/Paris" },
    });
    expect(timingFromForm({ ...base, kind: "interval", intervalCount: "2", intervalUnit: "3600" })).toEqual({
      ok: true,
      timing: { kind: "interval", intervalSeconds: 7200, timeZone: "Europe/Paris" },
    });
    expect(timingFromForm({ ...base, kind: "interval", intervalCount: "x" })).toEqual({
      ok: false,
      errors: { intervalSeconds: "Enter a whole number, 1 or more" },
    });
    expect(timingFromForm({ ...base, kind: "once", at: "2026-12-24T18:00" })).toEqual({
      ok: true,
      timing: { kind: "once", at: "2026-12-24T17:00:00.000Z", timeZone: "Europe/Paris" },
    });
    expect(timingFromForm({ ...base, kind: "once" })).toEqual({
      ok: false,
      errors: { at: "Pick a date and time" },
    });
  });

  test("in words, and back into the form", () => {
    expect(formatInterval(300)).toBe("every 5 min");
    expect(formatInterval(7200)).toBe("every 2 h");
    expect(formatInterval(90)).toBe("every 90 s");
    expect(
      describeTiming({
        kind: "cron",
        cron: "*/5 * * * *",
        timeZone: "Europe/Paris",
        at: null,
        intervalSeconds: null,
      }),
    ).toBe("*/5 * * * * (Europe/Paris)");
    const values = scheduleFormValues(
      {
        id: "s",
        jobId: "j",
        jobName: "job",
        name: "Every 2 h",
        kind: "interval",
        cron: null,
        timeZone: "UTC",
        at: null,
        intervalSeconds: 7200,
        anchorAt: "2026-11-27T00:00:00Z",
        parameters: {},
        secretParameters: [],
        paused: false,
        misfirePolicy: "run-once",
        blackoutPolicy: "hold",
        nextFireAt: null,
        heldUntil: null,
        lastFiredAt: null,
        lastOutcome: null,
        owner: null,
        createdBy: null,
        createdAt: "2026-11-27T00:00:00Z",
        updatedAt: "2026-11-27T00:00:00Z",
      },
      "Europe/Paris",
    );
    expect(values).toMatchObject({
      kind: "interval",
      intervalCount: "2",
      intervalUnit: "3600",
      blackoutPolicy: "hold",
    });
  });
});

describe("calendars", () => {
  const saved: TCalendar = {
    id: "c",
    name: "Freeze",
    description: "",
    timeZone: "Europe/Paris",
    windows: [
      { type: "recurring", label: "Weekend", cron: "0 22 * * 5", durationMinutes: 3420 },
      { type: "once", start: "2026-12-24T18:00", end: "2026-12-26T08:00" },
    ],
    scope: { folders: ["/db"], tags: ["deploy"] },
    createdBy: null,
    createdAt: "",
    updatedAt: "",
  };

  test("a saved calendar comes back through the form unchanged, and passes the contract", () => {
    const built = calendarRequestOf(calendarDraft(saved, "UTC"));
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    expect(built.request).toEqual({
      name: "Freeze",
      description: "",
      timeZone: "Europe/Paris",
      windows: saved.windows,
      scope: saved.scope,
    });
    expect(ZCreateCalendarRequestSchema.safeParse(built.request).success).toBe(true);
  });

  test("a new one applies to all jobs; a duration that is not a number is refused at its field", () => {
    const draft = calendarDraft(null, "Europe/Paris");
    expect(draft.scopeAll).toBe(true);
    const built = calendarRequestOf({
      ...draft,
      windows: [{ ...draft.windows[0]!, cron: "0 2 * * *", durationMinutes: "an hour" }],
    });
    expect(built).toEqual({
      ok: false,
      errors: { "windows.0.durationMinutes": "Enter a whole number of minutes" },
    });
  });

  test("the preview needs only the windows: each as the API takes it", () => {
    const draft = calendarDraft(saved, "UTC");
    expect(windowsOf(draft.windows)).toEqual({ ok: true, windows: saved.windows });
    expect(windowsOf([{ ...draft.windows[0]!, durationMinutes: "" }])).toEqual({
      ok: false,
      errors: { "windows.0.durationMinutes": "Enter a whole number of minutes" },
    });
  });

  test("windows and scope in words; the API's update paths are the form's", () => {
    expect(describeWindow(saved.windows[0]!)).toBe("Weekend: 0 22 * * 5 for 2 d 9 h");
    expect(describeWindow(saved.windows[1]!)).toBe("2026-12-24 18:00 → 2026-12-26 08:00");
    expect(formatMinutes(90)).toBe("1 h 30 min");
    expect(describeScope({ all: true })).toBe("All jobs");
    expect(describeScope(saved.scope)).toBe("Folders /db · tags deploy");
    expect(
      normaliseCalendarErrors({ "data.windows.1.end": "end must be after start", "scope.tags.0": "bad" }),
    ).toEqual({
      "windows.1.end": "end must be after start",
      "scope.tags": "bad",
    });
  });
});

describe("times in a schedule's zone", () => {
  test("with the zone's name, on that zone's clocks", () => {
    const text = formatInZone("2026-12-24T17:00:00.000Z", "Europe/Paris");
    expect(text).toMatch(/18:00|06:00 PM/);
    expect(text).toMatch(/GMT\+1|CET/);
    expect(formatInZone(null, "UTC")).toBe("—");
  });
});
