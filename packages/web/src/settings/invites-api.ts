import type { CreateInviteBody, Invite, InviteList, InviteSummary } from '@parley/protocol';
import type { Parley } from '@parley/sdk';

/** Invite codes and links (`/invites`, owners and admins): what the Invitations section calls. */
export class InvitesApi {
  constructor(private readonly client: () => Parley) {}

  create(body: CreateInviteBody): Promise<Invite> {
    return this.client().rest.request<Invite>('POST', '/invites', body);
  }

  list(): Promise<InviteSummary[]> {
    return this.client()
      .rest.request<InviteList>('GET', '/invites')
      .then((r) => r.invites);
  }

  /** By its id (as listed) or its code. */
  revoke(idOrCode: string): Promise<void> {
    return this.client().rest.request<void>('DELETE', `/invites/${encodeURIComponent(idOrCode)}`);
  }
}
