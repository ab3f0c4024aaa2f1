// tests/web/check-roles.mjs — the web app's role matrix (web/js/session.js `can`) checked
// against the server's: the roles of each route in src/api/routes.c (ROLES_* masks of
// src/domain/actor.h and the domain headers) and the columns of actor.c's role_table.
// For every role and every capability: the web app never offers a screen whose API routes
// would answer 403, and never hides one the role may use, unless the capability says why it
// is narrower on purpose (a home page for some roles, a screen for some jobs).
//
// The server stays the one that decides; this check keeps the menu from drifting.  A new
// `can.x` in session.js fails here until USES says which routes it stands for.
// node tests/web/check-roles.mjs [repo]   — exits 1 on a problem.  run.mjs runs it too.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// capability -> the API routes behind it (method and path as in routes.c, without /api/v1),
// or a role_table column / the grants; `narrower`: the reason the web offers it to fewer
// roles than the routes allow (then only "offered but refused" is an error).
export const USES = {
  duty: {
    routes: ['GET /staff/me', 'POST /staff/me/health'],
    narrower: 'the daily duty report is for those who work in the field; the community and command have no post to report for',
  },
  people: { routes: ['GET /units/{code}', 'GET /households/{id}', 'GET /residents/{id}', 'POST /residents/search', 'GET /coverage'] },
  registry: { routes: ['POST /households', 'PATCH /households/{id}', 'POST /residents', 'PATCH /residents/{id}', 'POST /imports/residents',
    'GET /id-reviews', 'GET /id-reviews/{id}', 'POST /id-reviews/{id}/correction'] },
  evidence: { routes: ['POST /households/{id}/evidence'] },
  exportResidents: { routes: ['GET /exports/residents'] },
  reviewIds: { routes: ['POST /id-reviews/{id}'] },
  users: { routes: ['GET /users', 'POST /users'] },
  tree: { routes: ['POST /units', 'PATCH /units/{code}', 'POST /imports/units', 'GET /exports/units', 'POST /supply/suppliers', 'PATCH /supply/suppliers/{id}',
    'POST /supply/packages', 'PATCH /supply/packages/{id}', 'POST /supply/rounds'] },
  audit: { routes: ['GET /audit'] },
  rollcall: { routes: ['GET /checkins', 'GET /coverage/missing', 'GET /alerts', 'GET /alerts/{id}', 'POST /alerts/{id}/steps', 'GET /reminders', 'GET /events'] },
  checkin: { routes: ['POST /checkins'] },
  chain: { routes: ['POST /checkins/chain', 'POST /checkins/chain/confirm'] },
  callList: { routes: ['GET /calllist'] },
  links: { routes: ['POST /households/{id}/link', 'DELETE /households/{id}/link', 'POST /units/{code}/link-sheet'] },
  today: {
    routes: ['GET /coverage', 'GET /coverage/missing', 'GET /alerts', 'GET /reminders'],
    narrower: 'Today is the home of the field roles; command and the community have the dashboard',
  },
  dashboard: {
    routes: ['GET /coverage', 'GET /coverage/curve', 'GET /alerts', 'GET /events', 'GET /reports/daily'],
    narrower: 'the dashboard is for those who lead (a grid worker and a cadre have Today)',
  },
  epi: {
    routes: ['GET /residents/{id}/status', 'POST /residents/{id}/status', 'GET /categories/people', 'POST /isolations', 'GET /followups',
      'POST /followups/{id}', 'POST /lists', 'GET /lists', 'POST /lists/{id}/rows/{row}', 'POST /residents/{id}/contacts', 'GET /residents/{id}/chain', 'POST /tasks/{id}'],
  },
  categories: { routes: ['GET /categories', 'GET /tasks'] },
  exportCategories: { routes: ['GET /exports/categories'] },
  lockdown: { routes: ['POST /units/{code}/lockdown'] },
  gate: {
    routes: ['GET /gates', 'GET /gates/{id}/now', 'GET /compounds/{code}/now', 'POST /passages', 'GET /passages', 'POST /passes/scan'],
    narrower: 'the checkpoint screen is for the guards and those who run the compound',
  },
  gateSetup: { routes: ['GET /gates', 'GET /compounds/{code}/now', 'POST /gates', 'PATCH /gates/{id}', 'POST /gates/{id}/state', 'POST /compounds/{code}/rules'] },
  supply: {
    routes: ['GET /supply/rounds', 'GET /supply/rounds/{id}', 'GET /supply/rounds/{id}/picking'],
    narrower: 'the supplies screen is for those who run rounds and carry goods; a grid worker orders from a household\'s page',
  },
  hotline: {
    routes: ['POST /calls', 'POST /requests', 'GET /requests'],
    narrower: 'the hotline is the desk screen of the community\'s secretary and the grid leaders',
  },
  staff: {
    routes: ['GET /staff', 'GET /vacancies', 'GET /workload'],
    narrower: 'staffing is run by the community and the grid leaders; the grid sees its own in Today',
  },
  errands: { routes: ['GET /errands', 'GET /errands/{id}', 'POST /errands/{id}/ledger', 'GET /errands/cash'] },
  medicine: { routes: ['GET /errands/medicine'] },
  aid: { routes: ['GET /aid'] },
  fullId: { column: 'full_id' },
  fullPhone: { column: 'full_phone' },
  grantable: { grants: true },
};

// ---- the server's side, read from the C sources ----

function roleEnum(actorH) {
  const body = /typedef enum \{([^}]*)\} role;/.exec(actorH)[1];
  const names = body.split(',').map((s) => s.trim()).filter((s) => /^ROLE_[A-Z_]+$/.test(s) && s !== 'ROLE__COUNT');
  return names; // index = bit
}

// #define ROLES_X <expression of R(ROLE_y), other ROLES_, |, &, ~, ROLE__COUNT>, evaluated.
function roleMasks(sources, roles) {
  const defs = {};
  for (const src of sources) {
    for (const m of src.matchAll(/^#define (ROLES_[A-Z_]+) (.+)$/gm)) defs[m[1]] = m[2];
  }
  const memo = {};
  const evalExpr = (expr) => {
    const js = expr
      .replace(/R\((ROLE_[A-Z_]+)\)/g, (_, r) => {
        const i = roles.indexOf(r);
        if (i < 0) throw new Error('unknown role ' + r);
        return '(1 << ' + i + ')';
      })
      .replace(/\bROLE__COUNT\b/g, String(roles.length))
      .replace(/\b(\d+)u\b/g, '$1')
      .replace(/\bROLES_[A-Z_]+\b/g, (n) => '(' + mask(n) + ')');
    if (!/^[\d\s()|&~<>+-]*$/.test(js)) throw new Error('cannot read the role expression ' + expr);
    return (Function('return (' + js + ');')() >>> 0) & ((1 << roles.length) - 1);
  };
  const mask = (n) => {
    if (!(n in memo)) {
      if (!(n in defs)) throw new Error('no #define for ' + n);
      memo[n] = evalExpr(defs[n]);
    }
    return memo[n];
  };
  return { evalExpr };
}

// "METHOD /path" -> mask, for AUTH_SESSION routes.
function routeTable(routesC, evalExpr) {
  const out = {};
  for (const m of routesC.matchAll(/\{M_([A-Z]+), "\/api\/v1([^"]+)", \w+, AUTH_SESSION, ([^,]+),/g)) {
    out[m[1] + ' ' + m[2]] = evalExpr(m[3]);
  }
  return out;
}

// actor.c's role_table: {name, full_id, full_phone, sees_ids, sees_phones, birth_date, grants}
function roleTable(actorC, roles) {
  const cols = /bool ([^;]+);/.exec(/static const struct \{([^}]*)\} role_table/.exec(actorC)[1])[1].split(',').map((s) => s.trim());
  const out = {};
  for (const m of actorC.matchAll(/\[(ROLE_[A-Z_]+)\] = \{"([a-z_]+)",([^}]*)\}/g)) {
    const parts = m[3].split(',').map((s) => s.trim());
    const row = { grants: [] };
    cols.forEach((c, i) => { row[c] = parts[i] === 'true'; });
    for (const g of parts.slice(cols.length).join(',').matchAll(/G\((ROLE_[A-Z_]+)\)/g)) row.grants.push(g[1]);
    row.grants = row.grants.map((r) => roles.indexOf(r));
    out[m[2]] = row;
  }
  return out;
}

export async function checkRoles(root) {
  const read = (p) => fs.readFileSync(path.join(root, p), 'utf8');
  const actorH = read('src/domain/actor.h');
  const roles = roleEnum(actorH);
  const headers = fs.readdirSync(path.join(root, 'src/domain')).filter((f) => f.endsWith('.h')).map((f) => read('src/domain/' + f));
  const { evalExpr } = roleMasks(headers, roles);
  const routes = routeTable(read('src/api/routes.c'), evalExpr);
  const table = roleTable(read('src/domain/actor.c'), roles);
  const names = roles.map((r) => r.slice(5).toLowerCase());

  const mod = await import(pathToFileURL(path.join(root, 'web/js/session.js')).href);
  const problems = [];
  const webRoles = mod.ROLES.slice().sort().join(' ');
  if (webRoles !== names.slice().sort().join(' ')) problems.push(`session.js ROLES (${webRoles}) are not actor.h's (${names.join(' ')})`);
  for (const cap of Object.keys(mod.can)) {
    const use = USES[cap];
    if (!use) {
      problems.push(`can.${cap} (session.js) says nothing of the server: add its API routes to USES in tests/web/check-roles.mjs`);
      continue;
    }
    for (const r of use.routes || []) if (!(r in routes)) problems.push(`can.${cap}: no route ${r} in src/api/routes.c`);
  }
  for (const cap of Object.keys(USES)) if (!(cap in mod.can)) problems.push(`USES.${cap}: no can.${cap} in session.js`);

  names.forEach((role, bit) => {
    mod.session.me = { role, unit_code: '0' };
    for (const cap of Object.keys(mod.can)) {
      const use = USES[cap];
      if (!use) continue;
      if (use.grants) {
        const web = mod.can.grantable().slice().sort().join(' ');
        const srv = (table[role] ? table[role].grants : []).map((i) => names[i]).sort().join(' ');
        if (web !== srv) problems.push(`${role}: the web offers to grant [${web}], actor.c's role_table grants [${srv}]`);
        continue;
      }
      const offered = !!mod.can[cap]();
      if (use.column) {
        const srv = !!(table[role] && table[role][use.column]);
        if (offered !== srv) problems.push(`${role}: can.${cap} is ${offered}, actor.c's role_table ${use.column} is ${srv}`);
        continue;
      }
      const refused = use.routes.filter((r) => !(routes[r] & (1 << bit)));
      if (offered && refused.length) problems.push(`${role}: the web offers can.${cap} but the server answers 403 on ${refused.join(', ')}`);
      if (!offered && !refused.length && !use.narrower) problems.push(`${role}: the web hides can.${cap} although the server allows ${use.routes.join(', ')}`);
    }
  });
  mod.session.me = null;
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), '../..'));
  const problems = await checkRoles(root);
  for (const p of problems) console.log(p);
  process.exit(problems.length ? 1 : 0);
}
