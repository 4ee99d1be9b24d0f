import { describe, expect, test } from "bun:test";
import { parseVaultKeys, seal } from "@opsc/vault";
import { CredentialUnavailableError, openCredential, secretValues } from "./credentials.ts";

const vault = parseVaultKeys(`k1:${Buffer.alloc(32, 5).toString("base64")}`);
const sealedFor = (id: string, plaintext: string, owner = id) => ({
  id,
  sealed: seal(vault, plaintext, owner),
});

describe("openCredential", () => {
  test("opens a secret sealed for its credential id", () => {
    const secret = { kind: "ssh_password" as const, username: "deploy", password: "pw-123456" };
    expect(openCredential(vault, sealedFor("c1", JSON.stringify(secret)))).toEqual(secret);
  });

  test("refuses a moved, malformed or mis-shaped secret without quoting it", () => {
    const cases = [
      sealedFor("c2", JSON.stringify({ kind: "http_bearer", token: "moved-secret-1" }), "other"),
      sealedFor("c2", "plain-secret-text"),
      sealedFor("c2", JSON.stringify({ kind: "http_bearer", tokn: "typo-secret-22" })),
    ];
    const messages = cases.map((credential) => {
      try {
        openCredential(vault, credential);
        return "opened";
      } catch (error) {
        expect(error).toBeInstanceOf(CredentialUnavailableError);
        return (error as Error).message;
      }
    });
    expect(messages[0]).toContain("does not open");
    expect(messages[1]).toContain("not valid JSON");
    expect(messages[2]).toContain("does not match its kind");
    for (const message of messages)
      expect(message).not.toMatch(/moved-secret-1|plain-secret-text|typo-secret-22/);
  });
});

describe("secretValues", () => {
  test("lists every secret string of each kind, leaving out values too short to scrub", () => {
    expect(secretValues(null)).toEqual([]);
    expect(
      secretValues({
        kind: "ssh_key",
        username: "u",
        privateKey: "-----BEGIN PRIVATE KEY-----x",
        passphrase: "phrase-1",
      }),
    ).toEqual(["-----BEGIN PRIVATE KEY-----x", "phrase-1"]);
    expect(secretValues({ kind: "sudo_password", password: "pw-sudo" })).toEqual(["pw-sudo"]);
    expect(secretValues({ kind: "http_basic", username: "u", password: "abc" })).toEqual([]);
    expect(secretValues({ kind: "http_bearer", token: "tok-1234" })).toEqual(["tok-1234"]);
    expect(secretValues({ kind: "http_header", headerName: "X-Key", value: "val-5678" })).toEqual([
      "val-5678",
    ]);
  });
});
