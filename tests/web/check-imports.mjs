// tests/web/check-imports.mjs — no view imports another view (issue 15): what views share
// lives in views/common.js, views/epi-common.js or a module outside views/ (day.js,
// charts.js, ...).  A view is any other file of web/js/views.  One part is allowed: the
// resident page loads its four-categories section (resident-epi.js, not a route of its own)
// only for the roles that see it.
// node tests/web/check-imports.mjs [web]   — exits 1 on a problem.  run.mjs runs it too.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SHARED = new Set(['common.js', 'epi-common.js']);
// Parts one view shares with another that have not moved to a module of their own yet
// (the dashboard's tiles moved to web/js/tiles/); listed so that no other comes in.
const PARTS = {
  'resident.js': ['resident-epi.js'],
};

export function checkImports(web) {
  const dir = path.join(web, 'js/views');
  const problems = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.js')).sort()) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'\.\/([^'/]+)'/gm)) {
      const to = m[1];
      if (SHARED.has(to) || (PARTS[f] || []).includes(to)) continue;
      problems.push(`views/${f} imports the view ${to}: move what they share to views/common.js or a module outside views/`);
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const web = path.resolve(process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web'));
  const problems = checkImports(web);
  for (const p of problems) console.log(p);
  process.exit(problems.length ? 1 : 0);
}
