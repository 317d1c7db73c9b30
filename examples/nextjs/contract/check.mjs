// The original page's contract (options-trader.schema.json beside this file) checked against
// a response: a small JSON Schema checker for the keywords that file uses (type, enum,
// required, properties, items, allOf, anyOf, $ref into $defs, minimum, maximum,
// exclusiveMinimum, format date/date-time), plus the unit check a schema cannot say (an
// allocation is capital at risk over the portfolio). The Rust tests check the same file.
import fs from 'node:fs';

export const schema = JSON.parse(fs.readFileSync(new URL('./options-trader.schema.json', import.meta.url), 'utf8'));

const typeOk = (t, v) => ({
  object: () => v !== null && typeof v === 'object' && !Array.isArray(v),
  array: () => Array.isArray(v),
  string: () => typeof v === 'string',
  boolean: () => typeof v === 'boolean',
  null: () => v === null,
  number: () => typeof v === 'number' && Number.isFinite(v),
  integer: () => Number.isInteger(v),
})[t]();

function check(s, v, path, out) {
  if (s.$ref) check(schema.$defs[s.$ref.replace('#/$defs/', '')], v, path, out);
  for (const sub of s.allOf ?? []) check(sub, v, path, out);
  if (s.anyOf) {
    const tries = s.anyOf.map((sub) => { const o = []; check(sub, v, path, o); return o; });
    if (tries.every((o) => o.length > 0)) out.push(`${path}: matches none of anyOf`, ...tries.flat());
  }
  if (s.type) {
    const types = [s.type].flat();
    if (!types.some((t) => typeOk(t, v))) { out.push(`${path}: expected ${types}, got ${JSON.stringify(v)}`); return; }
  }
  if (s.enum && !s.enum.some((e) => e === v)) out.push(`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (typeof v === 'number' && ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum) || (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum))) {
    out.push(`${path}: ${v} outside [${s.exclusiveMinimum ?? s.minimum}, ${s.maximum}]`);
  }
  if (s.format && typeof v === 'string') {
    const ok = s.format === 'date' ? /^\d{4}-\d{2}-\d{2}$/.test(v) : s.format === 'date-time' ? !Number.isNaN(Date.parse(v)) && v.includes('T') : true;
    if (!ok) out.push(`${path}: ${JSON.stringify(v)} is not a ${s.format}`);
  }
  if (typeOk('object', v)) {
    for (const k of s.required ?? []) if (!(k in v)) out.push(`${path}.${k}: missing`);
    for (const [k, sub] of Object.entries(s.properties ?? {})) if (k in v) check(sub, v[k], `${path}.${k}`, out);
  }
  if (s.items && Array.isArray(v)) v.forEach((x, i) => check(s.items, x, `${path}[${i}]`, out));
}

/** Every violation of the whole response contract (or of one `$defs` entry) by `doc`. */
export function violations(doc, def) {
  const out = [];
  check(def ? schema.$defs[def] : schema, doc, '$', out);
  for (const [i, o] of (def ? [] : doc?.opportunities ?? []).entries()) {
    for (const [j, e] of (o.positionSizing?.capitalAllocationExamples ?? []).entries()) {
      if (!(Math.abs(e.allocationPercent - e.capitalAtRisk / e.portfolio) <= 1e-4)) {
        out.push(`$.opportunities[${i}].positionSizing.capitalAllocationExamples[${j}].allocationPercent: ${e.allocationPercent} is not capitalAtRisk/portfolio`);
      }
    }
  }
  return out;
}
