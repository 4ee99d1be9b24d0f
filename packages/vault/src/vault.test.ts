import { describe, expect, test } from "bun:test";
import {
  generateVaultKey,
  open,
  parseVaultKeys,
  reseal,
  seal,
  sealedKeyId,
  secretFingerprint,
  VaultError,
} from "./index.ts";

const k1 = generateVaultKey("k1");
const k2 = generateVaultKey("k2");

describe("vault", () => {
  test("seal and open; the ciphertext reveals nothing of the plaintext and differs every time", () => {
    const keys = parseVaultKeys(k1);
    const a = seal(keys, "hunter2-secret", "cred-1");
    const b = seal(keys, "hunter2-secret", "cred-1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("hunter2");
    expect(open(keys, a, "cred-1")).toBe("hunter2-secret");
  });

  test("a ciphertext moved to another owner, or tampered with, does not open", () => {
    const keys = parseVaultKeys(k1);
    const sealed = seal(keys, "secret", "cred-1");
    expect(() => open(keys, sealed, "cred-2")).toThrow(VaultError);
    const parts = sealed.split(".");
    parts[4] = Buffer.from("tampered").toString("base64url");
    expect(() => open(keys, parts.join("."), "cred-1")).toThrow(VaultError);
  });

  test("rotation: the new key seals, old secrets still open, reseal moves them to the new key", () => {
    const old = seal(parseVaultKeys(k1), "secret", "cred-1");
    const rotated = parseVaultKeys(`${k2},${k1}`);
    expect(open(rotated, old, "cred-1")).toBe("secret");
    const moved = reseal(rotated, old, "cred-1")!;
    expect(sealedKeyId(moved)).toBe("k2");
    expect(reseal(rotated, moved, "cred-1")).toBeNull();
    expect(() => open(parseVaultKeys(k1), moved, "cred-1")).toThrow("not in VAULT_KEYS");
  });

  test("bad VAULT_KEYS are refused with a reason", () => {
    expect(() => parseVaultKeys("")).toThrow("empty");
    expect(() => parseVaultKeys("k1:c2hvcnQ=")).toThrow("32 bytes");
    expect(() => parseVaultKeys(`${k1},${k1}`)).toThrow("twice");
    expect(() => parseVaultKeys("nokey")).toThrow("id:base64key");
  });

  test("fingerprints are stable per salt and differ across salts", () => {
    expect(secretFingerprint("pw", "a")).toBe(secretFingerprint("pw", "a"));
    expect(secretFingerprint("pw", "a")).not.toBe(secretFingerprint("pw", "b"));
    expect(secretFingerprint("pw", "a")).not.toContain("pw");
  });
});
