// What counts as an English sentence on a page shown in Chinese, and how the page's text is read.

/**
 * A word of an English sentence: ASCII letters, maybe joined by an apostrophe or hyphen (don't,
 * follow-up), maybe in brackets or quotes and followed by punctuation (instead., users,). A token
 * with a digit or any other character (T-000123, SO-000014, admin@example.com, https://…,
 * ticket.invalid_transition, 数据到Excel) is a code, a number, an address or Chinese, not a word.
 */
const WORD = /^[(“"'‘[]?[A-Za-z]+(?:['’-][A-Za-z]+)*[)”"'’\].,:;!?…]*$/;
/** An abbreviation or code in capitals (SLA, CNY, ERP, VIP, SKU) is not a word of a sentence. */
const CAPITALS = /^[^a-z]*$/;

/**
 * Every run of three or more English words separated by single spaces, with the line it is on.
 * One or two words are a name (张伟 Zhang Wei, ERP 接口), a unit or a brand; three in a row are
 * a sentence, or a fragment of one. Tabs and line breaks (table cells, blocks) end a run, as does a
 * double space.
 */
export function englishRuns(text) {
  const runs = [];
  for (const raw of text.replace(/\u00a0/g, ' ').split(/[\n\r\t]+/)) {
    const line = raw.trim();
    let run = [];
    const flush = () => {
      if (run.length >= 3) runs.push({ run: run.join(' '), line: line.length > 200 ? `${line.slice(0, 200)}…` : line });
      run = [];
    };
    for (const token of line.split(' ')) {
      if (WORD.test(token) && !CAPITALS.test(token)) run.push(token);
      else flush();
    }
    flush();
  }
  return runs;
}

/**
 * A stored record shown as it is kept (`{"category":"functional",…}`): its keys and enum values are
 * English whatever the sentence around them, so the record's text is a finding of its own.
 */
export function rawRecords(text) {
  return [...text.matchAll(/\{"[A-Za-z_]+":[^\n]{0,80}/g)].map((m) => ({ run: m[0], line: m[0] }));
}

/**
 * Everything a person sees or hears on the page now, by where it comes from: the tab title, the
 * rendered text of the whole document (body.innerText leaves out what is not displayed, and takes
 * in open dialogs, messages, notifications, popovers and form errors, which antd renders into the
 * body), what visible fields hold (a text the system wrote, opened for editing), their placeholders
 * and the accessible names that stand in for text on icon buttons. Runs in the page.
 */
export function pageTexts() {
  const doc = globalThis.document;
  const shown = (el) => el.getClientRects().length > 0 && doc.defaultView.getComputedStyle(el).visibility !== 'hidden';
  const texts = [
    { source: 'tab title', text: doc.title },
    { source: 'page', text: doc.body.innerText },
  ];
  for (const el of doc.querySelectorAll('textarea, input:not([type]), input[type=text], input[type=search], input[type=email], input[type=url]')) {
    if (shown(el) && el.value) texts.push({ source: 'field value', text: el.value });
  }
  for (const el of doc.querySelectorAll('[placeholder]')) {
    if (shown(el)) texts.push({ source: 'placeholder', text: el.getAttribute('placeholder') });
  }
  for (const el of doc.querySelectorAll('[aria-label]')) {
    if (shown(el)) texts.push({ source: 'aria-label', text: el.getAttribute('aria-label') });
  }
  return texts;
}
