import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from './en.json';
import zhCN from './zh-CN.json';
import { detectLanguage } from './index';
import { formatDate, formatMoney, formatNumber } from './format';
import { MODULES } from '../app/modules';
import {
  ACTIONS, CHANNELS, DIRECTIONS, GENDERS, GROUP_BYS, ID_TYPES, LIFECYCLE_STAGES, NOTIFICATION_KINDS, OPPORTUNITY_SOURCES, ORDER_STATUSES, PERIODS,
  RESOURCES, SCOPES, SIZE_BANDS,
  SOURCE_CHANNELS, STAGE_KINDS, TASK_PRIORITIES, TASK_STATUSES, TASK_VIEWS, TICKET_CHANNELS, TICKET_KINDS, TICKET_STATUSES, TICKET_VIEWS,
  TIMELINE_KINDS, VALUE_TIERS, AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, WEEKDAYS, ARTICLE_SORTS, ARTICLE_STATUSES, ARTICLE_VISIBILITIES, TICKET_PRIORITIES,
  CONSENT_PURPOSES, CUSTOM_ENTITIES, ERASURE_KINDS, FIELD_TYPES, PRIVACY_REQUEST_KINDS, PRIVACY_REQUEST_STATUSES,
} from '../api/types';
import { PRIVACY_TABS } from '../modules/privacy/Privacy';
import { COMMON_LOSS_REASONS } from '../modules/sales/LossReasonModal';
import { SORT_LABELS } from '../modules/sales/OpportunityList';
import { SALES_TABS } from '../modules/sales/Sales';
import { ORDER_ACTIONS } from '../modules/sales/useOrders';
import { STATUS_ACTIONS } from '../modules/service/transitions';
import { SERVICE_TABS } from '../modules/service/Service';
import { sortKey } from '../modules/service/KbList';
import { INDUSTRIES } from '../modules/customers/industries';

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const languages = { en: flatten(en as Tree), 'zh-CN': flatten(zhCN as Tree) };

/** Keys the code uses literally: t('a.b'), plus i18nKey="a.b". */
function usedKeys(): Set<string> {
  const keys = new Set<string>();
  const root = join(__dirname, '..');
  (function walk(dir: string) {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'generated' && name !== 'test') walk(p);
      } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) {
        const src = readFileSync(p, 'utf8');
        for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) keys.add(m[1]!);
      }
    }
  })(root);
  return keys;
}

/** Keys the code builds from enumerations, e.g. t(`stage.${s}`). */
function dynamicKeys(): string[] {
  return [
    ...MODULES.map((m) => `nav.${m.key}`),
    ...LIFECYCLE_STAGES.map((s) => `stage.${s}`),
    ...['company', 'individual'].map((k) => `kind.${k}`),
    ...SIZE_BANDS.map((s) => `sizeBand.${s}`),
    ...SOURCE_CHANNELS.map((s) => `source.${s}`),
    ...VALUE_TIERS.map((s) => `tier.${s}`),
    ...GENDERS.map((s) => `gender.${s}`),
    ...ID_TYPES.map((s) => `idType.${s}`),
    ...RESOURCES.map((s) => `resource.${s}`),
    ...ACTIONS.map((s) => `action.${s}`),
    ...SCOPES.map((s) => `scope.${s}`),
    ...['timeline', 'opportunities', 'orders', 'tickets', 'requirements', 'privacy'].map((s) => `customer.tabs.${s}`),
    ...CHANNELS.map((s) => `channel.${s}`),
    ...DIRECTIONS.map((s) => `direction.${s}`),
    ...TASK_PRIORITIES.map((s) => `priority.${s}`),
    ...TASK_STATUSES.map((s) => `taskStatus.${s}`),
    ...TASK_VIEWS.map((s) => `task.views.${s}`),
    ...TIMELINE_KINDS.map((s) => `timeline.kind.${s}`),
    ...['created', 'updated', 'deleted', 'restored'].map((s) => `timeline.contactAction.${s}`),
    ...NOTIFICATION_KINDS.map((s) => `notification.kind.${s}`),
    ...OPPORTUNITY_SOURCES.map((s) => `source.${s}`),
    ...STAGE_KINDS.map((s) => `stageKind.${s}`),
    ...COMMON_LOSS_REASONS.map((s) => `lossReason.${s}`),
    ...Object.values(SORT_LABELS).map((s) => `opportunity.sort.${s}`),
    ...SALES_TABS.map((s) => `sales.tabs.${s}`),
    ...ORDER_STATUSES.map((s) => `orderStatus.${s}`),
    ...ORDER_ACTIONS.flatMap((a) => [`order.action.${a}`, `order.done.${a}`]),
    ...['cancel', 'refund'].map((a) => `order.ask.${a}`),
    ...GROUP_BYS.map((g) => `report.group.${g}`),
    ...PERIODS.map((x) => `report.period.${x}`),
    ...TICKET_STATUSES.map((s) => `ticketStatus.${s}`),
    ...TICKET_KINDS.map((s) => `ticketKind.${s}`),
    ...TICKET_CHANNELS.map((s) => `ticketChannel.${s}`),
    ...TICKET_VIEWS.flatMap((v) => [`ticket.views.${v}`, `ticket.empty.${v}`]),
    ...STATUS_ACTIONS.map((a) => `ticket.action.${a}`),
    ...['first_response', 'resolution'].map((c) => `sla.clock.${c}`),
    ...WEEKDAYS.map((d) => `weekday.${d}`),
    ...SERVICE_TABS.map((k) => `service.tabs.${k}`),
    ...ARTICLE_STATUSES.map((s) => `kb.status.${s}`),
    ...ARTICLE_VISIBILITIES.map((v) => `kb.visibility.${v}`),
    ...ARTICLE_SORTS.map((s) => `kb.sort.${sortKey(s)}`),
    ...['title', 'category_id', 'visibility', 'status', 'tags'].map((f) => `kb.field.${f}`),
    ...['activated', 'pending', 'expired', 'none'].map((s) => `portalAccount.state.${s}`),
    ...TICKET_STATUSES.map((s) => `portal.status.${s}`),
    ...TICKET_KINDS.map((k) => `portal.kind.${k}`),
    ...TICKET_PRIORITIES.map((p) => `portal.priority.${p}`),
    ...['answerBy', 'answerLate', 'solveBy', 'solveLate', 'waitingForYou', 'solvedOn', 'closedOn'].map((k) => `portal.progress.${k}`),
    ...['open', 'done', 'all'].flatMap((v) => [`portal.tickets.views.${v}`, `portal.tickets.empty.${v}`]),
    ...[1, 2, 3, 4, 5].map((n) => `portal.rating.stars.${n}`),
    ...INDUSTRIES.map((i) => `industry.${i.key}`),
    ...AUDIT_ACTIONS.map((a) => `audit.action.${a}`),
    ...AUDIT_ENTITY_TYPES.map((e) => `audit.entity.${e}`),
    ...PRIVACY_TABS.map((k) => `privacy.tabs.${k}`),
    ...['customer', 'contact'].map((s) => `privacy.subject.${s}`),
    ...CONSENT_PURPOSES.map((p) => `privacy.purpose.${p}`),
    ...['given', 'withdrawn'].map((s) => `privacy.consentStatus.${s}`),
    ...PRIVACY_REQUEST_KINDS.map((k) => `privacy.kind.${k}`),
    ...PRIVACY_REQUEST_STATUSES.map((s) => `privacy.status.${s}`),
    ...ERASURE_KINDS.map((k) => `privacy.erase.kind.${k}`),
    ...CUSTOM_ENTITIES.map((e) => `customField.entity.${e}`),
    ...FIELD_TYPES.map((x) => `customField.type.${x}`),
  ];
}

describe('translations', () => {
  it('have the same keys in zh-CN and en', () => {
    const enKeys = [...languages.en.keys()].sort();
    const zhKeys = [...languages['zh-CN'].keys()].sort();
    expect(zhKeys.filter((k) => !languages.en.has(k)), 'missing in en').toEqual([]);
    expect(enKeys.filter((k) => !languages['zh-CN'].has(k)), 'missing in zh-CN').toEqual([]);
  });

  it('have no empty strings', () => {
    for (const [lng, map] of Object.entries(languages)) {
      expect([...map].filter(([, v]) => v.trim() === '').map(([k]) => k), lng).toEqual([]);
    }
  });

  it('cover every key the code uses, in both languages', () => {
    const used = [...usedKeys(), ...dynamicKeys()];
    expect(used.length).toBeGreaterThan(100);
    for (const [lng, map] of Object.entries(languages)) {
      expect(used.filter((k) => !map.has(k)), `missing in ${lng}`).toEqual([]);
    }
  });

  it('use the same interpolation variables in both languages', () => {
    for (const [key, text] of languages.en) {
      const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(vars(languages['zh-CN'].get(key) ?? ''), key).toEqual(vars(text));
    }
  });
});

describe('language choice', () => {
  it('prefers the remembered choice', () => {
    expect(detectLanguage('en', 'zh-CN')).toBe('en');
    expect(detectLanguage('zh-CN', 'en-US')).toBe('zh-CN');
  });
  it('defaults to zh-CN for a Chinese browser, English otherwise', () => {
    expect(detectLanguage(null, 'zh-TW')).toBe('zh-CN');
    expect(detectLanguage(null, 'zh')).toBe('zh-CN');
    expect(detectLanguage(null, 'en-GB')).toBe('en');
    expect(detectLanguage('fr', 'de-DE')).toBe('en');
  });
});

describe('locale formats', () => {
  it('formats numbers, money and dates per locale', () => {
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
    expect(formatMoney({ amount_minor: 1234500, currency: 'CNY' }, 'zh-CN')).toBe('¥12,345.00');
    expect(formatMoney({ amount_minor: 1234500, currency: 'CNY' }, 'en')).toBe('CN¥12,345.00');
    expect(formatDate('2026-03-05', 'zh-CN')).toBe('2026年3月5日');
    expect(formatDate('2026-03-05', 'en')).toBe('Mar 5, 2026');
  });
});
