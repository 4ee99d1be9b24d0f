import { describe, expect, test } from "bun:test";
import {
  buildGroupLeaderCommand,
  buildKillGroupCommand,
  PgidAnnouncementParser,
  parseKillGroupOutput,
} from "./remote-process-group.ts";

const NONCE = "0123abcd";
const marker = (pgid: number) => Buffer.from(`\x1eOPSC-PGID ${NONCE} ${pgid}\n`);

describe("PgidAnnouncementParser", () => {
  test("strips the announcement, even split across chunks, and passes the rest on", () => {
    let pgid: number | undefined;
    const parser = new PgidAnnouncementParser(NONCE, (value) => {
      pgid = value;
    });
    const whole = Buffer.concat([Buffer.from("bashrc says hi\n"), marker(4242), Buffer.from("output")]);
    const out = [
      parser.push(whole.subarray(0, 20)),
      parser.push(whole.subarray(20, 30)),
      parser.push(whole.subarray(30)),
    ];
    expect(Buffer.concat(out).toString()).toBe("bashrc says hi\noutput");
    expect(pgid).toBe(4242);
    expect(parser.push(Buffer.from("more")).toString()).toBe("more");
  });

  test("gives up after 64 KiB without an announcement and passes everything on", () => {
    const seen: (number | undefined)[] = [];
    const parser = new PgidAnnouncementParser(NONCE, (value) => seen.push(value));
    const big = Buffer.alloc(70 * 1024, "x");
    expect(parser.push(big).length).toBe(big.length);
    expect(seen).toEqual([undefined]);
    expect(parser.flush().length).toBe(0);
  });

  test("holds back an announcement with another nonce and reports no pgid for an unsafe one", () => {
    const seen: (number | undefined)[] = [];
    const other = new PgidAnnouncementParser(NONCE, (value) => seen.push(value));
    const foreign = Buffer.from("\x1eOPSC-PGID ffff 42\n");
    expect(other.push(foreign).length).toBe(0);
    expect(other.flush()).toEqual(foreign);
    const unsafe = new PgidAnnouncementParser(NONCE, (value) => seen.push(value));
    expect(unsafe.push(Buffer.from(`\x1eOPSC-PGID ${NONCE} 1\n`)).length).toBe(0);
    expect(seen).toEqual([undefined, undefined]);
  });
});

describe("buildKillGroupCommand", () => {
  test("refuses group ids that would hit every process (-1) or the caller's own group (0)", () => {
    for (const pgid of [-1, 0, 1, 1.5, Number.NaN]) expect(() => buildKillGroupCommand(pgid, 1000)).toThrow();
  });

  test("parses its report", () => {
    expect(parseKillGroupOutput("terminated\n")).toEqual({ outcome: "terminated", survivors: [] });
    expect(parseKillGroupOutput("survived\n123 sleep\n456 dd\n")).toEqual({
      outcome: "survived",
      survivors: [
        { pid: 123, command: "sleep" },
        { pid: 456, command: "dd" },
      ],
    });
    expect(parseKillGroupOutput("sh: 1: syntax error")).toBeUndefined();
  });
});

describe("buildGroupLeaderCommand (run by a local /bin/sh)", () => {
  test("announces its own pgid, runs the command as group leader and keeps its exit code", () => {
    const command = buildGroupLeaderCommand(
      `echo "pgid=$(ps -o pgid= -p $$ | tr -d ' ') pid=$$"; exit 7`,
      NONCE,
    );
    // The test runner is not a group leader, so this also exercises the setsid branch.
    const proc = Bun.spawnSync(["/bin/sh", "-c", command], { env: { ...process.env, SHELL: "/bin/sh" } });
    let pgid: number | undefined;
    const parser = new PgidAnnouncementParser(NONCE, (value) => {
      pgid = value;
    });
    const output = parser.push(proc.stdout).toString();
    expect(proc.exitCode).toBe(7);
    expect(pgid).toBeGreaterThan(1);
    expect(output).toBe(`pgid=${pgid} pid=${pgid}\n`);
  });

  test("rejects a nonce that could break out of the printf format", () => {
    expect(() => buildGroupLeaderCommand("true", "%s'")).toThrow();
  });
});
