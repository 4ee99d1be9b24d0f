import { describe, expect, test } from "bun:test";
import type { THost, TOpenPort } from "@opsc/contracts/discovery/results";
import { describeChanges, suggestName, suggestTarget } from "./suggestions.ts";

const port = (overrides: Partial<TOpenPort> & { port: number }): TOpenPort => ({
  service: null,
  banner: null,
  http: null,
  latencyMs: 1,
  ...overrides,
});
const host = (ports: TOpenPort[], extra: Partial<THost> = {}): THost => ({
  address: "10.0.0.7",
  hostname: null,
  osHint: null,
  ports,
  ...extra,
});

describe("import suggestions", () => {
  test("port 22 open makes an ssh target, tagged with the OS its banner names", () => {
    const suggestion = suggestTarget(
      host(
        [
          port({ port: 22, service: "ssh", banner: "SSH-2.0-OpenSSH_9.2p1 Debian-2" }),
          port({ port: 80, service: "http" }),
        ],
        {
          osHint: "debian",
          hostname: "Web-01.Example.COM.",
        },
      ),
      "lab",
    );
    expect(suggestion).toMatchObject({
      name: "web-01.example.com",
      kind: "ssh",
      port: 22,
      http: null,
      tags: { discovered: "yes", service: "ssh", os: "debian" },
    });
  });

  test("without SSH: an http target on the port that answered HTTPS or HTTP", () => {
    expect(
      suggestTarget(
        host([port({ port: 8080, service: "http" }), port({ port: 8443, service: "https" })]),
        "lab",
      ),
    ).toMatchObject({
      kind: "http",
      port: 8443,
      http: { scheme: "https", path: "/" },
      tags: { service: "http" },
    });
    expect(suggestTarget(host([port({ port: 5432 })]), "lab")).toMatchObject({
      name: "host-10-0-0-7",
      kind: "http",
      port: 5432,
      http: { scheme: "http", path: "/" },
    });
  });

  test("names are valid target names for every address form", () => {
    expect(suggestName({ address: "fd00::1", hostname: null })).toBe("host-fd00-1");
    expect(suggestName({ address: "::1", hostname: null })).toBe("host-1");
    expect(suggestName({ address: "10.0.0.1", hostname: "_weird name!" })).toBe("weird-name");
  });

  test("changes between two sightings", () => {
    const before = host([
      port({ port: 22, service: "ssh", banner: "SSH-2.0-OpenSSH_9.2" }),
      port({ port: 80, service: "http", http: { status: 200, server: "nginx", title: "A", tls: false } }),
    ]);
    const after = host(
      [
        port({ port: 22, service: "ssh", banner: "SSH-2.0-OpenSSH_9.6" }),
        port({ port: 443, service: "https", http: { status: 200, server: null, title: null, tls: true } }),
      ],
      { hostname: "new.example" },
    );
    expect(describeChanges(before, after)).toEqual([
      "port 22 banner: SSH-2.0-OpenSSH_9.2 → SSH-2.0-OpenSSH_9.6",
      "port 443 opened",
      "port 80 closed",
      "name: none → new.example",
    ]);
    expect(describeChanges(before, before)).toEqual([]);
  });
});
