import { CredentialsPage } from "../components/credentials/credentials-page.tsx";
import { OperatorRequired } from "../components/credentials/operator-required.tsx";
import { loadCredentials, runCredentialsAction } from "../lib/credentials.client.ts";
import type { Route } from "./+types/_app.credentials";

export const meta: Route.MetaFunction = () => [{ title: "Credentials · OpsConductor" }];

export async function clientLoader() {
  return loadCredentials();
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return runCredentialsAction(await request.formData());
}

export default function Credentials({ loaderData }: Route.ComponentProps) {
  return loaderData.kind === "forbidden" ? (
    <OperatorRequired />
  ) : (
    <CredentialsPage credentials={loaderData.credentials} />
  );
}
