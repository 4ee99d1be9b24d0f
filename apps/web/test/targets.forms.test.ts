// The form → API request mapping of the target and credential forms. Pure functions living in the .client
// modules next to the calls they feed; nothing here reaches the network.
import { describe, expect, test } from "bun:test";
import { secretFromForm } from "../app/lib/credentials.client.ts";
import { targetInputFromForm } from "../app/lib/targets.client.ts";

function form(entries: [string, string][]): FormData {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
}

describe("target form", () => {
  test("an SSH target with tags and credentials", () => {
    const parsed = targetInputFromForm(
      form([
        ["name", " web-1 "],
        ["address", "10.0.0.1"],
        ["port", ""],
        ["kind", "ssh"],
        ["credentialId", "c-login"],
        ["sudoCredentialId", "c-sudo"],
        ["tagKey", "env"],
        ["tagValue", "prod"],
        ["tagKey", ""],
        ["tagValue", ""],
        ["description", "front"],
        ["enabled", "on"],
        ["healthIntervalSeconds", "30"],
        // Left over from the HTTP half of the form: ignored for SSH.
        ["http.path", "/x"],
      ]),
    );
    expect(parsed).toEqual({
      ok: true,
      input: {
        name: "web-1",
        address: "10.0.0.1",
        kind: "ssh",
        tags: { env: "prod" },
        description: "front",
        enabled: true,
        maintenance: false,
        credentialId: "c-login",
        sudoCredentialId: "c-sudo",
        http: null,
        healthIntervalSeconds: 30,
      },
    });
  });

  test("an HTTP target has HTTP settings and no sudo slot", () => {
    const parsed = targetInputFromForm(
      form([
        ["name", "api"],
        ["address", "api.example.com"],
        ["port", "8443"],
        ["kind", "http"],
        ["credentialId", ""],
        ["sudoCredentialId", "c-sudo"],
        ["http.scheme", "https"],
        ["http.path", ""],
        ["http.expectStatus", "204"],
        ["http.insecureTls", "on"],
        ["maintenance", "on"],
      ]),
    );
    expect(parsed.ok && parsed.input).toMatchObject({
      port: 8443,
      credentialId: null,
      sudoCredentialId: null,
      enabled: false,
      maintenance: true,
      http: { scheme: "https", path: "/", expectStatus: 204, insecureTls: true },
      healthIntervalSeconds: null,
    });
  });

  test("numbers that are not whole numbers and broken tag rows are field errors", () => {
    expect(
      targetInputFromForm(
        form([
          ["kind", "http"],
          ["port", "80a"],
          ["http.expectStatus", "2.5"],
          ["tagKey", ""],
          ["tagValue", "orphan"],
        ]),
      ),
    ).toEqual({
      ok: false,
      fieldErrors: {
        port: "Enter a whole number",
        "http.expectStatus": "Enter a whole number",
        tags: "The value “orphan” has no key",
      },
    });
  });
});

describe("credential form", () => {
  test("an SSH key keeps the key untrimmed and drops an empty passphrase", () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
    expect(
      secretFromForm(
        form([
          ["secret.username", " deploy "],
          ["secret.privateKey", key],
          ["secret.passphrase", ""],
        ]),
        "ssh_key",
      ),
    ).toEqual({ kind: "ssh_key", username: "deploy", privateKey: key });
  });

  test("a password keeps its spaces; only the kind's own fields are read", () => {
    expect(
      secretFromForm(
        form([
          ["secret.password", " pass phrase "],
          ["secret.username", "ignored"],
        ]),
        "sudo_password",
      ),
    ).toEqual({ kind: "sudo_password", password: " pass phrase " });
    expect(
      secretFromForm(
        form([
          ["secret.headerName", "X-Api-Key"],
          ["secret.value", "v"],
        ]),
        "http_header",
      ),
    ).toEqual({ kind: "http_header", headerName: "X-Api-Key", value: "v" });
  });
});
