/**
 * The industries a customer is filed under: the 20 sections (门类) of the national classification
 * GB/T 4754-2017. The Chinese name is what is stored (customers kept industry as text before the
 * list, and reports group by it); `key` names its label in the UI's languages (`industry.<key>`).
 */
export const INDUSTRIES = [
  { key: 'agriculture', name: '农、林、牧、渔业' },
  { key: 'mining', name: '采矿业' },
  { key: 'manufacturing', name: '制造业' },
  { key: 'utilities', name: '电力、热力、燃气及水生产和供应业' },
  { key: 'construction', name: '建筑业' },
  { key: 'trade', name: '批发和零售业' },
  { key: 'logistics', name: '交通运输、仓储和邮政业' },
  { key: 'hospitality', name: '住宿和餐饮业' },
  { key: 'it', name: '信息传输、软件和信息技术服务业' },
  { key: 'finance', name: '金融业' },
  { key: 'realEstate', name: '房地产业' },
  { key: 'business', name: '租赁和商务服务业' },
  { key: 'research', name: '科学研究和技术服务业' },
  { key: 'environment', name: '水利、环境和公共设施管理业' },
  { key: 'services', name: '居民服务、修理和其他服务业' },
  { key: 'education', name: '教育' },
  { key: 'health', name: '卫生和社会工作' },
  { key: 'culture', name: '文化、体育和娱乐业' },
  { key: 'public', name: '公共管理、社会保障和社会组织' },
  { key: 'international', name: '国际组织' },
] as const;

/**
 * The pick-list's options in the UI's language. A stored industry that is not on the list (typed
 * before the list existed) is offered too, as it is, so the form shows it and keeps it.
 */
export function industryOptions(t: (key: string) => string, current?: string | null): { value: string; label: string }[] {
  const options: { value: string; label: string }[] = INDUSTRIES.map((i) => ({ value: i.name, label: t(`industry.${i.key}`) }));
  if (current && !INDUSTRIES.some((i) => i.name === current)) options.unshift({ value: current, label: current });
  return options;
}

/** How a stored industry reads in the UI's language (a value not on the list reads as it is). */
export function industryLabel(t: (key: string) => string, value: string | null | undefined): string | null {
  if (!value) return null;
  const known = INDUSTRIES.find((i) => i.name === value);
  return known ? t(`industry.${known.key}`) : value;
}
