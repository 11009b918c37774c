/**
 * The absolute invitation link a colleague sends to the contact: this CRM's own address (the portal is
 * served beside the staff app) plus the server's `invitation_path` (`/portal/accept?token=…`).
 */
export function invitationUrl(invitation: { invitation_path?: string | null; invitation_token?: string | null }, origin = location.origin): string {
  const base = origin.replace(/\/+$/, '');
  const path = invitation.invitation_path?.trim();
  if (path) {
    // an absolute URL is taken as the server gave it; a relative one is put under this origin
    if (/^https?:\/\//i.test(path)) return path;
    return `${base}${path.startsWith('/') ? '' : '/'}${path}`;
  }
  return `${base}/portal/accept?token=${encodeURIComponent(invitation.invitation_token ?? '')}`;
}

export type InvitationState = 'activated' | 'pending' | 'expired' | 'none';

/** Where an account's invitation stands: accepted, waiting (until when), run out, or never sent / voided. */
export function invitationState(a: { activated: boolean; invitation_expires_at?: string | null }, now = Date.now()): InvitationState {
  if (a.activated) return 'activated';
  if (!a.invitation_expires_at) return 'none';
  return Date.parse(a.invitation_expires_at) > now ? 'pending' : 'expired';
}
