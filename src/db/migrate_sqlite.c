/* migrate_sqlite.c — numbered schema migrations for the SQLite store, embedded in the
 * binary.  Applied in order inside one transaction each; schema_version records the last.
 * The PostgreSQL store keeps its own dialect file with the same numbering. */
#include "db/migrate.h"

const char *const migrations_sqlite[] = {
    /* 1: the spine — grid tree, households, residents, accounts, sessions, audit */
    "CREATE TABLE units ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  parent_id INTEGER REFERENCES units(id),"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  path TEXT NOT NULL,"   /* '/1/7/42/': ids from the root down to this unit */
    "  depth INTEGER NOT NULL,"
    "  retired_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX units_parent ON units(parent_id, kind, code);"
    "CREATE INDEX units_path ON units(path);"
    "CREATE TABLE unit_history ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER,"
    "  action TEXT NOT NULL,"   /* create rename move retire restore */
    "  old_value TEXT,"
    "  new_value TEXT);"
    "CREATE INDEX unit_history_unit ON unit_history(unit_id, at);"
    "CREATE TABLE households ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"  /* building or entrance */
    "  room TEXT NOT NULL,"
    "  occupancy TEXT NOT NULL DEFAULT 'unknown',"      /* occupied vacant unknown */
    "  note TEXT,"
    "  retired_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX households_room ON households(unit_id, room) WHERE retired_at IS NULL;"
    "CREATE TABLE occupancy_evidence ("
    "  id INTEGER PRIMARY KEY,"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  kind TEXT NOT NULL,"   /* meter lights neighbour visit census other */
    "  note TEXT,"
    "  recorded_by INTEGER,"
    "  recorded_at INTEGER NOT NULL);"
    "CREATE INDEX occupancy_evidence_hh ON occupancy_evidence(household_id, recorded_at);"
    "CREATE TABLE residents ("
    "  id INTEGER PRIMARY KEY,"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  name TEXT NOT NULL,"
    "  name_pinyin TEXT NOT NULL,"
    "  name_initials TEXT NOT NULL,"
    "  sex TEXT,"
    "  birth_date TEXT,"
    "  id_type TEXT NOT NULL DEFAULT 'id_card',"   /* id_card passport other */
    "  id_number TEXT,"
    "  id_tail TEXT,"
    "  phone TEXT,"
    "  phone_tail TEXT,"
    "  relation TEXT,"
    "  flags INTEGER NOT NULL DEFAULT 0,"
    "  residence TEXT NOT NULL DEFAULT 'living',"  /* living registered_only temporary away */
    "  note TEXT,"
    "  moved_out_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX residents_household ON residents(household_id);"
    "CREATE UNIQUE INDEX residents_doc ON residents(id_type, id_number) WHERE id_number IS NOT NULL;"
    "CREATE INDEX residents_pinyin ON residents(name_pinyin);"
    "CREATE INDEX residents_initials ON residents(name_initials);"
    "CREATE INDEX residents_name ON residents(name);"
    "CREATE INDEX residents_phone_tail ON residents(phone_tail);"
    "CREATE INDEX residents_id_tail ON residents(id_tail);"
    "CREATE TABLE resident_moves ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  from_household INTEGER,"
    "  to_household INTEGER,"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER,"
    "  note TEXT);"
    "CREATE INDEX resident_moves_resident ON resident_moves(resident_id, at);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE,"
    "  display_name TEXT NOT NULL,"
    "  phone TEXT,"
    "  role TEXT NOT NULL,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  pw_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  lang TEXT NOT NULL DEFAULT 'zh',"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX users_unit ON users(unit_id);"
    /* failures by the name typed, whether or not such a user exists, so a lockout
     * tells nothing about which usernames are real */
    "CREATE TABLE login_attempts ("
    "  username TEXT PRIMARY KEY,"
    "  fail_count INTEGER NOT NULL,"
    "  fail_since INTEGER NOT NULL,"
    "  locked_until INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE sessions ("
    "  token_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  source TEXT);"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER,"
    "  username TEXT,"
    "  role TEXT,"
    "  action TEXT NOT NULL,"  /* read search export create update move import login ... */
    "  entity TEXT,"
    "  entity_id TEXT,"
    "  fields TEXT,"
    "  source TEXT,"
    "  outcome TEXT NOT NULL);"
    "CREATE INDEX audit_at ON audit(at);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;",

    /* 2: the daily roll-call — check-ins with their corrections, per-unit counters kept in
     * the same transaction as each check-in, alerts and their steps, household links */
    "CREATE TABLE checkins ("
    "  id INTEGER PRIMARY KEY,"
    "  day TEXT NOT NULL,"                 /* YYYY-MM-DD, China time */
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  status TEXT NOT NULL,"              /* reported away hospital isolated */
    "  temperature REAL,"
    "  symptoms INTEGER NOT NULL DEFAULT 0,"
    "  symptom_note TEXT,"
    "  fever INTEGER NOT NULL DEFAULT 0,"
    "  channel TEXT NOT NULL,"             /* self wechat phone visit checkpoint */
    "  recorded_by INTEGER,"
    "  recorded_at INTEGER NOT NULL,"
    "  client_id TEXT,"
    "  source_line TEXT,"
    "  superseded_by INTEGER);"
    "CREATE UNIQUE INDEX checkins_current ON checkins(resident_id, day) WHERE superseded_by IS NULL;"
    "CREATE UNIQUE INDEX checkins_client ON checkins(client_id) WHERE client_id IS NOT NULL;"
    "CREATE INDEX checkins_household ON checkins(household_id, day);"
    "CREATE TABLE unit_stats ("
    "  unit_id INTEGER PRIMARY KEY REFERENCES units(id),"
    "  households INTEGER NOT NULL DEFAULT 0,"   /* households with someone living there */
    "  residents INTEGER NOT NULL DEFAULT 0);"   /* residents living there */
    "CREATE TABLE day_counts ("
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  day TEXT NOT NULL,"
    "  households_reached INTEGER NOT NULL DEFAULT 0,"
    "  residents_accounted INTEGER NOT NULL DEFAULT 0,"  /* a check-in or an absence */
    "  residents_reported INTEGER NOT NULL DEFAULT 0,"   /* a reading */
    "  fevers INTEGER NOT NULL DEFAULT 0,"
    "  symptomatic INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (unit_id, day));"
    "CREATE TABLE alerts ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  checkin_id INTEGER REFERENCES checkins(id),"
    "  day TEXT NOT NULL,"
    "  temperature REAL,"
    "  symptoms INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL,"            /* open acknowledged clinic closed */
    "  outcome TEXT,"                   /* excluded home_observation hospital */
    "  level INTEGER NOT NULL DEFAULT 0," /* 0 grid, 1 one level up, … */
    "  door_checker_id INTEGER REFERENCES users(id),"
    "  recheck_day TEXT,"
    "  opened_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  closed_at INTEGER);"
    "CREATE INDEX alerts_state ON alerts(state, opened_at);"
    "CREATE INDEX alerts_resident ON alerts(resident_id);"
    "CREATE INDEX alerts_household ON alerts(household_id);"
    "CREATE TABLE alert_steps ("
    "  id INTEGER PRIMARY KEY,"
    "  alert_id INTEGER NOT NULL REFERENCES alerts(id),"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER,"
    "  step TEXT NOT NULL,"  /* opened acknowledged clinic_check outcome door_reading escalated note */
    "  value TEXT,"
    "  note TEXT);"
    "CREATE INDEX alert_steps_alert ON alert_steps(alert_id, id);"
    "CREATE TABLE household_links ("
    "  token_hash TEXT PRIMARY KEY,"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER,"
    "  revoked_at INTEGER);"
    "CREATE INDEX household_links_hh ON household_links(household_id);"
    "CREATE TABLE reminders ("
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  day TEXT NOT NULL,"
    "  households_missing INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (unit_id, day));"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",

    /* 3: the four categories — each person's current epidemic category and its append-only
     * history, isolations with their follow-up slots, lists from other agencies and their
     * rows, contacts of cases, the response tasks of a confirmed case, lockdown levels */
    "CREATE TABLE epi_status ("
    "  resident_id INTEGER PRIMARY KEY REFERENCES residents(id),"
    "  category TEXT NOT NULL,"
    "  since INTEGER NOT NULL,"
    "  since_day TEXT NOT NULL);"
    "CREATE INDEX epi_status_category ON epi_status(category, since_day);"
    "CREATE TABLE status_history ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  at INTEGER NOT NULL,"
    "  day TEXT NOT NULL,"
    "  by_user INTEGER,"
    "  old_category TEXT,"
    "  new_category TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  note TEXT,"
    "  source TEXT);"
    "CREATE INDEX status_history_resident ON status_history(resident_id, id);"
    "CREATE TRIGGER status_history_no_update BEFORE UPDATE ON status_history"
    "  BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;"
    "CREATE TRIGGER status_history_no_delete BEFORE DELETE ON status_history"
    "  BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;"
    "CREATE TABLE isolations ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  kind TEXT NOT NULL,"          /* home centralised hospital */
    "  site TEXT,"
    "  category TEXT,"
    "  source TEXT,"
    "  start_day TEXT NOT NULL,"
    "  end_day TEXT NOT NULL,"       /* inclusive */
    "  worker_id INTEGER REFERENCES users(id),"
    "  notice_at INTEGER,"
    "  state TEXT NOT NULL,"         /* active released */
    "  released_at INTEGER,"
    "  released_day TEXT,"
    "  created_by INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX isolations_active ON isolations(resident_id) WHERE state = 'active';"
    "CREATE INDEX isolations_household ON isolations(household_id, state);"
    "CREATE INDEX isolations_released ON isolations(released_day);"
    "CREATE TABLE isolation_events ("
    "  id INTEGER PRIMARY KEY,"
    "  isolation_id INTEGER NOT NULL REFERENCES isolations(id),"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER,"
    "  event TEXT NOT NULL,"         /* start extend transfer notice assign release */
    "  value TEXT,"
    "  note TEXT);"
    "CREATE INDEX isolation_events_iso ON isolation_events(isolation_id, id);"
    "CREATE TABLE followups ("
    "  id INTEGER PRIMARY KEY,"
    "  isolation_id INTEGER NOT NULL REFERENCES isolations(id),"
    "  day TEXT NOT NULL,"
    "  slot INTEGER NOT NULL,"
    "  due_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'open',"  /* open done cancelled */
    "  temperature REAL,"
    "  symptoms INTEGER,"
    "  needs TEXT,"
    "  note TEXT,"
    "  done_at INTEGER,"
    "  done_by INTEGER);"
    "CREATE UNIQUE INDEX followups_slot ON followups(isolation_id, day, slot);"
    "CREATE INDEX followups_open ON followups(state, due_at);"
    "CREATE TABLE agency_lists ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  source TEXT NOT NULL,"
    "  category TEXT NOT NULL,"
    "  rows_total INTEGER NOT NULL,"
    "  created_by INTEGER,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX agency_lists_unit ON agency_lists(unit_id);"
    "CREATE TABLE agency_rows ("
    "  id INTEGER PRIMARY KEY,"
    "  list_id INTEGER NOT NULL REFERENCES agency_lists(id),"
    "  row_no INTEGER NOT NULL,"
    "  line INTEGER NOT NULL,"
    "  name TEXT,"
    "  id_number TEXT,"
    "  phone TEXT,"
    "  address TEXT,"
    "  arrival_day TEXT,"
    "  source TEXT,"
    "  state TEXT NOT NULL,"         /* matched to_review unmatched confirmed rejected registered */
    "  match TEXT,"
    "  resident_id INTEGER,"
    "  candidates TEXT,"             /* resident ids, comma separated */
    "  note TEXT,"
    "  isolation_id INTEGER,"
    "  resolved_by INTEGER,"
    "  resolved_at INTEGER);"
    "CREATE UNIQUE INDEX agency_rows_row ON agency_rows(list_id, row_no);"
    "CREATE INDEX agency_rows_state ON agency_rows(list_id, state, row_no);"
    "CREATE TABLE contacts ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES residents(id),"
    "  resident_id INTEGER REFERENCES residents(id),"
    "  name TEXT NOT NULL,"
    "  phone TEXT,"
    "  day TEXT NOT NULL,"
    "  place TEXT,"
    "  kind TEXT NOT NULL,"
    "  note TEXT,"
    "  created_by INTEGER,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX contacts_case ON contacts(case_id);"
    "CREATE INDEX contacts_resident ON contacts(resident_id);"
    "CREATE TABLE tasks ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER REFERENCES residents(id),"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  kind TEXT NOT NULL,"          /* contacts_observation disinfection building_notice lockdown */
    "  owner_id INTEGER REFERENCES users(id),"
    "  due_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL,"         /* open done */
    "  place TEXT,"
    "  team TEXT,"
    "  photo_note TEXT,"
    "  note TEXT,"
    "  done_at INTEGER,"
    "  done_by INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX tasks_unit ON tasks(unit_id, state);"
    "CREATE TABLE lockdowns ("
    "  unit_id INTEGER PRIMARY KEY REFERENCES units(id),"
    "  level INTEGER NOT NULL,"          /* 1 compound 2 building 3 unit */
    "  since INTEGER NOT NULL,"
    "  reason TEXT,"
    "  by_user INTEGER);"
    "CREATE TABLE lockdown_history ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER,"
    "  old_level INTEGER NOT NULL,"
    "  new_level INTEGER NOT NULL,"
    "  reason TEXT);"
    "CREATE INDEX lockdown_history_unit ON lockdown_history(unit_id, id);",

    /* 4: the check-in curve — the counters of every unit above the grids, copied every ten
     * minutes (grids and below draw theirs from the check-ins themselves) */
    "CREATE TABLE curve_points ("
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  day TEXT NOT NULL,"
    "  minute INTEGER NOT NULL,"          /* minutes after 00:00, China time */
    "  households_reached INTEGER NOT NULL,"
    "  residents_accounted INTEGER NOT NULL,"
    "  residents_reported INTEGER NOT NULL,"
    "  PRIMARY KEY (unit_id, day, minute));"
    "CREATE INDEX households_unit ON households(unit_id);",
    /* 5: one index on check-ins, by resident.  A check-in of a random resident changed a
     * random leaf page of every index of the table at each commit, and the writer's time
     * went on those pages: the household's index is gone (a household's check-ins are
     * found through its people), and the current reading is superseded_by = 0 rather than
     * NULL, so that one unique index serves the current reading (unique per resident and
     * day), a resident's history (was a scan of every check-in) and a household's day. */
    "UPDATE checkins SET superseded_by = 0 WHERE superseded_by IS NULL;"
    "DROP INDEX checkins_current;"
    "DROP INDEX checkins_household;"
    "CREATE UNIQUE INDEX checkins_resident ON checkins(resident_id, day, superseded_by);",

    /* 6: the day's counters keyed by (unit, day) alone: every check-in adds to the rows of
     * its grid and of every unit above, and a rowid table made each of those updates two
     * b-tree searches (the key's index, then the row) */
    "CREATE TABLE day_counts_new ("
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  day TEXT NOT NULL,"
    "  households_reached INTEGER NOT NULL DEFAULT 0,"
    "  residents_accounted INTEGER NOT NULL DEFAULT 0,"
    "  residents_reported INTEGER NOT NULL DEFAULT 0,"
    "  fevers INTEGER NOT NULL DEFAULT 0,"
    "  symptomatic INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (unit_id, day)) WITHOUT ROWID;"
    "INSERT INTO day_counts_new SELECT unit_id, day, households_reached, residents_accounted, residents_reported,"
    "  fevers, symptomatic FROM day_counts;"
    "DROP TABLE day_counts;"
    "ALTER TABLE day_counts_new RENAME TO day_counts;",

    /* 7: the district key (docs/SCALING.md): every unit records the district it lies in
     * (itself for a district; its root where no district is above it); households,
     * residents and check-ins carry their unit's, their household's and their resident's.
     * The PostgreSQL store leads their primary keys with it; here the rowid stays the key. */
    "ALTER TABLE units ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "CREATE TEMP TABLE unit_district (id INTEGER PRIMARY KEY, d INTEGER NOT NULL);"
    "WITH RECURSIVE t(id, d) AS (SELECT id, id FROM units WHERE parent_id IS NULL UNION ALL"
    "  SELECT u.id, CASE WHEN u.kind = 'district' THEN u.id ELSE t.d END FROM units u JOIN t ON u.parent_id = t.id)"
    "  INSERT INTO unit_district SELECT id, d FROM t;"
    "UPDATE units SET district_id = (SELECT d FROM unit_district x WHERE x.id = units.id);"
    "DROP TABLE unit_district;"
    "ALTER TABLE households ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "UPDATE households SET district_id = (SELECT u.district_id FROM units u WHERE u.id = households.unit_id);"
    "ALTER TABLE residents ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "UPDATE residents SET district_id = (SELECT h.district_id FROM households h WHERE h.id = residents.household_id);"
    "ALTER TABLE checkins ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "UPDATE checkins SET district_id = (SELECT r.district_id FROM residents r WHERE r.id = checkins.resident_id);",

    /* 8: a fever stays on the day's record (issue 13).  day_fever / day_symptoms are what
     * the resident had today up to and including this reading: a later normal reading is a
     * re-check and carries them on; only an explicit correction (its reason kept in
     * correction, correction_note) sets them back to what the day had before the reading
     * it corrects.  The day's counters count the current reading's day_fever. */
    "ALTER TABLE checkins ADD COLUMN day_fever INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE checkins ADD COLUMN day_symptoms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE checkins ADD COLUMN correction TEXT;"
    "ALTER TABLE checkins ADD COLUMN correction_note TEXT;"
    "UPDATE checkins SET day_fever = fever, day_symptoms = symptoms WHERE fever <> 0 OR symptoms <> 0;",

    /* 9: login failures counted per (name typed, client address) and per name ('*'), so
     * that a name typed elsewhere cannot lock the staff out (accounts.c); the old count by
     * name alone goes */
    "CREATE TABLE login_failures ("
    "  username TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  fail_count INTEGER NOT NULL,"
    "  fail_since INTEGER NOT NULL,"
    "  locked_until INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (username, source));"
    "DROP TABLE login_attempts;",

    /* 10: closed compounds (issue 16) — gates of a compound (any unit at community level or
     * below that has them) with their state's history, the compound's rules of passage,
     * household passes (token stored hashed), the passage log with its visitors, and the
     * counters kept with each passage: per gate and day by key, per household and day
     * (the outings quota), and who of the residents is outside now. */
    "CREATE TABLE gates ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  name TEXT NOT NULL,"
    "  people INTEGER NOT NULL DEFAULT 1,"
    "  vehicles INTEGER NOT NULL DEFAULT 0,"
    "  goods INTEGER NOT NULL DEFAULT 0,"
    "  opens INTEGER,"                       /* minutes after 00:00 China time; NULL: always */
    "  closes INTEGER,"
    "  state TEXT NOT NULL DEFAULT 'open'," /* open closed merged */
    "  merged_into INTEGER REFERENCES gates(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (unit_id, name));"
    "CREATE TABLE gate_history ("
    "  id INTEGER PRIMARY KEY,"
    "  gate_id INTEGER NOT NULL REFERENCES gates(id),"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER,"
    "  state TEXT NOT NULL,"
    "  merged_into INTEGER,"
    "  reason TEXT);"
    "CREATE INDEX gate_history_gate ON gate_history(gate_id, id);"
    "CREATE TABLE compound_rules ("
    "  unit_id INTEGER PRIMARY KEY REFERENCES units(id),"
    "  quota_outings INTEGER NOT NULL DEFAULT 0,"  /* 0: no quota */
    "  quota_days INTEGER NOT NULL DEFAULT 1,"
    "  test_max_hours INTEGER NOT NULL DEFAULT 48,"
    "  outing_minutes INTEGER NOT NULL DEFAULT 0," /* 0: no limit on time outside */
    "  updated_at INTEGER NOT NULL,"
    "  by_user INTEGER);"
    "CREATE TABLE household_passes ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  valid_from TEXT NOT NULL,"
    "  valid_to TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER,"
    "  revoked_at INTEGER,"
    "  revoked_by INTEGER);"
    "CREATE INDEX household_passes_hh ON household_passes(household_id);"
    "CREATE TABLE visitors ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"                /* visitor courier supplier medical utility */
    "  name TEXT NOT NULL,"
    "  phone TEXT,"
    "  id_number TEXT,"
    "  company TEXT,"
    "  plate TEXT,"
    "  visiting TEXT,"
    "  health_code TEXT,"                  /* green yellow red; none given going out */
    "  test_at INTEGER,"
    "  test_result TEXT,"                  /* negative positive */
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE passages ("
    "  id INTEGER PRIMARY KEY,"
    "  gate_id INTEGER NOT NULL REFERENCES gates(id),"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  day TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  direction TEXT NOT NULL,"           /* in out */
    "  kind TEXT NOT NULL,"                /* resident, or the visitor's kind */
    "  goods_only INTEGER NOT NULL DEFAULT 0,"
    "  resident_id INTEGER,"
    "  household_id INTEGER,"
    "  pass_id INTEGER,"
    "  visitor_id INTEGER REFERENCES visitors(id),"
    "  temperature REAL,"
    "  purpose TEXT,"
    "  allowed INTEGER NOT NULL,"
    "  reasons TEXT NOT NULL,"             /* JSON: [{code, message, en}], empty when allowed */
    "  alert_id INTEGER,"
    "  client_id TEXT UNIQUE,"
    "  recorded_by INTEGER);"
    "CREATE INDEX passages_gate_day ON passages(gate_id, day, id);"
    "CREATE TABLE gate_counts ("
    "  gate_id INTEGER NOT NULL REFERENCES gates(id),"
    "  day TEXT NOT NULL,"
    "  key TEXT NOT NULL,"                 /* in:resident out:visitor goods refused refused:CODE */
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (gate_id, day, key)) WITHOUT ROWID;"
    "CREATE TABLE household_outings ("
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  day TEXT NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (household_id, day)) WITHOUT ROWID;"
    "CREATE TABLE outside_now ("
    "  resident_id INTEGER PRIMARY KEY REFERENCES residents(id),"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  gate_id INTEGER NOT NULL REFERENCES gates(id),"
    "  household_id INTEGER NOT NULL,"
    "  since INTEGER NOT NULL,"
    "  passage_id INTEGER NOT NULL);"
    "CREATE INDEX outside_now_unit ON outside_now(unit_id, since);",

    /* 11: closed compounds, second part (issue 16) — a passage's capture time apart from
     * when the server stored it (a guard's phone that was offline syncs later), visitors'
     * personal data erased after the retention period (the row and its counts stay),
     * and buildings' time windows for going out (丽园). */
    "ALTER TABLE passages ADD COLUMN recorded_at INTEGER;"
    "CREATE INDEX passages_resident ON passages(resident_id, at);"
    "CREATE INDEX outside_now_gate ON outside_now(gate_id);"
    "ALTER TABLE visitors ADD COLUMN erased_at INTEGER;"
    "CREATE INDEX visitors_created ON visitors(created_at) WHERE erased_at IS NULL;"
    "CREATE TABLE building_windows ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  opens INTEGER NOT NULL,"                  /* minutes after 00:00 China time */
    "  closes INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  by_user INTEGER);"
    "CREATE INDEX building_windows_unit ON building_windows(unit_id, opens);",
    /* issue 17: keeping closed homes supplied — suppliers, packages, rounds with their
     * pickup slots, orders per household with their items and state history, and
     * proxy purchases (errands) with a cash ledger in fen (src/domain/supply.c) */
    "CREATE TABLE supply_suppliers ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  name TEXT NOT NULL,"
    "  contact TEXT,"
    "  phone TEXT,"
    "  note TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (unit_id, name));"
    "CREATE TABLE supply_packages ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  supplier_id INTEGER NOT NULL REFERENCES supply_suppliers(id),"
    "  name TEXT NOT NULL,"
    "  contents TEXT,"
    "  price_fen INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (unit_id, name));"
    "CREATE TABLE supply_rounds ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  name TEXT NOT NULL,"
    "  opens_at INTEGER NOT NULL,"
    "  cutoff_at INTEGER NOT NULL,"
    "  rest_minutes INTEGER NOT NULL DEFAULT 120,"
    "  closed_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER);"
    "CREATE TABLE supply_round_packages ("
    "  round_id INTEGER NOT NULL REFERENCES supply_rounds(id),"
    "  package_id INTEGER NOT NULL REFERENCES supply_packages(id),"
    "  PRIMARY KEY (round_id, package_id));"
    "CREATE TABLE supply_slots ("
    "  id INTEGER PRIMARY KEY,"
    "  round_id INTEGER NOT NULL REFERENCES supply_rounds(id),"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  starts_at INTEGER NOT NULL,"
    "  ends_at INTEGER NOT NULL,"
    "  capacity INTEGER NOT NULL);"
    "CREATE TABLE supply_orders ("
    "  id INTEGER PRIMARY KEY,"
    "  round_id INTEGER NOT NULL REFERENCES supply_rounds(id),"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  path TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  payment TEXT NOT NULL,"
    "  total_fen INTEGER NOT NULL,"
    "  door INTEGER NOT NULL DEFAULT 0,"
    "  door_reason TEXT,"
    "  slot_id INTEGER REFERENCES supply_slots(id),"
    "  client_id TEXT UNIQUE,"
    "  disinfected_at INTEGER,"
    "  state_at INTEGER NOT NULL,"
    "  handed_to TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  created_by INTEGER,"
    "  UNIQUE (round_id, household_id));"
    "CREATE TABLE supply_items ("
    "  order_id INTEGER NOT NULL REFERENCES supply_orders(id),"
    "  package_id INTEGER NOT NULL REFERENCES supply_packages(id),"
    "  qty INTEGER NOT NULL,"
    "  price_fen INTEGER NOT NULL,"
    "  PRIMARY KEY (order_id, package_id));"
    "CREATE TABLE supply_order_history ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES supply_orders(id),"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER,"
    "  from_state TEXT,"
    "  to_state TEXT NOT NULL,"
    "  note TEXT);"
    "CREATE TABLE errands ("
    "  id INTEGER PRIMARY KEY,"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  path TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  detail TEXT,"
    "  medicine TEXT,"
    "  dose TEXT,"
    "  hospital TEXT,"
    "  every_days INTEGER,"
    "  assignee_id INTEGER REFERENCES users(id),"
    "  state TEXT NOT NULL,"
    "  client_id TEXT UNIQUE,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER,"
    "  closed_at INTEGER);"
    "CREATE TABLE errand_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  errand_id INTEGER NOT NULL REFERENCES errands(id),"
    "  at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  amount_fen INTEGER NOT NULL,"
    "  receipt TEXT,"
    "  note TEXT,"
    "  holder_id INTEGER,"
    "  by_user INTEGER);"
    "CREATE INDEX supply_orders_round_path ON supply_orders(round_id, path);"
    "CREATE INDEX supply_order_history_order ON supply_order_history(order_id, id);"
    "CREATE INDEX supply_rounds_unit ON supply_rounds(unit_id, id);"
    "CREATE INDEX errands_path ON errands(path, id);"
    "CREATE INDEX errands_household ON errands(household_id);"
    "CREATE INDEX errand_ledger_errand ON errand_ledger(errand_id, id);"
    "CREATE INDEX errand_ledger_holder ON errand_ledger(holder_id);",
    /* help requests, the hotline's calls, leads, notices and their receipts (issue 18) */
    "CREATE TABLE help_requests ("
    "  id INTEGER PRIMARY KEY,"
    "  household_id INTEGER NOT NULL,"                       /* the household asked for; no foreign key (Citus distributes households) */
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"       /* the household's unit, for the subtree scope */
    "  category TEXT NOT NULL,"                              /* medical medicine supplies repairs counselling transport other */
    "  urgency TEXT NOT NULL,"                               /* urgent normal */
    "  text TEXT NOT NULL,"
    "  channel TEXT NOT NULL,"                               /* link visit hotline */
    "  state TEXT NOT NULL,"                                 /* new accepted in_progress done referred merged */
    "  worker_id INTEGER,"                                   /* the responsible grid worker at creation */
    "  day TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  due_at INTEGER NOT NULL,"                             /* created_at + the category and urgency's limit: open after it = overdue, one level up */
    "  accepted_at INTEGER,"
    "  closed_at INTEGER,"
    "  created_by INTEGER,"                                  /* NULL from the household's link */
    "  merged_into INTEGER,"
    "  rating INTEGER,"                                      /* 1..5 from the household's own link */
    "  rating_note TEXT,"
    "  rated_at INTEGER,"
    "  client_id TEXT UNIQUE);"
    "CREATE INDEX help_requests_unit ON help_requests(unit_id, state);"
    "CREATE INDEX help_requests_hh ON help_requests(household_id);"
    "CREATE TABLE help_steps ("
    "  id INTEGER PRIMARY KEY,"
    "  request_id INTEGER NOT NULL REFERENCES help_requests(id),"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER,"                                     /* NULL: the household's link */
    "  state TEXT NOT NULL,"                                 /* the state entered, or merged_from / rated */
    "  note TEXT,"
    "  referred_to TEXT);"
    "CREATE INDEX help_steps_req ON help_steps(request_id, id);"
    "CREATE TABLE hotline_calls ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"       /* the caller's household's unit, else the secretary's */
    "  household_id INTEGER,"
    "  kind TEXT NOT NULL,"                                  /* question request lead */
    "  note TEXT,"
    "  request_id INTEGER,"
    "  lead_id INTEGER,"
    "  day TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER,"
    "  client_id TEXT UNIQUE);"
    "CREATE INDEX hotline_calls_unit_day ON hotline_calls(unit_id, day);"
    "CREATE TABLE leads ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  household_id INTEGER,"                                /* the household the lead is about, when known */
    "  resident_id INTEGER,"                                 /* matched / confirmed resident */
    "  described TEXT,"                                      /* a described person ("5栋的一个中年男子") */
    "  text TEXT NOT NULL,"
    "  source TEXT NOT NULL,"                                /* resident worker hotline */
    "  reported_by INTEGER,"                                 /* NULL when anonymous or from a link: no trace of the sender */
    "  state TEXT NOT NULL,"                                 /* open matched confirmed rejected registered */
    "  category TEXT,"                                       /* the category a confirmation starts */
    "  outcome TEXT,"
    "  isolation_id INTEGER,"
    "  day TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  resolved_at INTEGER,"
    "  resolved_by INTEGER,"
    "  client_id TEXT UNIQUE);"
    "CREATE INDEX leads_unit ON leads(unit_id, state);"
    "CREATE TABLE notices ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  title TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER,"
    "  public_token TEXT NOT NULL UNIQUE);"                  /* opens the notice from a poster's QR code (a notice is public) */
    "CREATE INDEX notices_unit ON notices(unit_id, id);"
    "CREATE TABLE notice_reads ("
    "  notice_id INTEGER NOT NULL REFERENCES notices(id),"
    "  household_id INTEGER NOT NULL,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"       /* the household's unit when read */
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (notice_id, household_id)) WITHOUT ROWID;"
    "CREATE INDEX notice_reads_unit ON notice_reads(notice_id, unit_id);",
    /* 11: staffing the grids (issue 19) — staff records (grid leaders, workers, cadres sent
     * down, volunteers, building leaders; linked to an account and to a resident where they
     * have one), their assignments to grids, buildings and checkpoints with dates, cadre ↔
     * worker pairs (one-to-one by two unique keys), shift patterns and roster entries with
     * duty check-in/out, and each community's volunteer sign-up link (token hashed). */
    "CREATE TABLE staff ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  kind TEXT NOT NULL,"                 /* grid_leader grid_worker cadre volunteer building_leader */
    "  name TEXT NOT NULL,"
    "  phone TEXT,"
    "  employer TEXT,"                      /* a cadre's home employer */
    "  sent_from TEXT,"
    "  sent_to TEXT,"
    "  skills TEXT NOT NULL DEFAULT '',"    /* comma list: medical driver language psychology */
    "  availability TEXT,"
    "  party_member INTEGER NOT NULL DEFAULT 0,"
    "  user_id INTEGER REFERENCES users(id),"
    "  resident_id INTEGER REFERENCES residents(id),"
    "  state TEXT NOT NULL DEFAULT 'active'," /* active pending retired */
    "  source TEXT NOT NULL DEFAULT 'entered'," /* entered signup */
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX staff_unit ON staff(unit_id, kind);"
    "CREATE INDEX staff_resident ON staff(resident_id);"
    "CREATE INDEX units_kind_path ON units(kind, path);"       /* the grids of a subtree, for vacancies */
    "CREATE TABLE staff_assignments ("
    "  id INTEGER PRIMARY KEY,"
    "  staff_id INTEGER NOT NULL REFERENCES staff(id),"
    "  target TEXT NOT NULL,"               /* grid building checkpoint */
    "  position TEXT NOT NULL,"             /* the post filled: a staff kind */
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  gate_id INTEGER REFERENCES gates(id),"
    "  from_day TEXT NOT NULL,"
    "  to_day TEXT,"
    "  ended_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER);"
    "CREATE INDEX staff_assignments_unit ON staff_assignments(unit_id);"
    "CREATE INDEX staff_assignments_staff ON staff_assignments(staff_id);"
    "CREATE TABLE staff_pairs ("
    "  id INTEGER PRIMARY KEY,"
    "  cadre_id INTEGER NOT NULL UNIQUE REFERENCES staff(id),"
    "  worker_id INTEGER NOT NULL UNIQUE REFERENCES staff(id),"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER);"
    "CREATE TABLE shifts ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  gate_id INTEGER REFERENCES gates(id),"
    "  kind TEXT NOT NULL,"                 /* checkpoint patrol */
    "  name TEXT NOT NULL,"
    "  starts INTEGER NOT NULL,"               /* minutes after 00:00 China time */
    "  ends INTEGER NOT NULL,"                 /* at or before starts: the next morning */
    "  need INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX shifts_unit ON shifts(unit_id);"
    "CREATE TABLE rosters ("
    "  id INTEGER PRIMARY KEY,"
    "  shift_id INTEGER NOT NULL REFERENCES shifts(id),"
    "  staff_id INTEGER NOT NULL REFERENCES staff(id),"
    "  day TEXT NOT NULL,"
    "  starts_at INTEGER NOT NULL,"
    "  ends_at INTEGER NOT NULL,"
    "  night INTEGER NOT NULL,"
    "  checked_in_at INTEGER,"
    "  checked_out_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER);"
    "CREATE INDEX rosters_staff ON rosters(staff_id, starts_at);"
    "CREATE INDEX rosters_shift ON rosters(shift_id, day);"
    "CREATE TABLE volunteer_links ("
    "  unit_id INTEGER PRIMARY KEY REFERENCES units(id),"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER);",
    /* issue 17, part 5: the hardship fund and the merchants inside the compound (aid.c) */
    "CREATE TABLE aid_funds ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  name TEXT NOT NULL,"
    "  budget_fen INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (unit_id, name));"
    "CREATE TABLE aid_grants ("
    "  id INTEGER PRIMARY KEY,"
    "  fund_id INTEGER NOT NULL REFERENCES aid_funds(id),"
    "  household_id INTEGER NOT NULL REFERENCES households(id),"
    "  path TEXT NOT NULL,"
    "  amount_fen INTEGER NOT NULL,"
    "  what TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER);"
    "CREATE TABLE merchants ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  name TEXT NOT NULL,"
    "  phone TEXT NOT NULL,"
    "  address TEXT,"
    "  inside INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (unit_id, name));"
    "CREATE TABLE merchant_caps ("
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  class TEXT NOT NULL,"
    "  max_markup_pct INTEGER NOT NULL,"
    "  PRIMARY KEY (unit_id, class));"
    "CREATE TABLE merchant_prices ("
    "  id INTEGER PRIMARY KEY,"
    "  merchant_id INTEGER NOT NULL REFERENCES merchants(id),"
    "  product TEXT NOT NULL,"
    "  class TEXT NOT NULL,"
    "  price_fen INTEGER NOT NULL,"
    "  reference_fen INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER);"
    "CREATE TABLE merchant_complaints ("
    "  id INTEGER PRIMARY KEY,"
    "  merchant_id INTEGER NOT NULL REFERENCES merchants(id),"
    "  note TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER);"
    "CREATE INDEX aid_grants_fund ON aid_grants(fund_id, id);"
    "CREATE INDEX merchant_prices_merchant ON merchant_prices(merchant_id, id);"
    "CREATE INDEX merchant_complaints_merchant ON merchant_complaints(merchant_id, id);",
    /* issue 18, second part: files kept in the store (files.c) — a notice's letter or poster,
     * a help request's photos, later a supply receipt's — and a help request's escalation
     * written by the ticker when its time limit passes (help_tick) */
    "CREATE TABLE files ("
    "  id INTEGER PRIMARY KEY,"
    "  owner_kind TEXT NOT NULL,"                             /* notice help_request … (the record it belongs to) */
    "  owner_id INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"                                   /* shown and offered as the download's name; its extension is the type's */
    "  type TEXT NOT NULL,"                                   /* image/jpeg image/png application/pdf, read from the bytes */
    "  size INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  data BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER,"                                   /* NULL from a household's link */
    "  UNIQUE (owner_kind, owner_id, sha256));"
    "ALTER TABLE help_requests ADD COLUMN escalated_at INTEGER;"
    "CREATE INDEX help_requests_due ON help_requests(due_at) WHERE escalated_at IS NULL"
    "  AND state IN ('new', 'accepted', 'in_progress');",
    /* named essential-staff passes (通行证, issue 16): a person (a resident, or an outside
     * worker with employer and phone) for given compounds or gates, a validity period and a
     * purpose; the token stored hashed; passages through one name it */
    "CREATE TABLE staff_passes ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"                /* medical supply utility other */
    "  resident_id INTEGER,"                  /* no key to residents: distributed on Citus */
    "  name TEXT NOT NULL,"
    "  employer TEXT,"
    "  phone TEXT,"
    "  purpose TEXT NOT NULL,"
    "  valid_from TEXT NOT NULL,"
    "  valid_to TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER,"
    "  revoked_at INTEGER,"
    "  revoked_by INTEGER,"
    "  revoke_reason TEXT,"
    "  uses INTEGER NOT NULL DEFAULT 0,"
    "  last_used_at INTEGER);"
    "CREATE TABLE staff_pass_scope ("
    "  pass_id INTEGER NOT NULL REFERENCES staff_passes(id),"
    "  unit_id INTEGER REFERENCES units(id),"  /* a compound (or any unit: all its gates) */
    "  gate_id INTEGER REFERENCES gates(id));"
    "CREATE INDEX staff_pass_scope_pass ON staff_pass_scope(pass_id);"
    "CREATE INDEX staff_pass_scope_unit ON staff_pass_scope(unit_id);"
    "CREATE INDEX staff_pass_scope_gate ON staff_pass_scope(gate_id);"
    "ALTER TABLE passages ADD COLUMN staff_pass_id INTEGER;",
    /* duplicate-ID review (issue 14): a registration whose ID number is already registered
     * outside the registering account's scope is held — its number kept in id_held, out
     * of the unique index residents_doc, until a reviewer decides (registry.c) */
    "ALTER TABLE residents ADD COLUMN id_held TEXT;"
    "ALTER TABLE residents ADD COLUMN merged_into INTEGER;"   /* a duplicate row retired into this registration */
    "CREATE INDEX residents_id_held ON residents(id_held) WHERE id_held IS NOT NULL;"
    "CREATE TABLE id_reviews ("
    "  id INTEGER PRIMARY KEY,"
    "  resident_id INTEGER NOT NULL,"                 /* the held registration; no foreign key (Citus distributes residents) */
    "  existing_id INTEGER NOT NULL,"                 /* the registration that holds the number */
    "  id_type TEXT NOT NULL,"
    "  id_number TEXT NOT NULL,"
    "  source TEXT NOT NULL,"                       /* register import update correction */
    "  state TEXT NOT NULL,"                        /* open merged returned corrected kept */
    "  created_by INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  decided_by INTEGER,"
    "  decided_at INTEGER,"
    "  note TEXT,"
    "  corrected_by INTEGER,"
    "  corrected_at INTEGER);"
    "CREATE INDEX id_reviews_resident ON id_reviews(resident_id, state);"
    "CREATE INDEX id_reviews_state ON id_reviews(state, id);",
    /* issue 19, part 2: staffing kept cheap and staff's own health.  staff_counts: per unit (never
     * rolled up, so a move of the tree changes nothing) the open grid posts of active staff
     * (leaders, workers) and the unit's own staff by kind, pending and paired — kept by each
     * staff write, filled here from the rows; a city's vacancies read them instead of every
     * staff and assignment row.  Staff report their own temperature daily (staff_reports, one
     * row a day keeping the day's fever); a fever or a missed report takes them off duty
     * (staff.off_reason).  vacancy_fills: how each vacancy was filled, by whom, from where. */
    "CREATE TABLE staff_counts ("
    "  unit_id INTEGER PRIMARY KEY REFERENCES units(id),"
    "  leaders INTEGER NOT NULL DEFAULT 0,"
    "  workers INTEGER NOT NULL DEFAULT 0,"
    "  grid_leader INTEGER NOT NULL DEFAULT 0,"
    "  grid_worker INTEGER NOT NULL DEFAULT 0,"
    "  cadre INTEGER NOT NULL DEFAULT 0,"
    "  volunteer INTEGER NOT NULL DEFAULT 0,"
    "  building_leader INTEGER NOT NULL DEFAULT 0,"
    "  pending INTEGER NOT NULL DEFAULT 0,"
    "  paired_cadre INTEGER NOT NULL DEFAULT 0,"
    "  paired_worker INTEGER NOT NULL DEFAULT 0,"
    "  pairs INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO staff_counts(unit_id, leaders, workers, grid_leader, grid_worker, cadre, volunteer, building_leader,"
    " pending, paired_cadre, paired_worker, pairs)"
    " SELECT unit_id, sum(leaders), sum(workers), sum(grid_leader), sum(grid_worker), sum(cadre), sum(volunteer),"
    " sum(building_leader), sum(pending), sum(paired_cadre), sum(paired_worker), sum(pairs) FROM ("
    " SELECT a.unit_id AS unit_id, CASE WHEN a.position = 'grid_leader' THEN 1 ELSE 0 END AS leaders,"
    " CASE WHEN a.position = 'grid_worker' THEN 1 ELSE 0 END AS workers, 0 AS grid_leader, 0 AS grid_worker, 0 AS cadre,"
    " 0 AS volunteer, 0 AS building_leader, 0 AS pending, 0 AS paired_cadre, 0 AS paired_worker, 0 AS pairs"
    " FROM staff_assignments a JOIN staff s ON s.id = a.staff_id WHERE a.ended_at IS NULL AND a.target = 'grid'"
    " AND a.position IN ('grid_leader', 'grid_worker') AND s.state = 'active'"
    " UNION ALL SELECT s.unit_id, 0, 0,"
    " CASE WHEN s.state = 'active' AND s.kind = 'grid_leader' THEN 1 ELSE 0 END,"
    " CASE WHEN s.state = 'active' AND s.kind = 'grid_worker' THEN 1 ELSE 0 END,"
    " CASE WHEN s.state = 'active' AND s.kind = 'cadre' THEN 1 ELSE 0 END,"
    " CASE WHEN s.state = 'active' AND s.kind = 'volunteer' THEN 1 ELSE 0 END,"
    " CASE WHEN s.state = 'active' AND s.kind = 'building_leader' THEN 1 ELSE 0 END,"
    " CASE WHEN s.state = 'pending' THEN 1 ELSE 0 END,"
    " CASE WHEN s.state = 'active' AND s.kind = 'cadre' AND s.paired = 1 THEN 1 ELSE 0 END,"
    " CASE WHEN s.state = 'active' AND s.kind = 'grid_worker' AND s.paired = 1 THEN 1 ELSE 0 END,"
    " CASE WHEN s.kind = 'cadre' AND s.paired = 1 THEN 1 ELSE 0 END"
    " FROM (SELECT st.unit_id, st.kind, st.state, CASE WHEN EXISTS (SELECT 1 FROM staff_pairs p WHERE p.cadre_id = st.id)"
    " OR EXISTS (SELECT 1 FROM staff_pairs p WHERE p.worker_id = st.id) THEN 1 ELSE 0 END AS paired FROM staff st) s"
    ") x GROUP BY unit_id;"
    "CREATE INDEX staff_assignments_from ON staff_assignments(from_day);"
    "CREATE INDEX staff_assignments_to ON staff_assignments(to_day);"
    "ALTER TABLE staff ADD COLUMN off_reason TEXT;"
    "ALTER TABLE staff ADD COLUMN off_since INTEGER;"
    "CREATE INDEX staff_off ON staff(off_reason);"
    "CREATE TABLE staff_reports ("
    "  staff_id INTEGER NOT NULL REFERENCES staff(id),"
    "  day TEXT NOT NULL,"
    "  temperature REAL,"
    "  symptoms INTEGER NOT NULL DEFAULT 0,"
    "  fever INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER,"
    "  PRIMARY KEY (staff_id, day));"
    "CREATE TABLE vacancy_fills ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  kind TEXT NOT NULL,"
    "  staff_id INTEGER NOT NULL REFERENCES staff(id),"
    "  via TEXT NOT NULL,"
    "  ref_id INTEGER,"
    "  at INTEGER NOT NULL,"
    "  by_user INTEGER);"
    "CREATE INDEX vacancy_fills_unit ON vacancy_fills(unit_id, id);",
    /* issue 17, second round (supply2): after-sales on an order (missing, damaged, wrong
     * goods; replaced, refunded in fen or rejected), a delivery marked offline (the time it
     * was done, when it reached the server, its client id: a replay is stored once), and
     * the counters a million-order round's figures and picking list are read from — per
     * round and ordering unit, each package's quantity and orders (package 0: the orders
     * not cancelled) and the orders in each state — kept in the transaction of the change,
     * built here from the orders already stored. */
    "CREATE TABLE supply_aftersales ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES supply_orders(id),"
    "  round_id INTEGER NOT NULL REFERENCES supply_rounds(id),"
    "  path TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  package_id INTEGER,"
    "  qty INTEGER NOT NULL DEFAULT 0,"
    "  note TEXT,"
    "  via TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'open',"
    "  refund_fen INTEGER NOT NULL DEFAULT 0,"
    "  answer TEXT,"
    "  client_id TEXT UNIQUE,"
    "  created_at INTEGER NOT NULL,"
    "  created_by INTEGER,"
    "  resolved_at INTEGER,"
    "  resolved_by INTEGER);"
    "CREATE INDEX supply_aftersales_round ON supply_aftersales(round_id, path);"
    "CREATE INDEX supply_aftersales_order ON supply_aftersales(order_id, id);"
    "ALTER TABLE supply_order_history ADD COLUMN recorded_at INTEGER;"
    "ALTER TABLE supply_order_history ADD COLUMN client_id TEXT;"
    "CREATE UNIQUE INDEX supply_order_history_client ON supply_order_history(client_id);"
    "CREATE INDEX supply_orders_slot ON supply_orders(slot_id, state);"
    "CREATE TABLE supply_counts ("
    "  round_id INTEGER NOT NULL,"
    "  unit_id INTEGER NOT NULL,"
    "  package_id INTEGER NOT NULL,"
    "  qty INTEGER NOT NULL,"
    "  orders INTEGER NOT NULL,"
    "  PRIMARY KEY (round_id, unit_id, package_id));"
    "CREATE TABLE supply_state_counts ("
    "  round_id INTEGER NOT NULL,"
    "  unit_id INTEGER NOT NULL,"
    "  state TEXT NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (round_id, unit_id, state));"
    "INSERT INTO supply_counts(round_id, unit_id, package_id, qty, orders)"
    " SELECT o.round_id, o.unit_id, i.package_id, sum(i.qty), count(*) FROM supply_orders o JOIN supply_items i ON i.order_id = o.id"
    " WHERE o.state <> 'cancelled' GROUP BY o.round_id, o.unit_id, i.package_id;"
    "INSERT INTO supply_counts(round_id, unit_id, package_id, qty, orders)"
    " SELECT round_id, unit_id, 0, count(*), count(*) FROM supply_orders WHERE state <> 'cancelled' GROUP BY round_id, unit_id;"
    "INSERT INTO supply_state_counts(round_id, unit_id, state, n)"
    " SELECT round_id, unit_id, state, count(*) FROM supply_orders GROUP BY round_id, unit_id, state;",
    /* issue 17, third round (supply3): the cash of the round's orders in the cash ledger.  An
     * order paid in cash (payment 'cash') puts its total in the hand of whoever marked it
     * paid (a 'received' entry, the order named); a refund of it (after-sales, refunded) is
     * money handed back from that person's cash (a 'returned' entry naming the order and the
     * case).  Cash in hand per person = received - spent - returned over the errands' ledger
     * and this one.  The round's cash figures come from counters per round and ordering unit
     * kept in the same transaction; the entries of the orders paid in cash before this step
     * are built here (held by whoever moved the order to paid, else whoever placed it).  And
     * the pickup slots' counters (below). */
    "CREATE TABLE supply_cash ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES supply_orders(id),"
    "  round_id INTEGER NOT NULL,"
    "  unit_id INTEGER NOT NULL,"
    "  path TEXT NOT NULL,"
    "  aftersale_id INTEGER,"
    "  kind TEXT NOT NULL,"
    "  amount_fen INTEGER NOT NULL,"
    "  holder_id INTEGER,"
    "  by_user INTEGER,"
    "  at INTEGER NOT NULL,"
    "  note TEXT);"
    "CREATE INDEX supply_cash_order ON supply_cash(order_id, id);"
    "CREATE INDEX supply_cash_path ON supply_cash(path);"
    "CREATE UNIQUE INDEX supply_cash_aftersale ON supply_cash(aftersale_id);"
    "CREATE TABLE supply_cash_counts ("
    "  round_id INTEGER NOT NULL,"
    "  unit_id INTEGER NOT NULL,"
    "  received_fen INTEGER NOT NULL,"
    "  returned_fen INTEGER NOT NULL,"
    "  PRIMARY KEY (round_id, unit_id));"
    "INSERT INTO supply_cash(order_id, round_id, unit_id, path, kind, amount_fen, holder_id, by_user, at, note)"
    " SELECT o.id, o.round_id, o.unit_id, o.path, 'received', o.total_fen,"
    " coalesce((SELECT min(h.by_user) FROM supply_order_history h WHERE h.order_id = o.id AND h.to_state = 'paid'), o.created_by),"
    " coalesce((SELECT min(h.by_user) FROM supply_order_history h WHERE h.order_id = o.id AND h.to_state = 'paid'), o.created_by),"
    " o.state_at, NULL FROM supply_orders o WHERE o.payment = 'cash' AND o.state NOT IN ('ordered', 'cancelled') AND o.total_fen > 0;"
    "INSERT INTO supply_cash(order_id, round_id, unit_id, path, aftersale_id, kind, amount_fen, holder_id, by_user, at, note)"
    " SELECT a.order_id, a.round_id, c.unit_id, c.path, a.id, 'returned', a.refund_fen, c.holder_id, a.resolved_by, a.resolved_at, NULL"
    " FROM supply_aftersales a JOIN supply_cash c ON c.order_id = a.order_id AND c.kind = 'received'"
    " WHERE a.state = 'refunded' AND a.refund_fen > 0;"
    "INSERT INTO supply_cash_counts(round_id, unit_id, received_fen, returned_fen)"
    " SELECT round_id, unit_id, sum(CASE WHEN kind = 'received' THEN amount_fen ELSE 0 END),"
    " sum(CASE WHEN kind = 'returned' THEN amount_fen ELSE 0 END) FROM supply_cash GROUP BY round_id, unit_id;"
    /* a pickup slot's orders (not cancelled) and those of them not yet delivered or collected,
     * kept with each order and step: the round's slots and its late deliveries are read
     * without counting the orders */
    "ALTER TABLE supply_slots ADD COLUMN used INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE supply_slots ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;"
    "UPDATE supply_slots SET used = (SELECT count(*) FROM supply_orders o WHERE o.slot_id = supply_slots.id AND o.state <> 'cancelled'),"
    " pending = (SELECT count(*) FROM supply_orders o WHERE o.slot_id = supply_slots.id"
    " AND o.state NOT IN ('cancelled', 'delivered', 'collected'));",
    /* issue 17, fourth round (supply4): the round's cash handed over to the supplier.  The
     * cash a person took for the round's orders paid in cash stays in their hand until the
     * community pays the supplier: a handover (the holder, the supplier, the amount in fen,
     * the supplier's receipt number, who signed for it) is money leaving that person's hand,
     * a "spent" of the cash ledger for rounds, never more than they hold of the round's cash.
     * It sits at the holder's unit (or the round's, for a holder above the round) so that the
     * cash in hand of a subtree stays received - spent - returned; the round's cash counters
     * gain what was handed over.  A receipt is recorded once per supplier and round. */
    "CREATE TABLE supply_handovers ("
    "  id INTEGER PRIMARY KEY,"
    "  round_id INTEGER NOT NULL REFERENCES supply_rounds(id),"
    "  supplier_id INTEGER NOT NULL REFERENCES supply_suppliers(id),"
    "  holder_id INTEGER NOT NULL REFERENCES users(id),"
    "  unit_id INTEGER NOT NULL,"
    "  path TEXT NOT NULL,"
    "  amount_fen INTEGER NOT NULL,"
    "  receipt TEXT NOT NULL,"
    "  received_by TEXT,"
    "  note TEXT,"
    "  by_user INTEGER,"
    "  at INTEGER NOT NULL,"
    "  UNIQUE (round_id, supplier_id, receipt));"
    "CREATE INDEX supply_handovers_path ON supply_handovers(path);"
    "CREATE INDEX supply_handovers_holder ON supply_handovers(holder_id, round_id);"
    /* each person's part of a round's cash per ordering unit (the holder's unit for a
     * handover), kept with each entry: a handover's check and the round's cash per person
     * read a few rows, not the round's cash entries (holder 0: an entry written by no account) */
    "CREATE TABLE supply_cash_holders ("
    "  round_id INTEGER NOT NULL,"
    "  holder_id INTEGER NOT NULL,"
    "  unit_id INTEGER NOT NULL,"
    "  received_fen INTEGER NOT NULL,"
    "  returned_fen INTEGER NOT NULL,"
    "  handed_fen INTEGER NOT NULL,"
    "  PRIMARY KEY (round_id, holder_id, unit_id));"
    "INSERT INTO supply_cash_holders(round_id, holder_id, unit_id, received_fen, returned_fen, handed_fen)"
    " SELECT round_id, coalesce(holder_id, 0), unit_id, sum(CASE WHEN kind = 'received' THEN amount_fen ELSE 0 END),"
    " sum(CASE WHEN kind = 'returned' THEN amount_fen ELSE 0 END), 0 FROM supply_cash GROUP BY round_id, coalesce(holder_id, 0), unit_id;"
    "ALTER TABLE supply_cash_counts ADD COLUMN handed_fen INTEGER NOT NULL DEFAULT 0;",
    /* issue 20 (citus4): the district key on alerts, isolations, follow-ups, contacts (the
     * case's district) and response tasks (their unit's), as in migrate_pg.c */
    "ALTER TABLE alerts ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "UPDATE alerts SET district_id = (SELECT r.district_id FROM residents r WHERE r.id = alerts.resident_id);"
    "ALTER TABLE isolations ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "UPDATE isolations SET district_id = (SELECT r.district_id FROM residents r WHERE r.id = isolations.resident_id);"
    "ALTER TABLE followups ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "UPDATE followups SET district_id = (SELECT i.district_id FROM isolations i WHERE i.id = followups.isolation_id);"
    "ALTER TABLE contacts ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "UPDATE contacts SET district_id = (SELECT r.district_id FROM residents r WHERE r.id = contacts.case_id);"
    "ALTER TABLE tasks ADD COLUMN district_id INTEGER NOT NULL DEFAULT 0;"
    "UPDATE tasks SET district_id = (SELECT u.district_id FROM units u WHERE u.id = tasks.unit_id);",
    /* issue 20 (citus7): a primary key on staff_pass_scope, as in migrate_pg.c (the table
     * built again: SQLite adds no key column to a table) */
    "CREATE TABLE staff_pass_scope_new ("
    "  id INTEGER PRIMARY KEY,"
    "  pass_id INTEGER NOT NULL REFERENCES staff_passes(id),"
    "  unit_id INTEGER REFERENCES units(id),"
    "  gate_id INTEGER REFERENCES gates(id));"
    "INSERT INTO staff_pass_scope_new(pass_id, unit_id, gate_id) SELECT pass_id, unit_id, gate_id FROM staff_pass_scope ORDER BY rowid;"
    "DROP TABLE staff_pass_scope;"
    "ALTER TABLE staff_pass_scope_new RENAME TO staff_pass_scope;"
    "CREATE INDEX staff_pass_scope_pass ON staff_pass_scope(pass_id);"
    "CREATE INDEX staff_pass_scope_unit ON staff_pass_scope(unit_id);"
    "CREATE INDEX staff_pass_scope_gate ON staff_pass_scope(gate_id);",
    /* issue 21: the writer's deferred counters (stats.c).  A check-in whose counters the
     * writer holds in memory records them (deferred: unit id * 128 + the packed deltas);
     * a counter row records the last such check-in it includes (through); the mark is a
     * check-in id at or below which every deferred check-in is in the counters.  A start
     * after a crash adds those above the mark that a row does not include yet. */
    "ALTER TABLE checkins ADD COLUMN deferred INTEGER;"
    "ALTER TABLE day_counts ADD COLUMN through INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE day_counts_mark (id INTEGER PRIMARY KEY CHECK (id = 1), checkin_id INTEGER NOT NULL);"
    "INSERT INTO day_counts_mark VALUES (1, coalesce((SELECT max(id) FROM checkins), 0));",
    /* issue 21: the check-ins' index led by the day — the same columns, the same
     * uniqueness.  Led by the resident, a rush's probes and inserts land all over the
     * index of every day so far, and the writer maps most of it (1.9 GB at a million
     * residents with fourteen days of check-ins, against 467 MB: bench/README.md, "A store
     * with history"); led by the day they stay in today's part.  A resident's check-ins
     * across days are found by a seek per day (sql.def, CHK_DAYS).  The build takes
     * ~25 s per 15 million check-ins, once. */
    ("DROP INDEX checkins_resident;"
     "CREATE UNIQUE INDEX checkins_resident ON checkins(day, resident_id, superseded_by);"),
};

const int migrations_sqlite_count = (int)(sizeof migrations_sqlite / sizeof migrations_sqlite[0]);
