/** A session's device in a few words, from the user agent it signed in with. */

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bMicroMessenger\/(\d+)/, 'WeChat'],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|CriOS|Chromium)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];

const SYSTEMS: [RegExp, string][] = [
  [/\bWindows\b/, 'Windows'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export interface Device {
  /** The browser and its major version (`Chrome 120`), or a program's name and version (`curl 8.5.0`). */
  browser?: string;
  /** The operating system, when the agent names one. */
  os?: string;
}

/** Reads the browser and system off a user agent; an agent it cannot read gives its first product token. */
export function describeDevice(userAgent: string | null | undefined): Device | null {
  const ua = userAgent?.trim();
  if (!ua) return null;
  const os = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  for (const [re, name] of BROWSERS) {
    const m = re.exec(ua);
    if (m) return { browser: `${name} ${m[1]}`, ...(os ? { os } : {}) };
  }
  // a program rather than a browser (curl/8.5.0, python-requests/2.31): its own name and version
  const product = /^([A-Za-z][\w.-]*)\/([\w.]+)/.exec(ua);
  if (product && product[1] !== 'Mozilla') return { browser: `${product[1]} ${product[2]}`, ...(os ? { os } : {}) };
  return os ? { os } : { browser: ua.length > 40 ? `${ua.slice(0, 40)}…` : ua };
}
