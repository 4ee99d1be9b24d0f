import type { TUser } from "@opsc/contracts/users/accounts";
import { useState } from "react";
import { useProfile } from "../../lib/app-data.ts";
import type { UsersPage as UsersPageData } from "../../lib/users.presenter.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Button } from "../ui/button.tsx";
import { CreateUserDialog } from "./create-user-dialog.tsx";
import { Pagination } from "./pagination.tsx";
import { UserActionDialog, type UserDialogKind } from "./user-action-dialog.tsx";
import { UsersFilters } from "./users-filters.tsx";
import { UsersTable } from "./users-table.tsx";

export function UsersPage({ page }: { page: UsersPageData }) {
  const { user: currentUser } = useProfile();
  const [isCreating, setIsCreating] = useState(false);
  // One dialog for the whole table (rather than one per row), opened for the row whose button was pressed.
  const [dialog, setDialog] = useState<{ kind: UserDialogKind; user: TUser } | null>(null);
  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone who can sign in to OpsConductor, and what they may do."
        actions={<Button onClick={() => setIsCreating(true)}>Create user</Button>}
      />
      <UsersFilters query={page.query} />
      <UsersTable
        users={page.users}
        currentUserId={currentUser.id}
        onAction={(kind, user) => setDialog({ kind, user })}
      />
      <Pagination page={page} />
      <CreateUserDialog open={isCreating} onClose={() => setIsCreating(false)} />
      <UserActionDialog dialog={dialog} onClose={() => setDialog(null)} />
    </>
  );
}
