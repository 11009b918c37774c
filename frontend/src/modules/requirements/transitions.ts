import type { Requirement, RequirementStatus } from '../../api/types';

/**
 * The moves the process allows (the server's `can_move_to`): collected → analyzing → planned → in_progress →
 * delivered → evaluated, rejected from the open ones, steps back, and a rejected one collected again.
 * `duplicate` comes only from a merge; `evaluated` normally comes from the last requester's feedback.
 */
export const REQUIREMENT_MOVES: Record<RequirementStatus, RequirementStatus[]> = {
  collected: ['analyzing', 'rejected'],
  analyzing: ['planned', 'collected', 'rejected'],
  planned: ['in_progress', 'analyzing', 'rejected'],
  in_progress: ['delivered', 'planned'],
  delivered: ['evaluated', 'in_progress'],
  evaluated: [],
  rejected: ['collected'],
  duplicate: [],
};

/** What a button's label says for a move (i18n `requirement.action.*`). */
export const MOVE_ACTIONS = ['analyze', 'plan', 'start', 'deliver', 'evaluate', 'reject', 'recollect', 'back'] as const;
export type MoveAction = (typeof MOVE_ACTIONS)[number];

const FORWARD: Partial<Record<RequirementStatus, MoveAction>> = {
  analyzing: 'analyze', planned: 'plan', in_progress: 'start', delivered: 'deliver', evaluated: 'evaluate', rejected: 'reject',
};
const ORDER: RequirementStatus[] = ['collected', 'analyzing', 'planned', 'in_progress', 'delivered', 'evaluated'];

export interface RequirementMove {
  to: RequirementStatus;
  action: MoveAction;
}

export function canMove(from: RequirementStatus, to: RequirementStatus): boolean {
  return REQUIREMENT_MOVES[from].includes(to);
}

/** The moves offered from a status, forward ones first. */
export function allowedMoves(from: RequirementStatus): RequirementMove[] {
  return REQUIREMENT_MOVES[from].map((to) => {
    if (from === 'rejected') return { to, action: 'recollect' as const };
    const back = ORDER.indexOf(to) >= 0 && ORDER.indexOf(to) < ORDER.indexOf(from);
    return { to, action: back ? ('back' as const) : (FORWARD[to] ?? 'back') };
  });
}

/** What the status prompt must ask before a move. */
export interface MovePrompt {
  /** Rejecting needs a reason. */
  reason: 'required' | 'optional' | 'none';
  /** Planning needs an owner and a target date; asked for when the requirement lacks them. */
  owner: boolean;
  targetDate: boolean;
}

export function promptFor(r: Pick<Requirement, 'owner_id' | 'target_date'>, to: RequirementStatus): MovePrompt {
  const planning = to === 'planned';
  return {
    reason: to === 'rejected' ? 'required' : 'optional',
    owner: planning && !r.owner_id,
    targetDate: planning && !r.target_date,
  };
}

/** Whether a move can go straight through without a dialog (nothing required to ask). */
export function needsDialog(r: Pick<Requirement, 'owner_id' | 'target_date'>, to: RequirementStatus): boolean {
  const p = promptFor(r, to);
  return p.reason === 'required' || p.owner || p.targetDate;
}
