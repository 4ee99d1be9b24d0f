import { expect, test } from "bun:test";
import { formatSummary, parseBunTestSummary } from "./test-summary.ts";

test("parses the totals bun test prints, with or without colours", () => {
  const plain =
    "(pass) a\n\n 12 pass\n 2 skip\n 1 todo\n 3 fail\n 1 error\n 40 expect() calls\nRan 18 tests across 4 files.";
  expect(parseBunTestSummary(plain)).toEqual({ passed: 12, failed: 3, skipped: 3 });
  const coloured = "\x1b[0m\x1b[32m 5 pass\x1b[0m\n\x1b[0m\x1b[31m 0 fail\x1b[0m\n";
  expect(parseBunTestSummary(coloured)).toEqual({ passed: 5, failed: 0, skipped: 0 });
  expect(parseBunTestSummary("error: something crashed")).toBeUndefined();
});

test("formats the CI line and only mentions skipped tests when there are some", () => {
  expect(formatSummary({ passed: 42, failed: 0, skipped: 0 })).toBe("42 passed, 0 failed");
  expect(formatSummary({ passed: 1, failed: 2, skipped: 3 })).toBe("3 skipped\n1 passed, 2 failed");
});
