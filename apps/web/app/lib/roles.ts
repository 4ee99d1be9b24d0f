import type { TRole } from "@opsc/contracts";

// The order mirrors ROLES in @opsc/contracts. It is repeated here (types still come from the contract) because
// importing the contract's runtime values would pull zod into the browser bundle.
export const ROLES = ["viewer", "operator", "admin"] as const satisfies readonly TRole[];

export const ROLE_LABELS: Record<TRole, string> = { viewer: "Viewer", operator: "Operator", admin: "Admin" };

export function isRole(value: string): value is TRole {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `role` carries at least the rights of `required` (admin > operator > viewer). */
export function hasRole(role: TRole, required: TRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** The roles a user may hand out to their own API keys: never more than they hold. */
export function rolesUpTo(role: TRole): TRole[] {
  return ROLES.filter((candidate) => hasRole(role, candidate));
}
