import { expect, test } from "bun:test";
import { prettyLine } from "./log.ts";

// Colours are off when stdout is not a terminal, which is the case under bun test unless FORCE_COLOR is set.
const strip = (text: string) => Bun.stripANSI(text);

test("pretty-prints pino lines (label or numeric level) and keeps extra fields", () => {
  const time = new Date(2026, 0, 2, 3, 4, 5).toISOString();
  expect(
    strip(
      prettyLine(
        JSON.stringify({ level: "warn", time, service: "auth", pid: 1, msg: "slow query", ms: 812 }),
      ),
    ),
  ).toBe("03:04:05 WARN  slow query ms=812");
  expect(
    strip(prettyLine(JSON.stringify({ level: 50, time: Date.parse(time), msg: "boom", err: { code: "X" } }))),
  ).toBe('03:04:05 ERROR boom err={"code":"X"}');
});

test("pretty-prints Caddy lines (epoch seconds, logger field)", () => {
  const ts = new Date(2026, 0, 2, 3, 4, 5).getTime() / 1000;
  expect(
    strip(prettyLine(JSON.stringify({ level: "info", ts, logger: "http", msg: "server running" }))),
  ).toBe("03:04:05 INFO  server running logger=http");
});

test("leaves anything that is not a JSON object alone", () => {
  for (const line of ["plain text", "{not json", "[1,2]", "", "{} trailing"])
    expect(prettyLine(line)).toBe(line);
});
