import { describe, expect, it } from 'vitest';
import { REQUIREMENT_STATUSES } from '../../api/types';
import { allowedMoves, canMove, needsDialog, promptFor } from './transitions';

describe('requirement status moves', () => {
  it('follow the process and never reach duplicate by hand', () => {
    expect(allowedMoves('collected').map((m) => m.to)).toEqual(['analyzing', 'rejected']);
    expect(allowedMoves('in_progress').map((m) => [m.to, m.action])).toEqual([['delivered', 'deliver'], ['planned', 'back']]);
    expect(allowedMoves('rejected')).toEqual([{ to: 'collected', action: 'recollect' }]);
    expect(allowedMoves('evaluated')).toEqual([]);
    for (const s of REQUIREMENT_STATUSES) expect(canMove(s, 'duplicate')).toBe(false);
    expect(canMove('collected', 'planned')).toBe(false);
  });

  it('asks for a reason when rejecting, and for the owner and target date planning lacks', () => {
    const bare = { owner_id: null, target_date: null };
    expect(promptFor(bare, 'rejected')).toEqual({ reason: 'required', owner: false, targetDate: false });
    expect(promptFor(bare, 'planned')).toEqual({ reason: 'optional', owner: true, targetDate: true });
    expect(promptFor({ owner_id: 'u1', target_date: null }, 'planned')).toEqual({ reason: 'optional', owner: false, targetDate: true });
    expect(needsDialog({ owner_id: 'u1', target_date: '2026-06-30' }, 'planned')).toBe(false);
    expect(needsDialog(bare, 'analyzing')).toBe(false);
    expect(needsDialog(bare, 'rejected')).toBe(true);
  });
});
