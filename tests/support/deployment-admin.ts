import { createOpsClient, type OpsClient } from "@opsc/sdk";
import type { Deployment } from "@opsc/testing";

/** Creates the first administrator of a fresh deployment with its setup token, signs in, and returns a client. */
export async function deploymentAdmin(
  deployment: Deployment,
  password = "deployment admin password",
): Promise<OpsClient> {
  const url = deployment.url;
  const setup = await fetch(`${url}/api/v1/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: deployment.setupToken, email: "root@example.com", name: "Root", password }),
  });
  if (!setup.ok) throw new Error(`setup failed: ${setup.status}`);
  const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email: "root@example.com", password }),
  });
  const token = signIn.headers.get("set-auth-token");
  if (!token) throw new Error(`sign-in failed: ${signIn.status}`);
  return createOpsClient({ baseUrl: url, token });
}
