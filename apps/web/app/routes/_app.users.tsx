import { AdminRequired } from "../components/users/admin-required.tsx";
import { UsersPage } from "../components/users/users-page.tsx";
import { loadUsersPage, runUsersAction } from "../lib/users.client.ts";
import type { Route } from "./+types/_app.users";

export const meta: Route.MetaFunction = () => [{ title: "Users · OpsConductor" }];

export async function clientLoader({ request }: Route.ClientLoaderArgs) {
  return loadUsersPage(request);
}

export async function clientAction({ request }: Route.ClientActionArgs) {
  return runUsersAction(await request.formData());
}

export default function Users({ loaderData }: Route.ComponentProps) {
  return loaderData.kind === "forbidden" ? <AdminRequired /> : <UsersPage page={loaderData} />;
}
