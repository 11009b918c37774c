// Prints the production bundle's size, raw and gzipped: all assets, and what the first page loads.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(js|css|html)$/.test(name)) files.push(p);
  }
})(dist);

const size = (p) => {
  const buf = readFileSync(p);
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
let raw = 0;
let gzip = 0;
for (const f of files) {
  const s = size(f);
  raw += s.raw;
  gzip += s.gzip;
}
// What index.html pulls in before any lazy route: its scripts, styles and modulepreloads.
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => join(dist, m[1]));
const first = initial.reduce((acc, f) => acc + size(f).gzip, 0);
console.log(`bundle: ${files.length} files, ${kb(raw)} raw, ${kb(gzip)} gzip in total; initial load ${kb(first)} gzip`);
