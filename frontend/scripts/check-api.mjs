// Fails when src/api/generated/schema.d.ts is not what openapi-typescript makes of ../openapi/openapi.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const spec = join(root, '../openapi/openapi.json');
const committed = join(root, 'src/api/generated/schema.d.ts');
if (!existsSync(spec)) {
  console.error(`check:api: ${spec} does not exist`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'crm-api-'));
const fresh = join(dir, 'schema.d.ts');
try {
  execFileSync(join(root, 'node_modules/.bin/openapi-typescript'), [spec, '-o', fresh], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (readFileSync(fresh, 'utf8') !== readFileSync(committed, 'utf8')) {
    console.error('check:api: src/api/generated/schema.d.ts is stale; run `npm run gen:api` and commit the result');
    process.exit(1);
  }
  console.log('check:api: generated types match openapi/openapi.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
