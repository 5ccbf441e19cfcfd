// Who acts in an organization and with which role: what every service checks before it writes.
import type { Role } from '../../generated/prisma/enums';

export interface Actor {
  readonly orgId: string;
  readonly userId: string;
  readonly role: Role;
}
