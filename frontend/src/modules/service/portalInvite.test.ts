import { describe, expect, it } from 'vitest';
import { invitationState, invitationUrl } from './portalInvite';

describe('invitation link', () => {
  it("puts the server's path under this CRM's address", () => {
    const inv = { invitation_path: '/portal/accept?token=AbC-123_x', invitation_token: 'AbC-123_x' };
    expect(invitationUrl(inv, 'https://crm.example.com')).toBe('https://crm.example.com/portal/accept?token=AbC-123_x');
    // no doubled slash, whatever the origin looks like
    expect(invitationUrl(inv, 'https://crm.example.com/')).toBe('https://crm.example.com/portal/accept?token=AbC-123_x');
    expect(invitationUrl({ invitation_path: 'portal/accept?token=t' }, 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/portal/accept?token=t');
  });

  it('keeps an absolute link as given and builds one from the token when there is no path', () => {
    expect(invitationUrl({ invitation_path: 'https://portal.example.com/portal/accept?token=t' }, 'https://crm.example.com')).toBe(
      'https://portal.example.com/portal/accept?token=t',
    );
    expect(invitationUrl({ invitation_path: null, invitation_token: 'a+b/c=' }, 'https://crm.example.com')).toBe(
      'https://crm.example.com/portal/accept?token=a%2Bb%2Fc%3D',
    );
  });

  it('uses the page origin by default', () => {
    expect(invitationUrl({ invitation_path: '/portal/accept?token=t' })).toBe(`${location.origin}/portal/accept?token=t`);
  });
});

describe('invitation state', () => {
  const now = Date.parse('2026-11-23T08:00:00Z');
  it('is activated, pending until its expiry, expired, or none', () => {
    expect(invitationState({ activated: true, invitation_expires_at: null }, now)).toBe('activated');
    expect(invitationState({ activated: false, invitation_expires_at: '2026-11-30T08:00:00Z' }, now)).toBe('pending');
    expect(invitationState({ activated: false, invitation_expires_at: '2026-11-22T08:00:00Z' }, now)).toBe('expired');
    expect(invitationState({ activated: false, invitation_expires_at: null }, now)).toBe('none');
  });
});
