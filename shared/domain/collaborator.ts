import type { Permission } from './token';

/** A user invited to one repository with some permissions. */
export interface CollaboratorRecord {
  repo: string;
  user: string;
  permissions: Permission[];
  addedAt: string;
  addedBy: string;
}

/** A named principal that owns API tokens. */
export interface UserRecord {
  name: string;
  createdAt: string;
  createdBy: string;
}
