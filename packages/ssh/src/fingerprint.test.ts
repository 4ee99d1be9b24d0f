import { describe, expect, test } from "bun:test";
import { describeHostKey, fingerprintSha256, keyTypeOf } from "./fingerprint.ts";

// Generated with ssh-keygen; the expected fingerprints are what `ssh-keygen -l` printed for them.
const ED25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIMs9rpY6aMJ8DUI0XasMtEtdwX0e3g0HP1OBKLzLSA/j";
const ECDSA =
  "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJEMMohAH4iMon1LvQPgyuV7sZ6vvOkaq+etTd6O1DhlGgWNEzbEmsa6hc3BTcMKrZXcOgT2Hz9clOl6dZ3HjGU=";

describe("fingerprintSha256", () => {
  test("matches ssh-keygen -l (base64 without padding)", () => {
    expect(fingerprintSha256(Buffer.from(ED25519, "base64"))).toBe(
      "SHA256:O463pnRyHPLSfDnRgJ7yRdNsDTAX7aZJ5DmYjQAolJU",
    );
    expect(fingerprintSha256(Buffer.from(ECDSA, "base64"))).toBe(
      "SHA256:FpwE0G7nU0jqyGEKyEMQi8KgsqSbi4vP0/qctYkF9ZE",
    );
  });
});

describe("describeHostKey", () => {
  test("reads the key type from the blob and keeps the base64", () => {
    expect(describeHostKey(Buffer.from(ECDSA, "base64"))).toEqual({
      algorithm: "ecdsa-sha2-nistp256",
      fingerprintSha256: "SHA256:FpwE0G7nU0jqyGEKyEMQi8KgsqSbi4vP0/qctYkF9ZE",
      publicKeyBase64: ECDSA,
    });
  });

  test("rejects malformed blobs", () => {
    expect(() => keyTypeOf(Buffer.from([0, 0]))).toThrow("too short");
    expect(() => keyTypeOf(Buffer.from([0, 0, 0, 9, 65]))).toThrow("malformed");
  });
});
