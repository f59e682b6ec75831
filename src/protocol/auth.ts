// Account resources of the auth endpoints (DESIGN §4). Pure types, shared with web/.

export type UserRole = "admin" | "viewer";

export interface User {
  id: string;
  username: string;
  role: UserRole;
  createdAt: string;
}

/** Answer of POST /auth/login and POST /auth/setup (the token is also set as the od_token cookie). */
export interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}
