/** Test counts of one `bun test` run. */
export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Reads the totals `bun test` prints at the end (` 12 pass`, ` 1 fail`, ` 2 skip`, ` 1 todo`). Its "fail"
 * count includes files that failed to load and errors thrown between tests, which the JUnit reporter leaves
 * out, so the console summary is the reliable source. Undefined when no summary was printed (a crash, or
 * no test file matched).
 */
export function parseBunTestSummary(output: string): TestSummary | undefined {
  const counts: Record<string, number> = {};
  for (const line of Bun.stripANSI(output).split("\n")) {
    const match = /^\s*(\d+) (pass|fail|skip|todo)\s*$/.exec(line);
    if (match) counts[match[2] as string] = Number(match[1]);
  }
  if (!("pass" in counts) && !("fail" in counts)) return undefined;
  return {
    passed: counts.pass ?? 0,
    failed: counts.fail ?? 0,
    skipped: (counts.skip ?? 0) + (counts.todo ?? 0),
  };
}

/**
 * The summary CI reads: its last line is exactly `42 passed, 0 failed`; skipped tests, when there are some, are
 * named on the line before it (`3 skipped`), so the CI line keeps its plain form.
 */
export function formatSummary({ passed, failed, skipped }: TestSummary): string {
  return `${skipped > 0 ? `${skipped} skipped\n` : ""}${passed} passed, ${failed} failed`;
}
