import { describe, expect, test } from "bun:test";
import { createRedactor, redactText } from "./redact.ts";

/** Feeds `text` cut at `cuts` (byte offsets) and returns the whole output. */
function streamed(secrets: string[], input: Buffer, cuts: number[]): string {
  const redactor = createRedactor(secrets);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    out.push(redactor.push(input.subarray(from, cut)));
    from = cut;
  }
  out.push(redactor.flush());
  return Buffer.concat(out).toString("utf8");
}

/** Reference: marks every byte covered by any occurrence, then collapses each marked run into one marker. */
function reference(secrets: string[], input: Buffer): string {
  const covered = new Uint8Array(input.length);
  for (const secret of secrets.filter(Boolean)) {
    const pattern = Buffer.from(secret);
    for (let at = input.indexOf(pattern); at !== -1; at = input.indexOf(pattern, at + 1))
      covered.fill(1, at, at + pattern.length);
  }
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; ) {
    if (!covered[i]) {
      let j = i;
      while (j < input.length && !covered[j]) j++;
      out.push(input.subarray(i, j));
      i = j;
    } else {
      while (i < input.length && covered[i]) i++;
      out.push(Buffer.from("[redacted]"));
    }
  }
  return Buffer.concat(out).toString("utf8");
}

describe("createRedactor", () => {
  test("replaces every occurrence in one chunk", () => {
    expect(streamed(["hunter22"], Buffer.from("pw=hunter22, again hunter22."), [])).toBe(
      "pw=[redacted], again [redacted].",
    );
  });

  test("a secret split across two chunks, at every possible cut", () => {
    const input = Buffer.from("before s3cr3t-value after");
    for (let cut = 0; cut <= input.length; cut++)
      expect(streamed(["s3cr3t-value"], input, [cut])).toBe("before [redacted] after");
  });

  test("a secret fed one byte at a time, including a multi-byte UTF-8 secret cut inside a character", () => {
    const input = Buffer.from("x pässwört y pässwört");
    const cuts = Array.from({ length: input.length - 1 }, (_, i) => i + 1);
    expect(streamed(["pässwört"], input, cuts)).toBe("x [redacted] y [redacted]");
  });

  test("overlapping secrets leave no part of either", () => {
    const input = Buffer.from("xxabcdefyy");
    expect(streamed(["abcd", "cdef"], input, [])).toBe("xx[redacted]yy");
    for (let cut = 0; cut <= input.length; cut++)
      expect(streamed(["abcd", "cdef"], input, [cut])).toBe("xx[redacted]yy");
    expect(streamed(["abcd", "cdef"], input, [1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe("xx[redacted]yy");
  });

  test("a secret inside another, repeated and self-overlapping secrets, and touching secrets", () => {
    expect(streamed(["pass", "password1"], Buffer.from("a password1 b pass c"), [4])).toBe(
      "a [redacted] b [redacted] c",
    );
    expect(streamed(["aba"], Buffer.from("-ababa-"), [3])).toBe("-[redacted]-");
    expect(streamed(["tok1", "tok2"], Buffer.from("<tok1tok2>"), [5])).toBe("<[redacted]>");
  });

  test("a long run of overlapping matches across many chunks stays bounded and fully redacted", () => {
    const input = Buffer.from(`start ${"ab".repeat(5_000)}a end`);
    const cuts = Array.from({ length: 999 }, (_, i) => (i + 1) * 10);
    expect(streamed(["abab"], input, cuts)).toBe("start [redacted]a end");
  });

  test("holds back at most the longest secret minus one byte, and flush returns it", () => {
    const redactor = createRedactor(["12345678", "abc"]);
    const out = redactor.push(Buffer.from("hello world, a long enough line"));
    expect(out.toString()).toBe("hello world, a long enou");
    expect(redactor.flush().toString()).toBe("gh line");
  });

  test("without secrets the chunk passes through untouched", () => {
    const redactor = createRedactor(["", ""]);
    const chunk = Buffer.from("nothing to hide");
    expect(redactor.push(chunk)).toBe(chunk);
    expect(redactor.flush().length).toBe(0);
  });

  test("agrees with a byte-marking reference on random input, secrets and cuts", () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const alphabet = "abc";
    const word = (length: number) => Array.from({ length }, () => alphabet[random(3)]).join("");
    for (let round = 0; round < 500; round++) {
      const secrets = Array.from({ length: 1 + random(3) }, () => word(2 + random(4)));
      const input = Buffer.from(word(random(60)));
      const cuts = Array.from({ length: random(8) }, () => random(input.length + 1)).sort((a, b) => a - b);
      expect(streamed(secrets, input, cuts)).toBe(reference(secrets, input));
    }
  });
});

describe("redactText", () => {
  test("redacts a whole string", () => {
    expect(redactText("Bearer tok-123456 refused", ["tok-123456"])).toBe("Bearer [redacted] refused");
    expect(redactText("nothing here", [])).toBe("nothing here");
  });
});
