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
};

const int migrations_sqlite_count = (int)(sizeof migrations_sqlite / sizeof migrations_sqlite[0]);
