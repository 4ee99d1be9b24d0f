import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHostnameResolver, parseHostsFile } from "./hostnames.ts";

const folder = mkdtempSync(join(tmpdir(), "opsc-hosts-"));
const hostsFile = join(folder, "hosts");
writeFileSync(
  hostsFile,
  "# test hosts\n127.1.2.1 web-a.test web-a\n127.1.2.1 shadowed.test\n::1 ip6-localhost\n10.254.254.2 ns-host # comment\n",
);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("host names", () => {
  test("a hosts file maps each address to its first name", () => {
    const names = parseHostsFile(
      "127.0.0.1 localhost\n0:0:0:0:0:0:0:1 ip6-localhost ip6-loopback\n#x 1.2.3.4 y\n",
    );
    expect([...names]).toEqual([
      ["127.0.0.1", "localhost"],
      ["::1", "ip6-localhost"],
    ]);
  });

  test("loopback addresses are named from the hosts file only, never looked up in DNS", async () => {
    const asked: string[] = [];
    const resolve = createHostnameResolver({
      reverseDns: true,
      hostsFile,
      timeoutMs: 500,
      lookup: async (address) => {
        asked.push(address);
        return ["from-dns.example"];
      },
    });
    expect(await resolve("127.1.2.1")).toBe("web-a.test");
    expect(await resolve("127.1.2.2")).toBeNull();
    expect(await resolve("::1")).toBe("ip6-localhost");
    expect(asked).toEqual([]);
  });

  test("other addresses: the hosts file first, then the (injected) PTR lookup, bounded by the timeout", async () => {
    const asked: string[] = [];
    const resolve = createHostnameResolver({
      reverseDns: true,
      hostsFile,
      timeoutMs: 100,
      lookup: async (address) => {
        asked.push(address);
        if (address === "10.254.254.6") return new Promise(() => undefined);
        return address === "10.254.254.5" ? ["five.example."] : [];
      },
    });
    expect(await resolve("10.254.254.2")).toBe("ns-host");
    expect(await resolve("10.254.254.5")).toBe("five.example");
    expect(await resolve("10.254.254.6")).toBeNull();
    expect(asked).toEqual(["10.254.254.5", "10.254.254.6"]);
  });

  test("reverseDns off: no names, nothing read or asked", async () => {
    let asked = false;
    const resolve = createHostnameResolver({
      reverseDns: false,
      hostsFile,
      timeoutMs: 100,
      lookup: async () => {
        asked = true;
        return [];
      },
    });
    expect(await resolve("127.1.2.1")).toBeNull();
    expect(await resolve("10.254.254.5")).toBeNull();
    expect(asked).toBe(false);
  });
});
