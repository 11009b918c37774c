// Fails when src/api/generated/schema.d.ts is not what `npm run gen:api` makes of ../openapi/openapi.json.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTypes, OUTPUT, SPEC } from './openapi-types.mjs';

if (!existsSync(SPEC)) {
  console.error(`check:api: ${SPEC} does not exist`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'crm-api-'));
const fresh = join(dir, 'schema.d.ts');
try {
  generateTypes(fresh);
  if (readFileSync(fresh, 'utf8') !== readFileSync(OUTPUT, 'utf8')) {
    console.error('check:api: src/api/generated/schema.d.ts is stale; run `npm run gen:api` and commit the result');
    process.exit(1);
  }
  console.log('check:api: generated types match openapi/openapi.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
