import { describe, expect, test } from "bun:test";
import {
  collapseCidrs,
  countHostAddresses,
  findUncovered,
  hostAddresses,
  isLoopbackAddress,
  normalizeCidr,
  parseCidr,
  specialUseReason,
} from "./cidr.ts";
import { planScan, ScanRefusedError } from "./plan.ts";

const texts = (cidrs: { text: string }[]) => cidrs.map((cidr) => cidr.text);

describe("parseCidr", () => {
  test.each([
    ["10.0.0.0/24", "10.0.0.0/24"],
    ["10.0.0.7/24", "10.0.0.0/24"],
    [" 192.168.1.9 ", "192.168.1.9/32"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["FD00:0:0:0::1/64", "fd00::/64"],
    ["2001:db8::1", "2001:db8::1/128"],
    ["::1", "::1/128"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeCidr(input)).toBe(expected);
  });

  test.each([
    ["10.0.0.0/33", "prefix length"],
    ["10.0.0/24", "IPv4"],
    ["10.1", "IPv4"],
    ["0x0a.0.0.1", "IPv4"],
    ["10.0.0.0/x", "prefix length"],
    ["10.0.0.0/-1", "prefix length"],
    ["fe80::1%eth0", "zone"],
    ["::ffff:10.0.0.1/128", "IPv4-mapped"],
    ["fd00::/129", "prefix length"],
    ["example.com", "IPv4"],
    ["", "IPv4"],
  ])("refuses %s", (input, reason) => {
    expect(() => parseCidr(input)).toThrow(reason);
  });
});

describe("addresses", () => {
  test("IPv4 blocks skip network and broadcast, /31 and /32 do not", () => {
    expect([...hostAddresses(parseCidr("127.1.2.0/29"))]).toEqual([
      "127.1.2.1",
      "127.1.2.2",
      "127.1.2.3",
      "127.1.2.4",
      "127.1.2.5",
      "127.1.2.6",
    ]);
    expect([...hostAddresses(parseCidr("127.1.2.0/31"))]).toEqual(["127.1.2.0", "127.1.2.1"]);
    expect([...hostAddresses(parseCidr("127.1.2.9"))]).toEqual(["127.1.2.9"]);
    expect(countHostAddresses(parseCidr("10.0.0.0/16"))).toBe(65_534n);
  });

  test("IPv6 blocks count every address", () => {
    expect([...hostAddresses(parseCidr("fd00::/126"))]).toEqual(["fd00::", "fd00::1", "fd00::2", "fd00::3"]);
    expect(countHostAddresses(parseCidr("fd00::/64"))).toBe(2n ** 64n);
  });

  test("nested and duplicate blocks collapse, so no address is probed twice", () => {
    const collapsed = collapseCidrs(
      ["10.0.0.0/24", "10.0.0.128/25", "10.0.0.0/24", "10.0.1.5", "fd00::/64"].map(parseCidr),
    );
    expect(texts(collapsed)).toEqual(["10.0.0.0/24", "10.0.1.5/32", "fd00::/64"]);
  });

  test("coverage is by the union of allowed blocks, per family", () => {
    const allowed = ["10.0.0.0/25", "10.0.0.128/25", "fd00::/64"].map(parseCidr);
    expect(texts(findUncovered(["10.0.0.0/24", "10.0.0.7", "fd00::5"].map(parseCidr), allowed))).toEqual([]);
    expect(texts(findUncovered(["10.0.0.0/23", "10.0.1.1", "fd01::/64"].map(parseCidr), allowed))).toEqual([
      "10.0.0.0/23",
      "10.0.1.1/32",
      "fd01::/64",
    ]);
  });

  test("special-use blocks and loopback", () => {
    expect(specialUseReason(parseCidr("0.0.0.0/24"))).toContain("0.0.0.0/8");
    expect(specialUseReason(parseCidr("239.255.255.250"))).toContain("multicast");
    expect(specialUseReason(parseCidr("ff02::1"))).toContain("multicast");
    expect(specialUseReason(parseCidr("127.0.0.0/24"))).toBeNull();
    expect(isLoopbackAddress("127.9.9.9")).toBe(true);
    expect(isLoopbackAddress("::1")).toBe(true);
    expect(isLoopbackAddress("10.254.254.2")).toBe(false);
  });
});

describe("planScan", () => {
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ScanRefusedError) return error;
      throw error;
    }
    throw new Error("expected a refusal");
  };

  test("ranges inside the allowed ones are planned, collapsed and counted", () => {
    const plan = planScan({ cidrs: ["127.1.2.0/29", "127.1.2.3"], allowedCidrs: ["127.1.2.0/24"] });
    expect(texts(plan.ranges)).toEqual(["127.1.2.0/29"]);
    expect(plan.addressCount).toBe(6);
  });

  test("a range outside the allowed ones is refused, naming it and its position", () => {
    const error = refusal(() =>
      planScan({ cidrs: ["127.1.2.0/29", "127.1.3.0/24"], allowedCidrs: ["127.1.2.0/24"] }),
    );
    expect(error).toMatchObject({ reason: "not_allowed", range: "127.1.3.0/24", index: 1 });
    expect(error.message).toBe("127.1.3.0/24 is not inside an allowed range");
    expect(refusal(() => planScan({ cidrs: ["127.0.0.1"], allowedCidrs: [] })).message).toContain(
      "no range is allowed yet",
    );
  });

  test("a range wider than the allowed one is refused even though it overlaps", () => {
    expect(refusal(() => planScan({ cidrs: ["127.1.0.0/16"], allowedCidrs: ["127.1.2.0/24"] })).reason).toBe(
      "not_allowed",
    );
  });

  test("too many addresses, invalid text and special-use blocks are refused", () => {
    expect(
      refusal(() => planScan({ cidrs: ["10.0.0.0/15"], allowedCidrs: ["10.0.0.0/8"], maxAddresses: 65_536 })),
    ).toMatchObject({ reason: "too_large", index: null });
    expect(refusal(() => planScan({ cidrs: ["nope"], allowedCidrs: ["0.0.0.0/0"] }))).toMatchObject({
      reason: "invalid",
      index: 0,
    });
    expect(refusal(() => planScan({ cidrs: ["0.0.0.0/30"], allowedCidrs: ["0.0.0.0/0"] }))).toMatchObject({
      reason: "special_use",
    });
  });
});
