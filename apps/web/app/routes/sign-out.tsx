import { Form, redirect } from "react-router";
import { AuthCard } from "../components/auth/auth-card.tsx";
import { Button } from "../components/ui/button.tsx";
import { signOut } from "../lib/auth.client.ts";
import type { Route } from "./+types/sign-out";

export const meta: Route.MetaFunction = () => [{ title: "Sign out · OpsConductor" }];

export async function clientAction() {
  await signOut();
  return redirect("/sign-in?signed-out=1");
}

/** Reached by GET only when someone opens /sign-out directly: signing out needs a POST, so ask. */
export default function SignOut() {
  return (
    <AuthCard title="Sign out" description="End your session on this browser.">
      <Form method="post">
        <Button type="submit" className="w-full">
          Sign out
        </Button>
      </Form>
    </AuthCard>
  );
}
