// session.js — who is logged in, and what the role may do (mirrors src/api/routes.c and
// src/domain/actor.c; the server decides, this only hides what would be refused).
// tests/web/check-roles.mjs checks every `can` against the server's route table and role
// table: a new capability names its API routes there.
import { beijingDay } from './day.js';
export const session = { me: null, day: '' };

const REGISTRY = ['admin', 'community', 'grid_leader', 'grid_worker', 'cadre'];
const FIELD = ['grid_leader', 'grid_worker', 'cadre'];
export const ROLES = ['admin', 'command', 'community', 'grid_leader', 'grid_worker', 'cadre', 'volunteer', 'checkpoint', 'auditor'];
const GRANTS = {
  admin: ['admin', 'command', 'volunteer', 'checkpoint'],
  command: ['command'],
  community: ['community', 'grid_leader', 'grid_worker', 'cadre', 'volunteer', 'checkpoint'],
};

function role() {
  return session.me ? session.me.role : '';
}
function is(list) {
  return list.indexOf(role()) >= 0;
}

export const can = {
  people: () => !!session.me && role() !== 'auditor',
  registry: () => is(REGISTRY),
  evidence: () => is(REGISTRY) || role() === 'volunteer',
  exportResidents: () => is(REGISTRY) || role() === 'command',
  users: () => is(['admin', 'command', 'community']),
  // the unit tree: add, rename, move, retire (src/domain/actor.h: ROLES_TREE)
  tree: () => is(['admin', 'command', 'community']),
  audit: () => role() === 'auditor',
  // the daily roll-call (src/domain/actor.h: ROLES_ROLLCALL, ROLES_CHECKIN)
  rollcall: () => is(REGISTRY) || role() === 'command',
  checkin: () => is(REGISTRY) || role() === 'volunteer' || role() === 'checkpoint',
  chain: () => is(REGISTRY),
  callList: () => is(REGISTRY),
  links: () => is(REGISTRY),
  today: () => is(FIELD),
  dashboard: () => is(['admin', 'command', 'community', 'grid_leader']),
  // the four categories (docs/api.md section 10): EPI names people, command sees counts and tasks
  epi: () => is(REGISTRY),
  categories: () => is(REGISTRY) || role() === 'command',
  exportCategories: () => is(['admin', 'command', 'community']),
  lockdown: () => is(REGISTRY) || role() === 'command',
  // the checkpoint at a compound's gate (src/api/routes.c: POST /passages is ROLES_CHECKIN)
  gate: () => role() === 'checkpoint' || is(['community', 'grid_leader']),
  // the compounds' gates, their state and rules (src/api/routes.c: POST /gates, /gates/{id}/state,
  // /compounds/{code}/rules are ROLES_TREE)
  gateSetup: () => is(['admin', 'command', 'community']),
  // supplies (docs/api.md "Supplies"): rounds and deliveries for the tree's roles and those
  // who carry goods; orders and errands are placed from a household's page
  supply: () => is(['admin', 'command', 'community', 'grid_leader']) || role() === 'volunteer',
  // errands (代购) and their cash ledger: the grid's workers and the volunteers who carry the
  // cash; the chronic-medicine register: the grid; the hardship fund: the grid and above
  errands: () => is(REGISTRY) || role() === 'volunteer',
  medicine: () => is(REGISTRY),
  aid: () => is(REGISTRY) || role() === 'command',
  // the hotline screen (issue 18): the community's secretary, grid leaders
  hotline: () => is(['admin', 'community', 'grid_leader']),
  // staffing the grids (src/api/routes.c: GET /vacancies is ROLES_ROLLCALL; changes ROLES_TREE + grid leader)
  staff: () => is(['admin', 'command', 'community', 'grid_leader']),
  // the duplicate-ID review decides (src/api/routes.c: POST /id-reviews/{id} is community only)
  reviewIds: () => role() === 'community',
  // staff's own daily temperature (GET /staff/me is ROLES_PEOPLE): the field roles that report it
  duty: () => is(['grid_leader', 'grid_worker', 'cadre', 'volunteer', 'checkpoint']),
  fullId: () => is(['community', 'grid_leader']),
  fullPhone: () => is(['community', 'grid_leader', 'grid_worker', 'cadre']),
  // Roles this user may hand out: none that sees or may do more than its own (the server's
  // role_table grants in src/domain/actor.c, which decides; this only fills the menu).
  grantable: () => (GRANTS[role()] || []).slice(),
};

export function homeHash() {
  if (!session.me) return '#/';
  if (can.audit()) return '#/audit';
  if (role() === 'checkpoint') return '#/gate';
  if (can.today()) return '#/today';
  if (role() === 'command' || role() === 'community') return '#/dashboard';
  return '#/unit/' + encodeURIComponent(session.me.unit_code);
}

// The last search, kept in memory only (terms are personal data: never in the URL).
export const searchState = { q: '', offset: 0 };

// The roll-call day: the server's (Beijing time) once a coverage answer told it, else the
// date in UTC+8 by this device's clock.
export function rollDay() {
  if (session.day) return session.day;
  return beijingDay();
}
