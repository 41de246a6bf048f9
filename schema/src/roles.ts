/** Workspace roles, weakest first. */
export const ROLES = ['viewer', 'editor', 'approver', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is `min` or stronger. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/** What a connection may do with a document. */
export const ACCESS = ['none', 'read', 'write'] as const;
export type Access = (typeof ACCESS)[number];
