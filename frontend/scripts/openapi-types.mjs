// Generates the client's types from ../openapi/openapi.json with openapi-typescript. The types are
// read off the paths (src/api/types.ts), and openapi-typescript points each path at an entry of one
// `operations` map keyed by operationId: two routes sharing an operationId (a staff and a portal
// handler with the same function name) would collapse into one type. Such ids are made unique first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const SPEC = join(root, '../openapi/openapi.json');
export const OUTPUT = join(root, 'src/api/generated/schema.d.ts');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The spec with every operationId that names more than one operation suffixed by its method and path. */
export function withUniqueOperationIds(spec) {
  const seen = new Map();
  for (const item of Object.values(spec.paths ?? {})) {
    for (const method of METHODS) {
      const id = item?.[method]?.operationId;
      if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  const renamed = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op?.operationId && seen.get(op.operationId) > 1) {
        const id = `${op.operationId}__${method}${path.replace(/[^A-Za-z0-9]+/g, '_')}`.replace(/_+$/, '');
        renamed.push(`${op.operationId} (${method.toUpperCase()} ${path}) → ${id}`);
        op.operationId = id;
      }
    }
  }
  return { spec, renamed };
}

/** Writes the generated types to `output`; returns the operationIds it had to rename. */
export function generateTypes(output = OUTPUT) {
  const { spec, renamed } = withUniqueOperationIds(JSON.parse(readFileSync(SPEC, 'utf8')));
  const dir = mkdtempSync(join(tmpdir(), 'crm-spec-'));
  try {
    const input = join(dir, 'openapi.json');
    writeFileSync(input, JSON.stringify(spec));
    execFileSync(join(root, 'node_modules/.bin/openapi-typescript'), [input, '-o', output], { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return renamed;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const renamed = generateTypes();
  for (const r of renamed) console.warn(`gen:api: duplicate operationId ${r}`);
  console.log(`gen:api: wrote ${OUTPUT}`);
}
