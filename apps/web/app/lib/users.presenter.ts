import type { TRole } from "@opsc/contracts";
import type { TListUsersRequest, TListUsersResponse } from "@opsc/contracts/users/accounts";
import { isRole } from "./roles.ts";

export const USERS_PAGE_SIZE = 20;

/** The /users list state, as kept in the URL (`?q=ana&role=admin&page=2`) so it survives reloads and links. */
export interface UsersQuery {
  search: string;
  role: TRole | null;
  page: number;
}

export function parseUsersQuery(params: URLSearchParams): UsersQuery {
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  const role = params.get("role") ?? "";
  return {
    search: (params.get("q") ?? "").trim().slice(0, 100),
    role: isRole(role) ? role : null,
    page: Number.isFinite(page) && page >= 1 ? page : 1,
  };
}

/** Writes the query back, dropping defaults so URLs stay short. */
export function toUsersSearchParams(query: UsersQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.search) params.set("q", query.search);
  if (query.role) params.set("role", query.role);
  if (query.page > 1) params.set("page", String(query.page));
  return params;
}

export function toListUsersRequest(query: UsersQuery): TListUsersRequest {
  return {
    ...(query.search ? { search: query.search } : {}),
    ...(query.role ? { role: query.role } : {}),
    limit: USERS_PAGE_SIZE,
    offset: (query.page - 1) * USERS_PAGE_SIZE,
  };
}

export interface UsersPage {
  query: UsersQuery;
  users: TListUsersResponse["items"];
  total: number;
  /** 1-based index of the first row shown, 0 when the page is empty. */
  from: number;
  to: number;
  pageCount: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

/** The read model of the users table: rows plus the paging summary. */
export function presentUsersPage(query: UsersQuery, response: TListUsersResponse): UsersPage {
  const from = response.items.length ? (query.page - 1) * USERS_PAGE_SIZE + 1 : 0;
  const pageCount = Math.max(1, Math.ceil(response.total / USERS_PAGE_SIZE));
  return {
    query,
    users: response.items,
    total: response.total,
    from,
    to: from ? from + response.items.length - 1 : 0,
    pageCount,
    hasPrevious: query.page > 1,
    hasNext: query.page < pageCount,
  };
}
