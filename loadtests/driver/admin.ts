/** The password of the administrator every suite creates through the setup token. */
export const PASSWORD = "benchmark admin password";

/** Creates the first administrator with the deployment's setup token and signs in; returns the bearer token. */
export async function createAdmin(url: string, setupToken: string): Promise<string> {
  const setup = await fetch(`${url}/api/v1/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token: setupToken,
      email: "bench@example.com",
      name: "Bench",
      password: PASSWORD,
    }),
  });
  if (!setup.ok) throw new Error(`setup failed: ${setup.status}`);
  const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email: "bench@example.com", password: PASSWORD }),
  });
  const token = signIn.headers.get("set-auth-token");
  if (!token) throw new Error(`sign-in failed: ${signIn.status}`);
  return token;
}
