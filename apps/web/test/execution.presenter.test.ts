import { describe, expect, test } from "bun:test";
import type { TRun, TTask, TTaskCounts } from "@opsc/contracts/execution/runs";
import {
  ARTIFACTS_MAX_LIMIT,
  ARTIFACTS_PAGE_SIZE,
  appendTaskPage,
  artifactContentHref,
  artifactsRefreshKey,
  artifactsReloadLimit,
  artifactTargetName,
  compareOffsets,
  countSegments,
  describeAction,
  describeCounts,
  describeRunWork,
  EMPTY_RUNS_QUERY,
  elapsedMs,
  envFromRows,
  failedCount,
  formatBytes,
  formatDuration,
  formatLogLine,
  hasMoreTasks,
  isRunActive,
  LineWindow,
  type LogLine,
  LogSplitter,
  loadedCount,
  loadedTasks,
  logFileName,
  mergeRefreshedPage,
  NO_TASK_PAGES,
  nextPageCursor,
  normaliseRunErrors,
  parseFailureThreshold,
  parseRunsQuery,
  presentRunsPaging,
  REFRESH_MARGIN_ROWS,
  RUN_STATE_LABELS,
  RUN_STATE_TONES,
  RUN_STATES,
  RUNS_PAGE_SIZE,
  refreshPlan,
  replaceTaskPage,
  runLogHref,
  runsHref,
  shortHash,
  shouldLoadMore,
  splitChunk,
  startRunInputFromForm,
  TASK_STATE_TONES,
  TASK_STATES,
  type TaskPage,
  taskTabs,
  toListRunsRequest,
  toRunsSearchParams,
  visibleText,
  whoLabel,
} from "../app/lib/execution.presenter.ts";

const counts = (overrides: Partial<TTaskCounts> = {}): TTaskCounts => ({
  total: 0,
  queued: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  timedOut: 0,
  cancelled: 0,
  skipped: 0,
  ...overrides,
});

function task(index: number): TTask {
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    runId: "run",
    targetId: `t${index}`,
    targetName: `web-${index}`,
    targetAddress: "127.0.0.1",
    state: "queued",
    attempt: 1,
    exitCode: null,
    error: null,
    cancel: null,
    workerId: null,
    outputBytes: 0,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    stepIndex: 0,
    stepKey: null,
    outputs: null,
    tolerated: false,
    retries: 0,
    notBefore: null,
    skipReason: null,
    childRunId: null,
  };
}

const page = (cursor: string | null, from: number, size: number, nextCursor: string | null): TaskPage => ({
  cursor,
  items: Array.from({ length: size }, (_, offset) => task(from + offset)),
  nextCursor,
});

describe("state badges", () => {
  test("every run and task state has a label and a tone", () => {
    for (const state of RUN_STATES) {
      expect(RUN_STATE_LABELS[state]).toBeTruthy();
      expect(RUN_STATE_TONES[state]).toBeTruthy();
    }
    for (const state of TASK_STATES) expect(TASK_STATE_TONES[state]).toBeTruthy();
  });

  test("tones follow how the run went", () => {
    expect(RUN_STATE_TONES.succeeded).toBe("green");
    expect(RUN_STATE_TONES.failed).toBe("red");
    expect(RUN_STATE_TONES.running).toBe("indigo");
    expect(RUN_STATE_TONES.cancelling).toBe("amber");
    expect(RUN_STATE_TONES.cancelled).toBe("amber");
    expect(RUN_STATE_TONES.queued).toBe("neutral");
    expect(TASK_STATE_TONES.timed_out).toBe("red");
    expect(RUN_STATE_LABELS.cancelling).toBe("Cancelling");
  });

  test("queued, running and cancelling runs are active; finished ones are not", () => {
    expect(RUN_STATES.filter(isRunActive)).toEqual(["queued", "running", "cancelling"]);
  });
});

describe("counts bar", () => {
  test("segments in a fixed order, without empty states, adding up to 100%", () => {
    const segments = countSegments(counts({ total: 8, succeeded: 4, failed: 1, running: 2, queued: 1 }));
    expect(segments.map((segment) => [segment.state, segment.count])).toEqual([
      ["succeeded", 4],
      ["failed", 1],
      ["running", 2],
      ["queued", 1],
    ]);
    expect(segments.map((segment) => segment.percent)).toEqual([50, 12.5, 25, 12.5]);
    expect(segments.reduce((sum, segment) => sum + segment.percent, 0)).toBe(100);
    expect(segments[0]!.className).toContain("emerald");
    expect(segments[1]!.className).toContain("red");
  });

  test("timed out, cancelled and skipped get their own segments", () => {
    const segments = countSegments(counts({ total: 3, timedOut: 1, cancelled: 1, skipped: 1 }));
    expect(segments.map((segment) => segment.label)).toEqual(["Timed out", "Cancelled", "Skipped"]);
  });

  test("a run without tasks has no segments", () => {
    expect(countSegments(counts())).toEqual([]);
  });

  test("described in words for the label", () => {
    expect(describeCounts(counts({ total: 3, succeeded: 2, failed: 1 }))).toBe(
      "2 succeeded, 1 failed of 3 targets",
    );
    expect(describeCounts(counts({ total: 1, queued: 1 }))).toBe("1 queued of 1 target");
  });

  test("failed and timed out count as failed for a retry", () => {
    expect(failedCount(counts({ failed: 2, timedOut: 3, cancelled: 4 }))).toBe(5);
  });
});

describe("durations", () => {
  test("milliseconds, seconds, minutes, hours and days", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(-5)).toBe("—");
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(4_250)).toBe("4.2 s");
    expect(formatDuration(9_999)).toBe("9.9 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(245_000)).toBe("4 min 05 s");
    expect(formatDuration(7_380_000)).toBe("2 h 03 min");
    expect(formatDuration(3 * 86_400_000 + 3_600_000)).toBe("3 d 1 h");
  });

  test("a running item's elapsed time counts up from its start; a finished one has its duration", () => {
    const now = new Date("2026-11-28T12:00:10.000Z");
    const running = { durationMs: null, startedAt: "2026-11-28T12:00:00.000Z", finishedAt: null };
    expect(elapsedMs(running, now)).toBe(10_000);
    expect(elapsedMs({ ...running, durationMs: 1234 }, now)).toBe(1234);
    expect(elapsedMs({ durationMs: null, startedAt: null, finishedAt: null }, now)).toBeNull();
  });
});

describe("actions and people", () => {
  test("the action on one line", () => {
    expect(describeAction({ type: "command", command: "uptime", shell: "sh" })).toBe("uptime");
    expect(describeAction({ type: "command", command: "cd /tmp\nls", shell: "sh" })).toBe("cd /tmp …");
    expect(describeAction({ type: "script", script: "set -e\n\necho hi\n", shell: "bash" })).toBe(
      "bash script (2 lines)",
    );
    expect(
      describeAction({ type: "http", method: "GET", path: "/health", headers: {}, expectStatus: [] }),
    ).toBe("GET /health");
  });

  test("what a run does: its action, or a job run's steps", () => {
    const step = (key: string) => ({
      key,
      name: key,
      type: "command",
      runOn: "target" as const,
      continueOnError: false,
      retries: 0,
      when: "if no earlier step failed",
    });
    expect(describeRunWork({ action: { type: "noop", sleepMs: 0 }, steps: [] })).toBe("no-op");
    expect(describeRunWork({ action: null, steps: [step("build"), step("deploy"), step("verify")] })).toBe(
      "3 steps: build → deploy → verify",
    );
    expect(describeRunWork({ action: null, steps: [step("only")] })).toBe("1 step: only");
  });

  test("who started a run", () => {
    expect(whoLabel("u1", "u1", {})).toBe("you");
    expect(whoLabel("u2", "u1", { u2: "Ana" })).toBe("Ana");
    expect(whoLabel("0123456789abcdef", "u1", {})).toBe("user 01234567");
    expect(whoLabel(null, "u1", {})).toBe("the system");
  });
});

describe("runs list paging", () => {
  const JOB = "3f2a9c1d-0000-4000-8000-00000000000a";

  test("state, mine, the job and the cursor stack round-trip through the URL", () => {
    const query = parseRunsQuery(new URLSearchParams(`state=running&mine=1&jobId=${JOB}&pages=abc,def`));
    expect(query).toEqual({ state: "running", mine: true, jobId: JOB, cursors: ["abc", "def"] });
    expect(toRunsSearchParams(query).toString()).toBe(`state=running&mine=1&jobId=${JOB}&pages=abc%2Cdef`);
    expect(runsHref(EMPTY_RUNS_QUERY)).toBe("/runs");
    expect(runsHref({ ...EMPTY_RUNS_QUERY, jobId: JOB })).toBe(`/runs?jobId=${JOB}`);
  });

  test("unknown states, a job id that is no UUID and malformed cursors are dropped", () => {
    expect(
      parseRunsQuery(new URLSearchParams("state=exploded&mine=yes&jobId=deploy&pages=ok,not%20ok,")),
    ).toEqual({
      state: null,
      mine: false,
      jobId: null,
      cursors: ["ok"],
    });
    expect(parseRunsQuery(new URLSearchParams(`jobId=${JOB.toUpperCase()}`)).jobId).toBe(JOB);
  });

  test("the request takes the last cursor, the user only for mine, and the job", () => {
    expect(
      toListRunsRequest({ state: "failed", mine: true, jobId: null, cursors: ["a", "b"] }, "u1"),
    ).toEqual({
      state: "failed",
      createdBy: "u1",
      limit: RUNS_PAGE_SIZE,
      cursor: "b",
    });
    expect(toListRunsRequest(EMPTY_RUNS_QUERY, "u1")).toEqual({ limit: RUNS_PAGE_SIZE });
    expect(toListRunsRequest({ ...EMPTY_RUNS_QUERY, jobId: JOB }, null)).toEqual({
      jobId: JOB,
      limit: RUNS_PAGE_SIZE,
    });
  });

  test("paging keeps the job filter", () => {
    const paging = presentRunsPaging({ ...EMPTY_RUNS_QUERY, jobId: JOB, cursors: ["c1"] }, "c2");
    expect(paging.next).toEqual({ ...EMPTY_RUNS_QUERY, jobId: JOB, cursors: ["c1", "c2"] });
    expect(paging.previous).toEqual({ ...EMPTY_RUNS_QUERY, jobId: JOB, cursors: [] });
  });

  test("next pushes the page's cursor, previous pops, first appears from page 3", () => {
    const first = presentRunsPaging(EMPTY_RUNS_QUERY, "c1");
    expect(first).toEqual({
      page: 1,
      previous: null,
      next: { ...EMPTY_RUNS_QUERY, cursors: ["c1"] },
      first: null,
    });
    const third = presentRunsPaging({ ...EMPTY_RUNS_QUERY, cursors: ["c1", "c2"] }, null);
    expect(third.page).toBe(3);
    expect(third.next).toBeNull();
    expect(third.previous?.cursors).toEqual(["c1"]);
    expect(third.first?.cursors).toEqual([]);
  });
});

describe("task pages", () => {
  test("tabs: All plus the states with tasks, and the selected one even when empty", () => {
    const tabs = taskTabs(counts({ total: 5, succeeded: 3, failed: 2 }), "cancelled");
    expect(tabs.map((tab) => [tab.state, tab.count])).toEqual([
      [null, 5],
      ["succeeded", 3],
      ["failed", 2],
      ["cancelled", 0],
    ]);
  });

  test("pages are appended in cursor order; a late answer for another position is dropped", () => {
    let state = appendTaskPage(NO_TASK_PAGES, page(null, 0, 1000, "c1"));
    expect(nextPageCursor(state)).toBe("c1");
    expect(appendTaskPage(state, page(null, 0, 1000, "c1"))).toBe(state);
    state = appendTaskPage(state, page("c1", 1000, 1000, "c2"));
    expect(loadedCount(state)).toBe(2000);
    expect(loadedTasks(state)[1500]!.targetName).toBe("web-1500");
    expect(hasMoreTasks(state)).toBe(true);
    state = appendTaskPage(state, page("c2", 2000, 10, null));
    expect(hasMoreTasks(state)).toBe(false);
    expect(nextPageCursor(state)).toBeNull();
  });

  test("the next page loads when the last visible row comes within 200 of the end", () => {
    const state = appendTaskPage(NO_TASK_PAGES, page(null, 0, 1000, "c1"));
    expect(shouldLoadMore(state, 700)).toBe(false);
    expect(shouldLoadMore(state, 800)).toBe(true);
    expect(shouldLoadMore(NO_TASK_PAGES, 0)).toBe(false);
    expect(shouldLoadMore(appendTaskPage(NO_TASK_PAGES, page(null, 0, 10, null)), 9)).toBe(false);
  });

  test("a refresh reloads the pages on screen, only as far as the screen reaches", () => {
    let state = appendTaskPage(NO_TASK_PAGES, page(null, 0, 1000, "c1"));
    state = appendTaskPage(state, page("c1", 1000, 1000, "c2"));
    expect(refreshPlan(state, 0, 20)).toEqual([{ cursor: null, limit: 21 + REFRESH_MARGIN_ROWS }]);
    expect(refreshPlan(state, 990, 1010)).toEqual([
      { cursor: null, limit: 1000 },
      { cursor: "c1", limit: 11 + REFRESH_MARGIN_ROWS },
    ]);
    expect(refreshPlan(state, 1500, 1520)).toEqual([{ cursor: "c1", limit: 521 + REFRESH_MARGIN_ROWS }]);
    // The screen past what is loaded (the list shrank): the last page, whole.
    expect(refreshPlan(state, 5000, 5020)).toEqual([{ cursor: "c1", limit: 1000 }]);
    expect(refreshPlan(NO_TASK_PAGES, 0, 10)).toEqual([]);
  });

  test("a partial reload replaces the rows it covers and keeps the rest of the page", () => {
    let state = appendTaskPage(NO_TASK_PAGES, page(null, 0, 1000, "c1"));
    state = appendTaskPage(state, page("c1", 1000, 1000, "c2"));
    // Running tab: task 0 finished and left; 1–50 come back (the next one moved up), 50 appears twice otherwise.
    const fresh = { cursor: null, items: page(null, 1, 50, null).items, nextCursor: "x" };
    const merged = mergeRefreshedPage(state, fresh, 50);
    expect(loadedCount(merged)).toBe(1999);
    expect(loadedTasks(merged)[0]!.targetName).toBe("web-1");
    expect(loadedTasks(merged)[50]!.targetName).toBe("web-51");
    expect(nextPageCursor({ pages: merged.pages.slice(0, 1) })).toBe("c1");
    expect(merged.pages).toHaveLength(2);
    // Fewer rows than asked for: the tab ends there, the page is whole and replaces everything after it.
    const short = mergeRefreshedPage(state, page(null, 0, 20, null), 50);
    expect(loadedCount(short)).toBe(20);
    expect(hasMoreTasks(short)).toBe(false);
  });

  test("a refreshed page replaces its old rows; pages after it stay only while they still line up", () => {
    let state = appendTaskPage(NO_TASK_PAGES, page(null, 0, 1000, "c1"));
    state = appendTaskPage(state, page("c1", 1000, 1000, "c2"));
    const updated = { ...page(null, 0, 1000, "c1") };
    updated.items[0] = { ...updated.items[0]!, state: "succeeded" };
    const same = replaceTaskPage(state, updated);
    expect(same.pages).toHaveLength(2);
    expect(loadedTasks(same)[0]!.state).toBe("succeeded");
    // Tasks left the filtered tab: the first page now ends elsewhere, so the second no longer follows it.
    const moved = replaceTaskPage(state, page(null, 0, 1000, "c1b"));
    expect(moved.pages).toHaveLength(1);
    expect(nextPageCursor(moved)).toBe("c1b");
    // A page no longer loaded (a reset in between) changes nothing.
    expect(replaceTaskPage(state, page("zz", 0, 1, null))).toBe(state);
  });
});

describe("log lines", () => {
  const chunk = (offset: string, taskId: string, stream: LogLine["stream"], text: string) => ({
    offset,
    taskId,
    stream,
    text,
  });

  test("a chunk splits into whole lines and the unfinished rest", () => {
    expect(splitChunk("", "a\nb\nc")).toEqual({ lines: ["a", "b"], rest: "c" });
    expect(splitChunk("c", "d\n")).toEqual({ lines: ["cd"], rest: "" });
    expect(splitChunk("", "\n\n")).toEqual({ lines: ["", ""], rest: "" });
  });

  test("carriage returns: CRLF is a plain line end, a redrawn line shows its last state", () => {
    expect(visibleText("done\r")).toBe("done");
    expect(visibleText("10%\r50%\r100%")).toBe("100%");
    expect(splitChunk("", "a\r\nb\r\n").lines).toEqual(["a", "b"]);
  });

  test("a line cut between chunks is joined with the next chunk of the same task and stream", () => {
    const splitter = new LogSplitter();
    expect(splitter.push(chunk("1-0", "A", "stdout", "line-1\nli"))).toMatchObject([{ text: "line-1" }]);
    // Another task and the other stream in between do not join the cut line.
    expect(splitter.push(chunk("1-1", "B", "stdout", "other\n"))).toMatchObject([
      { taskId: "B", text: "other" },
    ]);
    expect(splitter.push(chunk("1-2", "A", "stderr", "oops"))).toEqual([]);
    expect(splitter.partials().map((line) => [line.taskId, line.stream, line.text])).toEqual([
      ["A", "stdout", "li"],
      ["A", "stderr", "oops"],
    ]);
    expect(splitter.push(chunk("2-0", "A", "stdout", "ne-2\nline-3\n"))).toMatchObject([
      { taskId: "A", stream: "stdout", text: "line-2" },
      { taskId: "A", stream: "stdout", text: "line-3" },
    ]);
    // The end of the log turns what is left into lines.
    expect(splitter.flush()).toMatchObject([{ taskId: "A", stream: "stderr", text: "oops" }]);
    expect(splitter.partials()).toEqual([]);
  });

  test("lines are numbered in arrival order", () => {
    const splitter = new LogSplitter();
    const lines = [
      ...splitter.push(chunk("1-0", "A", "stdout", "a\nb\n")),
      ...splitter.push(chunk("1-1", "A", "system", "exit code 1\n")),
    ];
    expect(lines.map((line) => line.seq)).toEqual([0, 1, 2]);
    expect(lines[2]).toMatchObject({ stream: "system", text: "exit code 1" });
  });

  test("chunks at or before the last offset (a resumed tail repeating itself) are ignored", () => {
    const splitter = new LogSplitter();
    splitter.push(chunk("1732650000000-5", "A", "stdout", "x\n"));
    expect(splitter.push(chunk("1732650000000-5", "A", "stdout", "x\n"))).toEqual([]);
    expect(splitter.push(chunk("1732649999999-9", "A", "stdout", "old\n"))).toEqual([]);
    expect(splitter.push(chunk("1732650000000-10", "A", "stdout", "y\n"))).toHaveLength(1);
    expect(splitter.lastOffset).toBe("1732650000000-10");
  });

  test("offsets compare as numbers, not as text", () => {
    expect(compareOffsets("2-0", "10-0")).toBeLessThan(0);
    expect(compareOffsets("5-10", "5-9")).toBeGreaterThan(0);
    expect(compareOffsets("5-1", "5-1")).toBe(0);
  });

  test("the window keeps the newest lines and counts the dropped ones", () => {
    const window = new LineWindow(5);
    const lines = (from: number, count: number): LogLine[] =>
      Array.from({ length: count }, (_, index) => ({
        seq: from + index,
        taskId: "A",
        stream: "stdout" as const,
        text: `line-${from + index}`,
      }));
    window.append(lines(0, 3));
    expect(window.length).toBe(3);
    expect(window.dropped).toBe(0);
    window.append(lines(3, 4));
    expect(window.length).toBe(5);
    expect(window.dropped).toBe(2);
    expect(window.at(0)?.text).toBe("line-2");
    expect(window.at(4)?.text).toBe("line-6");
    // Many more: memory stays bounded and the order holds.
    for (let from = 7; from < 1000; from += 7) window.append(lines(from, 7));
    expect(window.length).toBe(5);
    expect(window.dropped).toBe(1001 - 5);
    expect(window.toArray().map((line) => line.seq)).toEqual([996, 997, 998, 999, 1000]);
  });

  test("downloaded lines name their target and mark stderr and system lines", () => {
    expect(formatLogLine({ stream: "stdout", text: "line-1" }, "web-1")).toBe("web-1 | line-1");
    expect(formatLogLine({ stream: "stderr", text: "oops" }, "web-1")).toBe("web-1 | [stderr] oops");
    expect(formatLogLine({ stream: "system", text: "exit code 1" }, null)).toBe("[system] exit code 1");
  });

  test("log file names", () => {
    const run = { id: "3f2a9c1d-0000-4000-8000-000000000000", name: "Deploy web/API!" } as Pick<
      TRun,
      "id" | "name"
    >;
    expect(logFileName(run, null)).toBe("run-deploy-web-api-3f2a9c1d.log");
    expect(logFileName(run, "web-1.example.com")).toBe("run-deploy-web-api-3f2a9c1d-web-1.example.com.log");
  });
});

describe("artifacts and downloads", () => {
  const RUN_ID = "3f2a9c1d-0000-4000-8000-000000000001";
  const ARTIFACT_ID = "9b1e2d3c-0000-4000-8000-000000000002";

  test("download links point at the execution service's plain routes, on the same origin", () => {
    expect(runLogHref(RUN_ID)).toBe(`/api/v1/execution/runs/${RUN_ID}/log.txt`);
    expect(artifactContentHref(ARTIFACT_ID)).toBe(`/api/v1/execution/artifacts/${ARTIFACT_ID}/content`);
    // An id is a path segment, never more (the API only hands out UUIDs; a crafted one stays in its segment).
    expect(artifactContentHref("../runs/x?y=1")).toBe(
      "/api/v1/execution/artifacts/..%2Fruns%2Fx%3Fy%3D1/content",
    );
    expect(runLogHref("a/b")).toBe("/api/v1/execution/runs/a%2Fb/log.txt");
  });

  test("sizes in bytes, then binary units with one decimal", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(6)).toBe("6 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1024)).toBe("1.0 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(10 * 1024 + 100)).toBe("10.1 KiB");
    expect(formatBytes(1024 ** 2)).toBe("1.0 MiB");
    expect(formatBytes(250 * 1024 ** 2)).toBe("250.0 MiB");
    expect(formatBytes(1024 ** 3)).toBe("1.0 GiB");
    expect(formatBytes(3 * 1024 ** 4)).toBe("3.0 TiB");
    expect(formatBytes(5 * 1024 ** 5)).toBe("5120.0 TiB");
    // Just under a unit reads as that unit, as it would be rounded anyway.
    expect(formatBytes(1024 ** 2 - 1)).toBe("1.0 MiB");
    expect(formatBytes(1024 * 1023.9)).toBe("1023.9 KiB");
    // Nonsense is no size.
    expect(formatBytes(-1)).toBe("0 B");
    expect(formatBytes(Number.NaN)).toBe("0 B");
    expect(formatBytes(12.7)).toBe("12 B");
  });

  test("a hash is shortened to 12 characters, or as asked; a short one stays", () => {
    const sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    expect(shortHash(sha)).toBe("5891b5b522d5");
    expect(shortHash(sha, 8)).toBe("5891b5b5");
    expect(shortHash("abc")).toBe("abc");
    expect(shortHash("")).toBe("");
  });

  test("a reload asks for a page at least, the rows shown at most, never over the API's limit", () => {
    expect(artifactsReloadLimit(0, 0)).toBe(ARTIFACTS_PAGE_SIZE);
    expect(artifactsReloadLimit(0, ARTIFACTS_PAGE_SIZE)).toBe(ARTIFACTS_PAGE_SIZE);
    expect(artifactsReloadLimit(0, 300)).toBe(300);
    expect(artifactsReloadLimit(0, 2500)).toBe(ARTIFACTS_MAX_LIMIT);
    expect(artifactsReloadLimit(1000, 2500)).toBe(ARTIFACTS_MAX_LIMIT);
    expect(artifactsReloadLimit(2000, 2500)).toBe(500);
    expect(artifactsReloadLimit(2450, 2500)).toBe(ARTIFACTS_PAGE_SIZE);
  });

  test("the files are reloaded when a task finishes or the run's state changes, not on every poll", () => {
    const running = { state: "running" as const, counts: counts({ total: 3, running: 2, queued: 1 }) };
    const same = { state: "running" as const, counts: counts({ total: 3, running: 3 }) };
    const oneDone = { state: "running" as const, counts: counts({ total: 3, running: 2, succeeded: 1 }) };
    const over = { state: "succeeded" as const, counts: counts({ total: 3, succeeded: 3 }) };
    const cancelling = { state: "cancelling" as const, counts: counts({ total: 3, succeeded: 3 }) };
    expect(artifactsRefreshKey(same)).toBe(artifactsRefreshKey(running));
    expect(artifactsRefreshKey(oneDone)).not.toBe(artifactsRefreshKey(running));
    expect(artifactsRefreshKey(over)).not.toBe(artifactsRefreshKey(oneDone));
    expect(artifactsRefreshKey(over)).not.toBe(artifactsRefreshKey(cancelling));
  });

  test("the target comes from the artifact, else from the tasks loaded, else an ellipsis", () => {
    const names = new Map([["t1", "web-1"]]);
    expect(artifactTargetName({ taskId: "t1", targetName: "db-1" }, names)).toBe("db-1");
    expect(artifactTargetName({ taskId: "t1", targetName: "" }, names)).toBe("web-1");
    expect(artifactTargetName({ taskId: "t1" }, names)).toBe("web-1");
    expect(artifactTargetName({ taskId: "t2", targetName: null }, names)).toBe("…");
  });
});

describe("the run command form", () => {
  function form(fields: [string, string][]): FormData {
    const data = new FormData();
    for (const [name, value] of fields) data.append(name, value);
    return data;
  }

  test("a command on local with variables and options", () => {
    const parsed = startRunInputFromForm(
      form([
        ["intent", "start"],
        ["selector", " role=probe "],
        ["mode", "command"],
        ["shell", "bash"],
        ["command", "  echo $GREETING  "],
        ["envKey", "GREETING"],
        ["envValue", " hello "],
        ["envKey", ""],
        ["envValue", ""],
        ["timeoutSeconds", "60"],
        ["fanOut", "10"],
        ["failureThreshold", "10%"],
        ["runOn", "local"],
        ["sudo", "on"],
        ["idempotencyKey", "k1"],
      ]),
    );
    expect(parsed).toEqual({
      ok: true,
      input: {
        action: { type: "command", command: "echo $GREETING", shell: "bash" },
        runOn: "local",
        targets: { selector: "role=probe" },
        env: { GREETING: " hello " },
        sudo: true,
        timeoutSeconds: 60,
        fanOut: 10,
        failureThreshold: { percent: 10 },
        idempotencyKey: "k1",
      },
    });
  });

  test("a script is sent as typed, on the targets by default", () => {
    const parsed = startRunInputFromForm(
      form([
        ["selector", "env=prod"],
        ["mode", "script"],
        ["shell", "python3"],
        ["command", "print('hi')\n"],
        ["name", "Say hi"],
      ]),
    );
    expect(parsed.ok && parsed.input).toMatchObject({
      name: "Say hi",
      action: { type: "script", script: "print('hi')\n", shell: "python3" },
      runOn: "target",
      sudo: false,
    });
  });

  test("numbers, threshold, variables and a missing selector are checked at their fields", () => {
    const parsed = startRunInputFromForm(
      form([
        ["command", "uptime"],
        ["timeoutSeconds", "1.5"],
        ["fanOut", "many"],
        ["failureThreshold", "some"],
        ["envKey", "A"],
        ["envValue", "1"],
        ["envKey", "A"],
        ["envValue", "2"],
      ]),
    );
    expect(parsed).toEqual({
      ok: false,
      fieldErrors: {
        timeoutSeconds: "Enter a whole number",
        fanOut: "Enter a whole number",
        failureThreshold: "Enter a number of tasks (3) or a share (10%)",
        env: "The variable A appears twice",
        selector: "Enter a selector: which targets to run on",
      },
    });
  });

  test("thresholds and variable rows", () => {
    expect(parseFailureThreshold("")).toEqual({ value: undefined, error: null });
    expect(parseFailureThreshold("3")).toEqual({ value: { count: 3 }, error: null });
    expect(parseFailureThreshold("2.5 %")).toEqual({ value: { percent: 2.5 }, error: null });
    expect(envFromRows([{ key: "", value: "x" }]).error).toContain("has no name");
    expect(envFromRows([{ key: " A ", value: "" }])).toEqual({ env: { A: "" }, error: null });
  });

  test("the API's error paths fold onto the form's fields", () => {
    expect(
      normaliseRunErrors({
        "targets.selector": "at column 5, expected value",
        "action.command": "Too small",
        "action.shell": "Invalid option",
        "env.OPSC_X": "OPSC_ names are reserved",
        "env.1BAD": "letters, digits and '_'",
        "failureThreshold.percent": "Too big",
        timeoutSeconds: "Too big",
      }),
    ).toEqual({
      selector: "at column 5, expected value",
      command: "Too small",
      shell: "Invalid option",
      env: "OPSC_X: OPSC_ names are reserved",
      failureThreshold: "Too big",
      timeoutSeconds: "Too big",
    });
    expect(normaliseRunErrors({ targets: "2 of the 3 targets are ssh targets" })).toEqual({
      selector: "2 of the 3 targets are ssh targets",
    });
  });
});
