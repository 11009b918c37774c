import { createContext, useContext, useEffect, type ReactNode } from 'react';

/** What every tab title ends with: the staff app's "CRM", the portal's own brand. */
const TitleSuffix = createContext('CRM');

/** Sets the name that ends the tab titles of the pages below (the portal names itself, not "CRM"). */
export function TitleSuffixProvider({ suffix, children }: { suffix: string; children: ReactNode }) {
  return <TitleSuffix.Provider value={suffix}>{children}</TitleSuffix.Provider>;
}

/** A tab title from its parts, most specific first: `["上海七宝印刷", "客户"]` → `上海七宝印刷 · 客户 · CRM`. */
export function composeTitle(parts: readonly (string | null | undefined)[], suffix: string): string {
  return [...parts.filter((p): p is string => Boolean(p?.trim())), suffix].join(' · ');
}

interface Claim {
  parts: string[];
  suffix: string;
}

// Every mounted page that names itself. Effects run child first, so the order of mounting cannot
// tell the page from its frame; the claim with the most parts is the most specific one and wins
// (the layout names the module, a tab adds itself, a record page adds the record's name); among
// equals the latest wins.
const claims: Claim[] = [];

function applyTitle() {
  let chosen: Claim | undefined;
  for (const claim of claims) if (!chosen || claim.parts.length >= chosen.parts.length) chosen = claim;
  if (chosen) document.title = composeTitle(chosen.parts, chosen.suffix);
}

/**
 * Names the browser tab after the page while it is shown: the parts, most specific first, and the
 * app's name. Pass translated text (`t(...)`): the title follows a language switch because the
 * component re-renders with the new words.
 */
export function useDocumentTitle(...parts: (string | null | undefined)[]) {
  const suffix = useContext(TitleSuffix);
  const named = parts.filter((p): p is string => Boolean(p?.trim()));
  // one string as the effect's dependency, so a re-render with the same words changes nothing
  const key = JSON.stringify([named, suffix]);
  useEffect(() => {
    const [claimParts, claimSuffix] = JSON.parse(key) as [string[], string];
    const claim: Claim = { parts: claimParts, suffix: claimSuffix };
    claims.push(claim);
    applyTitle();
    return () => {
      claims.splice(claims.indexOf(claim), 1);
      applyTitle();
    };
  }, [key]);
}
