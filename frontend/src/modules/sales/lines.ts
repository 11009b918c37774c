import type { Line, LineInput } from '../../api/types';
import { parseAmount } from '../../ui/money';

/** A product line as a form holds it: the unit price overrides the product's, the discount is in percent. */
export interface LineFormValue {
  product_id?: string | null;
  quantity?: number | null;
  /** Minor units; empty = the product's price. */
  unit_price_minor?: number | null;
  /** Percent with up to two decimals (12.5 = 1250 basis points). */
  discount_pct?: number | null;
}

/** Percent → basis points through the text, so 12.3 gives 1230 exactly. */
export function percentToBp(pct: number | null | undefined): number {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return 0;
  const bp = parseAmount(String(pct), 2);
  return bp === null || Number.isNaN(bp) ? 0 : Math.min(10_000, bp);
}

export function bpToPercent(bp: number): number {
  return bp / 100;
}

/** quantity × unit price less the discount, rounded half up to the minor unit, like the server (in BigInt, no overflow). */
export function lineTotal(quantity: number, unitPriceMinor: number, discountBp: number): number {
  const kept = BigInt(quantity) * BigInt(unitPriceMinor) * BigInt(10_000 - Math.min(10_000, Math.max(0, discountBp)));
  return Number((kept + 5_000n) / 10_000n);
}

export function linesToForm(lines: readonly Line[]): LineFormValue[] {
  return lines.map((l) => ({
    product_id: l.product_id,
    quantity: l.quantity,
    unit_price_minor: l.unit_price_minor,
    discount_pct: l.discount_bp ? bpToPercent(l.discount_bp) : null,
  }));
}

/** Complete lines as the API takes them (rows without a product are dropped). */
export function linesToWire(lines: readonly LineFormValue[] | undefined): LineInput[] {
  return (lines ?? [])
    .filter((l): l is LineFormValue & { product_id: string } => Boolean(l?.product_id))
    .map((l) => {
      const out: LineInput = { product_id: l.product_id, quantity: l.quantity ?? 1 };
      if (l.unit_price_minor !== null && l.unit_price_minor !== undefined && !Number.isNaN(l.unit_price_minor)) out.unit_price_minor = l.unit_price_minor;
      const bp = percentToBp(l.discount_pct);
      if (bp > 0) out.discount_bp = bp;
      return out;
    });
}

/** The preview of a document's total from its lines and the known product prices (the server's figure wins). */
export function previewTotal(lines: readonly LineFormValue[] | undefined, priceOf: (productId: string) => number | undefined): number | null {
  let total = 0;
  let any = false;
  for (const l of lines ?? []) {
    if (!l?.product_id) continue;
    const price = l.unit_price_minor ?? priceOf(l.product_id);
    if (price === undefined || price === null || Number.isNaN(price)) return null;
    total += lineTotal(l.quantity ?? 1, price, percentToBp(l.discount_pct));
    any = true;
  }
  return any ? total : null;
}
