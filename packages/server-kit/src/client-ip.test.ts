import { describe, expect, test } from "bun:test";
import { createAddressMatcher, resolveClientIp } from "./client-ip.ts";

const trusted = createAddressMatcher(["127.0.0.1", "10.0.0.0/8", "::1"]);
const headers = (forwarded?: string) => new Headers(forwarded ? { "x-forwarded-for": forwarded } : {});

describe("resolveClientIp", () => {
  test("an untrusted peer is the client, whatever it forwards", () => {
    expect(resolveClientIp(headers("1.2.3.4"), "203.0.113.9", trusted)).toBe("203.0.113.9");
  });

  test("behind a trusted gateway the forwarded address is the client", () => {
    expect(resolveClientIp(headers("198.51.100.7"), "127.0.0.1", trusted)).toBe("198.51.100.7");
  });

  test("a client-supplied hop before the gateway's is ignored: the rightmost untrusted hop wins", () => {
    expect(resolveClientIp(headers("6.6.6.6, 198.51.100.7, 10.1.2.3"), "127.0.0.1", trusted)).toBe(
      "198.51.100.7",
    );
  });

  test("garbage in the header falls back to the peer", () => {
    expect(resolveClientIp(headers("not-an-ip"), "127.0.0.1", trusted)).toBe("127.0.0.1");
  });

  test("no peer (in-process requests) means no address", () => {
    expect(resolveClientIp(headers("198.51.100.7"), null, trusted)).toBeNull();
  });

  test("IPv6 peers and CIDR ranges", () => {
    expect(resolveClientIp(headers("2001:db8::1"), "::1", trusted)).toBe("2001:db8::1");
    expect(trusted("10.200.3.4")).toBe(true);
    expect(trusted("11.0.0.1")).toBe(false);
  });
});
