/**
 * Calendars (blackout windows) through the API: validation naming the field, roles, audit, the preview of upcoming
 * windows, and `findActiveBlackout` over the stored calendars (scope by folder and tag, DST in the calendar's zone).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { findActiveBlackout } from "@opsc/jobs/calendars/blackout";
import { rejection } from "../support/errors.ts";
import { startJobsSystem } from "../support/jobs.ts";
import type { SignedInUser, TestSystem } from "../support/system.ts";

let system: TestSystem;
let operator: SignedInUser;
let viewer: SignedInUser;
const calendars = () => operator.client.jobs.calendars;

beforeAll(async () => {
  ({ system, operator, viewer } = await startJobsSystem());
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

describe("saving a calendar", () => {
  test("create, get, list, update, delete; each audited", async () => {
    const created = await calendars().create.mutate({
      name: "Weekend maintenance",
      timeZone: "Europe/Paris",
      windows: [{ type: "recurring", cron: "30 2 * * 0", durationMinutes: 60, label: "sunday" }],
      scope: { folders: ["/databases"], tags: [] },
    });
    expect(created).toMatchObject({
      name: "Weekend maintenance",
      description: "",
      timeZone: "Europe/Paris",
      scope: { folders: ["/databases"], tags: [] },
      createdBy: operator.id,
    });
    expect((await viewer.client.jobs.calendars.get.query({ id: created.id })).windows).toEqual(
      created.windows,
    );
    const listed = await viewer.client.jobs.calendars.list.query({ search: "weekend" });
    expect(listed.items.map((item) => item.id)).toEqual([created.id]);

    const updated = await calendars().update.mutate({
      id: created.id,
      data: { description: "Sunday nights", scope: { all: true } },
    });
    expect(updated.scope).toEqual({ all: true });
    expect(updated.windows).toEqual(created.windows);

    const duplicate = await rejection(
      calendars().create.mutate({
        name: "WEEKEND MAINTENANCE",
        windows: [{ type: "recurring", cron: "0 1 * * *", durationMinutes: 5 }],
        scope: { all: true },
      }),
    );
    expect(duplicate.code).toBe("CONFLICT");

    expect(await calendars().delete.mutate({ id: created.id })).toEqual({ success: true });
    expect((await rejection(calendars().get.query({ id: created.id }))).code).toBe("NOT_FOUND");
    const actions = await system.jobsDb
      .selectFrom("audit_outbox")
      .select("action")
      .where("resource_id", "=", created.id)
      .orderBy("id")
      .execute();
    expect(actions.map((row) => row.action)).toEqual([
      "calendar.created",
      "calendar.updated",
      "calendar.deleted",
    ]);
  });

  test("bad input names the field", async () => {
    const cases = [
      [
        { timeZone: "Mars/Olympus", windows: [{ type: "recurring", cron: "0 1 * * *", durationMinutes: 5 }] },
        "timeZone",
      ],
      [{ windows: [{ type: "recurring", cron: "0 25 * * *", durationMinutes: 5 }] }, "windows.0.cron"],
      [{ windows: [{ type: "recurring", cron: "*/5 * * * * *", durationMinutes: 5 }] }, "windows.0.cron"],
      [
        { windows: [{ type: "recurring", cron: "0 1 * * *", durationMinutes: 0 }] },
        "windows.0.durationMinutes",
      ],
      [
        { windows: [{ type: "once", start: "2026-02-30T10:00", end: "2026-03-01T10:00" }] },
        "windows.0.start",
      ],
      [{ windows: [{ type: "once", start: "2026-05-01T10:00", end: "2026-05-01T09:00" }] }, "windows.0.end"],
      [{ windows: [{ type: "once", start: "tomorrow", end: "2026-05-01T09:00" }] }, "windows.0.start"],
      [{ windows: [] }, "windows"],
    ] as const;
    for (const [fields, field] of cases) {
      const refused = await rejection(
        calendars().create.mutate({
          name: `bad-${field}`,
          scope: { all: true },
          ...(fields as object),
        } as Parameters<ReturnType<typeof calendars>["create"]["mutate"]>[0]),
      );
      expect(refused.code).toBe("BAD_REQUEST");
      expect(Object.keys(refused.fields)).toContain(field);
    }
    const emptyScope = await rejection(
      calendars().create.mutate({
        name: "no-scope",
        windows: [{ type: "recurring", cron: "0 1 * * *", durationMinutes: 5 }],
        scope: { folders: [], tags: [] },
      }),
    );
    expect(emptyScope.code).toBe("BAD_REQUEST");
  });

  test("viewers read, only operators write", async () => {
    const refused = await rejection(
      viewer.client.jobs.calendars.create.mutate({
        name: "viewer's",
        windows: [{ type: "recurring", cron: "0 1 * * *", durationMinutes: 5 }],
        scope: { all: true },
      }),
    );
    expect(refused.code).toBe("FORBIDDEN");
  });
});

describe("preview", () => {
  test("of a definition being edited, and of a saved calendar (REST too), across DST", async () => {
    const windows = [{ type: "recurring" as const, cron: "30 2 * * 0", durationMinutes: 60 }];
    const preview = await viewer.client.jobs.calendars.preview.query({
      timeZone: "Europe/Paris",
      windows,
      from: "2026-03-21T00:00:00Z",
      days: 14,
    });
    expect(preview.truncated).toBe(false);
    expect(preview.occurrences.map((item) => [item.start, item.end])).toEqual([
      ["2026-03-22T01:30:00.000Z", "2026-03-22T02:30:00.000Z"],
      ["2026-03-29T01:00:00.000Z", "2026-03-29T02:00:00.000Z"], // 03:00 CEST: 02:30 does not exist that day
    ]);

    const saved = await calendars().create.mutate({
      name: "New York nights",
      timeZone: "America/New_York",
      windows: [{ type: "once", start: "2026-11-01T01:30", end: "2026-11-01T03:00", label: "fall back" }],
      scope: { tags: ["nightly"] },
    });
    const response = await system.handle("http://localhost/api/v1/jobs/calendars/preview", {
      method: "POST",
      headers: { authorization: `Bearer ${viewer.token}`, "content-type": "application/json" },
      body: JSON.stringify({ id: saved.id, from: "2026-10-30T00:00:00Z", days: 7 }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { occurrences: { start: string; end: string; label: string }[] };
    // 01:30 is read as its first occurrence (EDT); 03:00 is EST: two and a half real hours.
    expect(body.occurrences).toEqual([
      { window: 0, label: "fall back", start: "2026-11-01T05:30:00.000Z", end: "2026-11-01T08:00:00.000Z" },
    ] as never);

    const neither = await rejection(viewer.client.jobs.calendars.preview.query({ days: 3 }));
    expect(neither.code).toBe("BAD_REQUEST");
  });
});

describe("findActiveBlackout", () => {
  test("finds the open window of a calendar whose scope covers the job, the one that ends last", async () => {
    const at = new Date("2031-03-30T01:30:00Z"); // Sunday 2031-03-30 is the spring-forward day in Paris
    await calendars().create.mutate({
      name: "db sundays",
      timeZone: "Europe/Paris",
      windows: [{ type: "recurring", cron: "30 2 * * 0", durationMinutes: 60 }],
      scope: { folders: ["/db"], tags: [] },
    });
    await calendars().create.mutate({
      name: "release freeze",
      timeZone: "UTC",
      windows: [{ type: "once", start: "2031-03-29T00:00", end: "2031-03-31T00:00" }],
      scope: { folders: [], tags: ["frozen"] },
    });

    const db = system.jobsDb;
    expect(await findActiveBlackout(db, { folder: "/web", tags: [] }, at)).toBeNull();
    // "/dbx" is not inside "/db".
    expect(await findActiveBlackout(db, { folder: "/dbx", tags: [] }, at)).toBeNull();
    const sunday = await findActiveBlackout(db, { folder: "/db/backups", tags: [] }, at);
    expect(sunday).toMatchObject({ calendarName: "db sundays" });
    expect(sunday?.endsAt.toISOString()).toBe("2031-03-30T02:00:00.000Z");
    // 00:45Z is 01:45 CET: before the window (which opens at 03:00 CEST that day).
    expect(
      await findActiveBlackout(db, { folder: "/db", tags: [] }, new Date("2031-03-30T00:45:00Z")),
    ).toBeNull();
    const both = await findActiveBlackout(db, { folder: "/db", tags: ["frozen"] }, at);
    expect(both).toMatchObject({ calendarName: "release freeze" });
    expect(both?.endsAt.toISOString()).toBe("2031-03-31T00:00:00.000Z");
  });
});
