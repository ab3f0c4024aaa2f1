/* layout_citus.c — the schema laid out for a Citus cluster (docs/SCALING.md, "A province").
 * Not a numbered migration: the PostgreSQL driver runs it after the migrations, only when
 * the database it opened is a Citus coordinator (the citus extension is there), in one
 * transaction under the migrators' lock.  A plain PostgreSQL never sees it.
 *
 * - households, residents and check-ins are distributed by district_id and co-located:
 *   a district's rows and every join of the hot paths between them stay on one node;
 * - the day's counters and the audit stay on the coordinator (Citus-managed local tables):
 *   what a check-in writes lives on its district's worker and the coordinator only, so a
 *   worker down stops its own districts and no other (tests/citus/test_worker_down.py);
 * - every other table (the tree of units, accounts, sessions, settings, unit totals and the
 *   rest, for now) is a reference table, copied to every node;
 * - what Citus refuses, and what each rule became (SCALING.md has the reasons):
 *   the foreign keys between the three distributed tables become (district_id, …_id)
 *   pairs; those from reference tables to them are dropped (Citus cannot check a
 *   reference row against a distributed one: the domain loads the resident or household
 *   it names first); a unique rule must contain district_id, so `id` alone is no longer
 *   unique (one identity sequence on the coordinator gives every id, an index on id
 *   keeps the look-ups by bare id), and households_room, residents_doc, checkins_resident
 *   and checkins_client gain district_id as a trailing column.
 * The step is re-run on every open: its first part only while check-ins are not yet
 * distributed, the second turns any table a later migration added into a reference table.
 * Triggers (the audit's and the status history's append-only rule) are carried to the
 * shards: Citus calls them "unsafe" because a trigger that reads other tables would run
 * on one shard; these only raise an error. */
#include <stddef.h>

#include "db/db.h"
#include "db/migrate.h"

const char citus_layout[] =
    "SET LOCAL citus.multi_shard_modify_mode TO 'sequential';"
    "SET LOCAL citus.enable_unsafe_triggers TO on;"
    "DO $$ DECLARE f record; t text; n int; refs text[] := '{}'; BEGIN"
    "  IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'checkins'::regclass) THEN"
    /* a table that references a reference table joins Citus's metadata by itself; the
     * distributed ones must not (a Citus-managed local table with an identity column
     * cannot be distributed), so their key to units waits until they are distributed */
    "    ALTER TABLE households DROP CONSTRAINT households_unit_id_fkey;"
    "    FOR f IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint WHERE contype = 'f'"
    "      AND confrelid IN ('households'::regclass, 'residents'::regclass, 'checkins'::regclass) LOOP"
    "      EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', f.tbl, f.conname);"
    "    END LOOP;"
    "    ALTER TABLE households DROP CONSTRAINT households_id;"
    "    ALTER TABLE residents DROP CONSTRAINT residents_id;"
    "    ALTER TABLE checkins DROP CONSTRAINT checkins_id;"
    "    CREATE INDEX households_by_id ON households(id);"
    "    CREATE INDEX residents_by_id ON residents(id);"
    "    CREATE INDEX checkins_by_id ON checkins(id);"
    "    DROP INDEX households_room;"
    "    CREATE UNIQUE INDEX households_room ON households(unit_id, room, district_id) WHERE retired_at IS NULL;"
    "    DROP INDEX residents_doc;"
    "    CREATE UNIQUE INDEX residents_doc ON residents(id_type, id_number, district_id) WHERE id_number IS NOT NULL;"
    "    DROP INDEX checkins_resident;"
    "    CREATE UNIQUE INDEX checkins_resident ON checkins(resident_id, day, superseded_by, district_id);"
    "    DROP INDEX checkins_client;"
    "    CREATE UNIQUE INDEX checkins_client ON checkins(client_id, district_id) WHERE client_id IS NOT NULL;"
    "    ALTER TABLE residents ADD CONSTRAINT residents_household_fkey FOREIGN KEY (district_id, household_id)"
    "      REFERENCES households(district_id, id);"
    "    ALTER TABLE checkins ADD CONSTRAINT checkins_resident_fkey FOREIGN KEY (district_id, resident_id)"
    "      REFERENCES residents(district_id, id);"
    "    ALTER TABLE checkins ADD CONSTRAINT checkins_household_fkey FOREIGN KEY (district_id, household_id)"
    "      REFERENCES households(district_id, id);"
    "  END IF;"
    /* alerts, isolations, follow-ups, contacts and tasks (issue 20, citus4): their keys are
     * dropped while they join the three — kept aside, those to reference tables, and put
     * back once they are distributed; those between them and to the three come back as
     * (district_id, …) pairs; those from their histories (alert_steps, isolation_events,
     * on the coordinator) and to a contact's or a task's other person are dropped */
    "  IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'alerts'::regclass) THEN"
    "    FOR f IN SELECT conrelid::regclass AS tbl, conname, confrelid, pg_get_constraintdef(oid) AS def FROM pg_constraint"
    "      WHERE contype = 'f' AND (confrelid = ANY (ARRAY['alerts', 'isolations', 'followups', 'contacts', 'tasks']::regclass[])"
    "      OR conrelid = ANY (ARRAY['alerts', 'isolations', 'followups', 'contacts', 'tasks']::regclass[])) LOOP"
    "      IF f.confrelid IN ('units'::regclass, 'users'::regclass) THEN"
    "        refs := refs || format('ALTER TABLE %s ADD CONSTRAINT %I %s', f.tbl, f.conname, f.def);"
    "      END IF;"
    "      EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', f.tbl, f.conname);"
    "    END LOOP;"
    "    FOREACH t IN ARRAY ARRAY['alerts', 'isolations', 'followups', 'contacts', 'tasks'] LOOP"
    "      EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD PRIMARY KEY (district_id, id)', t, t || '_pkey');"
    "      EXECUTE format('CREATE INDEX %I ON %I(id)', t || '_by_id', t);"
    "    END LOOP;"
    "    DROP INDEX isolations_active;"
    "    CREATE UNIQUE INDEX isolations_active ON isolations(resident_id, district_id) WHERE state = 'active';"
    "    DROP INDEX followups_slot;"
    "    CREATE UNIQUE INDEX followups_slot ON followups(isolation_id, day, slot, district_id);"
    "  END IF;"
    /* reference tables, each after the tables it references */
    "  LOOP"
    "    n := 0;"
    "    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace"
    "      WHERE s.nspname = 'public' AND c.relkind = 'r'"
    "      AND c.relname NOT IN ('households', 'residents', 'checkins', 'audit', 'day_counts', 'schema_version',"
    "        'alerts', 'isolations', 'followups', 'contacts', 'tasks', 'alert_steps', 'isolation_events')"
    "      AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid AND p.repmodel = 't')"
    "      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f'"
    "        AND k.confrelid <> c.oid AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p"
    "          WHERE p.logicalrelid = k.confrelid AND p.repmodel = 't')) LOOP"
    "      PERFORM create_reference_table(t);"
    "      n := n + 1;"
    "    END LOOP;"
    "    EXIT WHEN n = 0;"
    "  END LOOP;"
    "  IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'checkins'::regclass) THEN"
    "    PERFORM create_distributed_table('households', 'district_id');"
    "    PERFORM create_distributed_table('residents', 'district_id', colocate_with => 'households');"
    "    PERFORM create_distributed_table('checkins', 'district_id', colocate_with => 'households');"
    "    ALTER TABLE households ADD CONSTRAINT households_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units(id);"
    "  END IF;"
    "  IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'alerts'::regclass) THEN"
    "    FOREACH t IN ARRAY ARRAY['alerts', 'isolations', 'followups', 'contacts', 'tasks'] LOOP"
    "      PERFORM create_distributed_table(t, 'district_id', colocate_with => 'households');"
    "    END LOOP;"
    "    ALTER TABLE alerts ADD CONSTRAINT alerts_resident_fkey FOREIGN KEY (district_id, resident_id)"
    "      REFERENCES residents(district_id, id);"
    "    ALTER TABLE alerts ADD CONSTRAINT alerts_household_fkey FOREIGN KEY (district_id, household_id)"
    "      REFERENCES households(district_id, id);"
    "    ALTER TABLE alerts ADD CONSTRAINT alerts_checkin_fkey FOREIGN KEY (district_id, checkin_id)"
    "      REFERENCES checkins(district_id, id);"
    "    ALTER TABLE isolations ADD CONSTRAINT isolations_resident_fkey FOREIGN KEY (district_id, resident_id)"
    "      REFERENCES residents(district_id, id);"
    "    ALTER TABLE isolations ADD CONSTRAINT isolations_household_fkey FOREIGN KEY (district_id, household_id)"
    "      REFERENCES households(district_id, id);"
    "    ALTER TABLE followups ADD CONSTRAINT followups_isolation_fkey FOREIGN KEY (district_id, isolation_id)"
    "      REFERENCES isolations(district_id, id);"
    "    ALTER TABLE contacts ADD CONSTRAINT contacts_case_fkey FOREIGN KEY (district_id, case_id)"
    "      REFERENCES residents(district_id, id);"
    "    FOREACH t IN ARRAY refs LOOP EXECUTE t; END LOOP;"
    "    FOREACH t IN ARRAY ARRAY['alert_steps', 'isolation_events'] LOOP"
    "      IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t::regclass) THEN"
    "        PERFORM citus_add_local_table_to_metadata(t);"
    "      END IF;"
    "    END LOOP;"
    "  END IF;"
    /* the counters above a district summed at read (issue 20, citus6): a check-in writes its
     * counters from its district's key unit down, and a unit's day is its row plus those of
     * the key units below it (DAY_GET …), found by this index.  A store laid out before kept
     * every ancestor's row whole: each such row loses what the topmost key units below it
     * hold (the same day's rows, read before the update), so the sum at read counts each
     * check-in once */
    "  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'units_district_keys') THEN"
    "    UPDATE day_counts t SET households_reached = t.households_reached - x.h, residents_accounted = t.residents_accounted - x.a,"
    "      residents_reported = t.residents_reported - x.r, fevers = t.fevers - x.f, symptomatic = t.symptomatic - x.s"
    "      FROM (SELECT u.id, d.day, sum(d.households_reached) AS h, sum(d.residents_accounted) AS a, sum(d.residents_reported) AS r,"
    "        sum(d.fevers) AS f, sum(d.symptomatic) AS s FROM units u"
    "        JOIN units k ON k.id = k.district_id AND k.path > u.path AND k.path < left(u.path, -1) || '0'"
    "        JOIN day_counts d ON d.unit_id = k.id"
    "        WHERE NOT EXISTS (SELECT 1 FROM units m WHERE m.id = m.district_id AND m.path > u.path"
    "          AND k.path > m.path AND k.path < left(m.path, -1) || '0')"
    "        GROUP BY u.id, d.day) x"
    "      WHERE t.unit_id = x.id AND t.day = x.day;"
    "    CREATE INDEX units_district_keys ON units(path) WHERE id = district_id;"
    "  END IF;"
    /* the day's counters distributed by district, co-located with households (citus7): a
     * row's district is its unit's (a check-in writes its counters from its district's key
     * down, so every row it writes is of its own district), a column of Citus's alone,
     * filled by the inserts' Citus texts from the unit; a batch of one district's check-ins
     * writes one worker.  A store laid out before held them on the coordinator (a
     * Citus-managed local table) or, earlier still, on every node: brought back to one
     * table and distributed here, once (their key to units dropped while it moves) */
    "  IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'day_counts'::regclass AND partmethod = 'h') THEN"
    "    ALTER TABLE day_counts DROP CONSTRAINT day_counts_unit_id_fkey;"
    "    IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'day_counts'::regclass) THEN"
    "      PERFORM undistribute_table('day_counts');"
    "    END IF;"
    "    ALTER TABLE day_counts ADD COLUMN district_id BIGINT;"
    "    UPDATE day_counts d SET district_id = u.district_id FROM units u WHERE u.id = d.unit_id;"
    "    ALTER TABLE day_counts ALTER COLUMN district_id SET NOT NULL;"
    "    ALTER TABLE day_counts DROP CONSTRAINT day_counts_pkey;"
    "    ALTER TABLE day_counts ADD PRIMARY KEY (district_id, unit_id, day);"
    "    PERFORM create_distributed_table('day_counts', 'district_id', colocate_with => 'households');"
    "    ALTER TABLE day_counts ADD CONSTRAINT day_counts_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES units(id);"
    "  END IF;"
    /* the audit distributed by a key of its own, co-located too (citus7): the district of
     * the acting account's unit (0 for the operator), so that a grid worker's check-ins and
     * their audit rows are one worker's writes — on the coordinator (a Citus-managed local
     * table) they made every batch a two-phase commit of the coordinator and the worker.
     * A store laid out before (its audit on the coordinator, or earlier distributed by id)
     * has its rows copied once into a new table distributed so (Citus cannot move a table
     * with an identity column), each with its account's district, the ids kept */
    "  ALTER TABLE audit ADD COLUMN IF NOT EXISTS district_id BIGINT NOT NULL DEFAULT 0;"
    "  IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'audit'::regclass) THEN"
    "    ALTER TABLE audit DROP CONSTRAINT audit_pkey;"
    "    ALTER TABLE audit ADD PRIMARY KEY (district_id, id);"
    "    CREATE INDEX audit_by_id ON audit(id);"
    "    PERFORM create_distributed_table('audit', 'district_id', colocate_with => 'households');"
    "  ELSIF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'audit'::regclass AND partmethod = 'h'"
    "      AND column_to_column_name(logicalrelid, partkey) = 'district_id') THEN"
    "    ALTER TABLE audit DROP CONSTRAINT audit_pkey;"
    "    CREATE TABLE audit_d (LIKE audit INCLUDING DEFAULTS INCLUDING IDENTITY);"
    "    ALTER TABLE audit_d ADD CONSTRAINT audit_pkey PRIMARY KEY (district_id, id);"
    "    PERFORM create_distributed_table('audit_d', 'district_id', colocate_with => 'households');"
    "    INSERT INTO audit_d(id, at, user_id, username, role, action, entity, entity_id, fields, source, outcome, district_id)"
    "      OVERRIDING SYSTEM VALUE SELECT a.id, a.at, a.user_id, a.username, a.role, a.action, a.entity, a.entity_id, a.fields,"
    "      a.source, a.outcome, coalesce(n.district_id, 0) FROM audit a LEFT JOIN users s ON s.id = a.user_id"
    "      LEFT JOIN units n ON n.id = s.unit_id;"
    "    PERFORM setval(pg_get_serial_sequence('audit_d', 'id'), coalesce((SELECT max(id) FROM audit), 0) + 1, false);"
    "    DROP TABLE audit;"
    "    ALTER TABLE audit_d RENAME TO audit;"
    "    CREATE INDEX audit_at ON audit(at);"
    "    CREATE INDEX audit_by_id ON audit(id);"
    "    CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
    "    CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();"
    "  END IF;"
    "END $$;"
    /* a row's district where the portable statement reads it with a subquery: Citus must
     * know the distribution column before it routes an insert, and evaluates a function
     * call of the VALUES list on the coordinator first (plpgsql, so never inlined back
     * into a subquery) */
    "CREATE OR REPLACE FUNCTION wg_unit_district(u bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$"
    "  BEGIN RETURN (SELECT district_id FROM units WHERE id = u); END $f$;"
    "CREATE OR REPLACE FUNCTION wg_household_district(h bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$"
    "  BEGIN RETURN (SELECT district_id FROM households WHERE id = h); END $f$;"
    "CREATE OR REPLACE FUNCTION wg_resident_district(r bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$"
    "  BEGIN RETURN (SELECT district_id FROM residents WHERE id = r); END $f$;"
    "CREATE OR REPLACE FUNCTION wg_isolation_district(i bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$"
    "  BEGIN RETURN (SELECT district_id FROM isolations WHERE id = i); END $f$;"
    /* the district of an account's unit (0: no account, the operator): the audit's key */
    "CREATE OR REPLACE FUNCTION wg_user_district(u bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$"
    "  BEGIN RETURN coalesce((SELECT n.district_id FROM users s JOIN units n ON n.id = s.unit_id WHERE s.id = u), 0); END $f$;"
    /* a batch's counters and audit rows (DAY_ADD_MANY, AUDIT_ADD_MANY: a JSON array) as one
     * INSERT … VALUES of constants, each row with its district: Citus routes each row to its
     * shard and writes them over the connection that wrote the batch's check-ins.  An
     * INSERT … SELECT would go through the coordinator as a COPY, and Citus commits every
     * COPY in two phases — the two-phase commit a one-district batch must not need */
    "CREATE OR REPLACE FUNCTION wg_day_add_many(j jsonb) RETURNS void LANGUAGE plpgsql AS $f$"
    "  DECLARE v text; BEGIN"
    "  SELECT string_agg(format('(%s, %s, %L, %s, %s, %s, %s, %s)', n.district_id, x.u, x.d, x.h, x.a, x.r, x.f, x.s), ', '"
    "    ORDER BY n.district_id, x.u, x.d) INTO v FROM jsonb_to_recordset(j)"
    "    AS x(u bigint, d text, h bigint, a bigint, r bigint, f bigint, s bigint) JOIN units n ON n.id = x.u;"
    "  IF v IS NOT NULL THEN EXECUTE 'INSERT INTO day_counts AS t (district_id, unit_id, day, households_reached,"
    "    residents_accounted, residents_reported, fevers, symptomatic) VALUES ' || v || ' ON CONFLICT (district_id, unit_id, day)"
    "    DO UPDATE SET households_reached = t.households_reached + excluded.households_reached,"
    "    residents_accounted = t.residents_accounted + excluded.residents_accounted,"
    "    residents_reported = t.residents_reported + excluded.residents_reported, fevers = t.fevers + excluded.fevers,"
    "    symptomatic = t.symptomatic + excluded.symptomatic'; END IF;"
    "  END $f$;"
    "CREATE OR REPLACE FUNCTION wg_audit_add_many(j jsonb) RETURNS void LANGUAGE plpgsql AS $f$"
    "  DECLARE v text; BEGIN"
    "  SELECT string_agg(format('(%L, %L, %L, %L, %L, %L, %L, %L, %L, %L, %s)', x.at, x.user_id, x.username, x.role, x.action,"
    "    x.entity, x.entity_id, x.fields, x.source, x.outcome, wg_user_district(x.user_id)), ', ') INTO v"
    "    FROM jsonb_to_recordset(j) AS x(at bigint, user_id bigint, username text, role text, action text, entity text,"
    "    entity_id text, fields text, source text, outcome text);"
    "  IF v IS NOT NULL THEN EXECUTE 'INSERT INTO audit(at, user_id, username, role, action, entity, entity_id, fields, source,"
    "    outcome, district_id) VALUES ' || v; END IF;"
    "  END $f$;"
    /* a unit's day (DAY_GET) and its children's (DAY_CHILDREN) from the distributed counters:
     * the rows read are those of the units asked for (each of its unit's district) and of the
     * district key units below them (DAY_GET's text below says why), named by district and
     * unit, so that below a district it is one shard's read (routed), and above it the
     * districts' shards only.  The statement is run with the arrays' values (EXECUTE …
     * USING), which is what Citus prunes the shards by */
    "CREATE OR REPLACE FUNCTION wg_day_keys(p text) RETURNS bigint[] LANGUAGE sql STABLE AS $f$"
    "  SELECT ARRAY(SELECT k.id FROM units k WHERE k.id = k.district_id AND k.path > p AND k.path < left(p, -1) || '0') $f$;"
    "CREATE OR REPLACE FUNCTION wg_day_get(u bigint, dy text) RETURNS TABLE(o_households bigint, o_residents bigint,"
    "  o_h bigint, o_a bigint, o_r bigint, o_f bigint, o_s bigint) LANGUAGE plpgsql STABLE AS $f$"
    "  DECLARE p text; dist bigint; keys bigint[]; BEGIN"
    "  SELECT path, district_id INTO p, dist FROM units WHERE id = u;"
    "  keys := wg_day_keys(p);"
    "  RETURN QUERY EXECUTE $q$SELECT coalesce(s.households, 0), coalesce(s.residents, 0), c.h, c.a, c.r, c.f, c.s"
    "    FROM units u LEFT JOIN unit_stats s ON s.unit_id = u.id CROSS JOIN (SELECT coalesce(sum(households_reached), 0)::bigint AS h,"
    "    coalesce(sum(residents_accounted), 0)::bigint AS a, coalesce(sum(residents_reported), 0)::bigint AS r,"
    "    coalesce(sum(fevers), 0)::bigint AS f, coalesce(sum(symptomatic), 0)::bigint AS s FROM day_counts"
    "    WHERE day = $2 AND district_id = ANY ($3) AND unit_id = ANY ($4)) c WHERE u.id = $1$q$"
    "    USING u, dy, dist || keys, u || keys;"
    "  END $f$;"
    "CREATE OR REPLACE FUNCTION wg_day_children(u bigint, dy text) RETURNS TABLE(o_code text, o_name text, o_kind text,"
    "  o_households bigint, o_residents bigint, o_h bigint, o_a bigint, o_r bigint, o_f bigint, o_s bigint)"
    "  LANGUAGE plpgsql STABLE AS $f$"
    "  DECLARE keys bigint[]; ids bigint[]; dists bigint[]; BEGIN"
    "  keys := wg_day_keys((SELECT path FROM units WHERE id = u));"
    "  SELECT coalesce(array_agg(c.id), '{}'), coalesce(array_agg(DISTINCT c.district_id), '{}') INTO ids, dists"
    "    FROM units c WHERE c.parent_id = u AND c.retired_at IS NULL;"
    "  RETURN QUERY EXECUTE $q$WITH d AS MATERIALIZED (SELECT unit_id, households_reached, residents_accounted, residents_reported,"
    "    fevers, symptomatic FROM day_counts WHERE day = $2 AND district_id = ANY ($3) AND unit_id = ANY ($4))"
    "    SELECT c.code, c.name, c.kind, coalesce(s.households, 0), coalesce(s.residents, 0), coalesce(x.h, 0), coalesce(x.a, 0),"
    "    coalesce(x.r, 0), coalesce(x.f, 0), coalesce(x.s, 0) FROM units c LEFT JOIN unit_stats s ON s.unit_id = c.id"
    "    CROSS JOIN LATERAL (SELECT sum(d.households_reached)::bigint AS h, sum(d.residents_accounted)::bigint AS a,"
    "    sum(d.residents_reported)::bigint AS r, sum(d.fevers)::bigint AS f, sum(d.symptomatic)::bigint AS s"
    "    FROM units k JOIN d ON d.unit_id = k.id WHERE k.id = c.id"
    "    OR (k.id = k.district_id AND k.path > c.path AND k.path < left(c.path, -1) || '0')) x"
    "    WHERE c.parent_id = $1 AND c.retired_at IS NULL ORDER BY c.kind, c.code COLLATE wg_nat$q$"
    "    USING u, dy, dists || keys, ids || keys;"
    "  END $f$;"
    /* the curve's points of the day (CURVE_SNAPSHOT, the ticker's, every 10 minutes): the
     * day's rows of the curve's units read first, from every shard, then summed per unit as
     * wg_day_get does; the day and minute written into the text (Citus plans this insert of
     * a subquery's rows into a reference table only without parameters) */
    "CREATE OR REPLACE FUNCTION wg_curve_snapshot(dy text, mn integer) RETURNS void LANGUAGE plpgsql AS $f$ BEGIN"
    "  EXECUTE format($q$INSERT INTO curve_points(unit_id, day, minute, households_reached, residents_accounted,"
    "    residents_reported) WITH d AS MATERIALIZED (SELECT unit_id, households_reached, residents_accounted, residents_reported"
    "    FROM day_counts WHERE day = %1$L AND unit_id IN (SELECT id FROM units WHERE kind IN ('province', 'city', 'district',"
    "    'street', 'community'))) SELECT u.id, %1$L, %2$s, coalesce(c.h, 0), coalesce(c.a, 0), coalesce(c.r, 0) FROM units u"
    "    CROSS JOIN LATERAL (SELECT sum(d.households_reached)::bigint AS h, sum(d.residents_accounted)::bigint AS a,"
    "    sum(d.residents_reported)::bigint AS r FROM units k JOIN d ON d.unit_id = k.id WHERE k.id = u.id"
    "    OR (k.id = k.district_id AND k.path > u.path AND k.path < left(u.path, -1) || '0')) c"
    "    WHERE u.kind IN ('province', 'city', 'district', 'street', 'community') AND u.retired_at IS NULL"
    "    ON CONFLICT DO NOTHING$q$, dy, mn);"
    "  END $f$;"
    /* a row's district is its shard: moving households or people to another district
     * (a delete and an insert on Citus) is not done yet, and is refused in those words */
    "CREATE OR REPLACE FUNCTION wg_same_district(a bigint, b bigint) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $f$"
    "  BEGIN IF a IS DISTINCT FROM b THEN RAISE EXCEPTION"
    "  '在 Citus 上暂不支持迁往另一个区 / moving to another district is not supported on Citus yet (% -> %)', a, b;"
    "  END IF; RETURN true; END $f$;";

/* every connection: joins of the distributed tables that do not name the district run as
 * repartition joins rather than fail; a statement over many shards uses one connection
 * per worker, so that a transaction may write a reference table after reading many
 * shards (Citus refuses it after a parallel read: the units, the counters) */
const char citus_session[] = "SET citus.enable_repartition_joins TO on;"
                             "SET citus.multi_shard_modify_mode TO 'sequential'";

typedef struct {
	int id;
	const char *sql;
} citus_stmt;

/* the statements Citus refuses as written in sql.def, with the same parameters */
static const citus_stmt citus_stmts[] = {
    {SQL_UNIT_INSERT, "INSERT INTO units(code, parent_id, kind, name, path, depth, created_at, updated_at, district_id)"
                      " VALUES ($1, $2, $3, $4, '', $5, $6, $6, coalesce(wg_unit_district($2), 0)) RETURNING id"},
    /* a household or a person stays in their district (wg_same_district refuses else), so
     * the district key is not set, and what follows a move across districts does nothing */
    {SQL_HH_UPDATE, "UPDATE households SET unit_id = $2, room = $3, occupancy = $4, note = $5, retired_at = $6,"
                    " updated_at = $7 WHERE id = $1 AND wg_same_district(district_id, wg_unit_district($2))"},
    {SQL_RES_UPDATE, "UPDATE residents SET household_id = $2, name = $3, name_pinyin = $4, name_initials = $5, sex = $6,"
                     " birth_date = $7, id_type = $8, id_number = $9, id_tail = $10, phone = $11, phone_tail = $12,"
                     " relation = $13, flags = $14, residence = $15, note = $16, moved_out_at = $17, updated_at = $18"
                     " WHERE id = $1 AND wg_same_district(district_id, wg_household_district($2))"},
    {SQL_RES_REDISTRICT_HH, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_CHK_REDISTRICT_HH, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_CHK_REDISTRICT_RES, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_HH_REDISTRICT_SUBTREE, "SELECT wg_same_district($3::bigint, $4::bigint) WHERE $1::text <> $2::text"},
    {SQL_RES_REDISTRICT_SUBTREE, "SELECT 1 WHERE $1::text = $2::text AND $3::bigint = $4::bigint"},
    {SQL_CHK_REDISTRICT_SUBTREE, "SELECT 1 WHERE $1::text = $2::text AND $3::bigint = $4::bigint"},
    {SQL_HH_INSERT, "INSERT INTO households(unit_id, room, occupancy, note, created_at, updated_at, district_id)"
                    " VALUES ($1, $2, $3, $4, $5, $5, wg_unit_district($1)) RETURNING id"},
    {SQL_RES_INSERT, "INSERT INTO residents(household_id, name, name_pinyin, name_initials, sex, birth_date, id_type, id_number,"
                     " id_tail, phone, phone_tail, relation, flags, residence, note, created_at, updated_at, district_id)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16,"
                     " wg_household_district($1)) RETURNING id"},
    /* alerts, isolations, follow-ups, contacts, tasks (issue 20, citus4): their district read
     * by a function (the isolation's, contact's case's: a look-up by id over every shard — not
     * hot; the alert's is a parameter the check-in names) */
    {SQL_ISO_INSERT, "INSERT INTO isolations(resident_id, household_id, kind, site, category, source, start_day, end_day, worker_id,"
                     " notice_at, state, created_by, created_at, updated_at, district_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
                     " $9, $10, 'active', $11, $12, $12, wg_resident_district($1)) RETURNING id"},
    {SQL_FU_INSERT, "INSERT INTO followups(isolation_id, day, slot, due_at, district_id) VALUES ($1, $2, $3, $4,"
                    " wg_isolation_district($1)) ON CONFLICT DO NOTHING"},
    {SQL_CONTACT_INSERT, "INSERT INTO contacts(case_id, resident_id, name, phone, day, place, kind, note, created_by, created_at,"
                         " district_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, wg_resident_district($1)) RETURNING id"},
    {SQL_TASK_INSERT, "INSERT INTO tasks(case_id, unit_id, kind, owner_id, due_at, state, place, note, done_at, done_by, created_at,"
                      " updated_at, district_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11,"
                      " wg_unit_district($2)) RETURNING id"},
    /* their re-keying on a move across districts: refused before on Citus (wg_same_district) */
    {SQL_ALERT_REDISTRICT_HH, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_ISO_REDISTRICT_HH, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_FU_REDISTRICT_HH, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_CONTACT_REDISTRICT_HH, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_ALERT_REDISTRICT_RES, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_ISO_REDISTRICT_RES, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_FU_REDISTRICT_RES, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_CONTACT_REDISTRICT_RES, "SELECT 1 WHERE $1::bigint IS NULL"},
    {SQL_ALERT_REDISTRICT_SUBTREE, "SELECT 1 WHERE $1::text = $2::text AND $3::bigint = $4::bigint"},
    {SQL_ISO_REDISTRICT_SUBTREE, "SELECT 1 WHERE $1::text = $2::text AND $3::bigint = $4::bigint"},
    {SQL_FU_REDISTRICT_SUBTREE, "SELECT 1 WHERE $1::text = $2::text AND $3::bigint = $4::bigint"},
    {SQL_CONTACT_REDISTRICT_SUBTREE, "SELECT 1 WHERE $1::text = $2::text AND $3::bigint = $4::bigint"},
    {SQL_TASK_REDISTRICT_SUBTREE, "SELECT 1 WHERE $1::text = $2::text AND $3::bigint = $4::bigint"},
    /* the day's counters of a unit: its own row plus the rows of every district key unit
     * below it (a unit whose id is its district_id), since a check-in writes its counters
     * from its district's key down only (stats_day_add, db_counts_above_district) — for a
     * district and below no key lies below, and it is the one row, as on one server; the
     * counters are distributed by district (citus7): wg_day_get and wg_day_children (above)
     * name the districts they read */
    {SQL_DAY_GET, "SELECT * FROM wg_day_get($1, $2)"},
    {SQL_DAY_CHILDREN, "SELECT * FROM wg_day_children($1, $2)"},
    /* a check-in's counters with their district (the unit's): a batch of one district's
     * check-ins writes its worker only */
    {SQL_DAY_ADD, "INSERT INTO day_counts(unit_id, day, households_reached, residents_accounted, residents_reported, fevers,"
                  " symptomatic, district_id) VALUES ($1, $2, $3, $4, $5, $6, $7, wg_unit_district($1))"
                  " ON CONFLICT (district_id, unit_id, day) DO UPDATE SET"
                  " households_reached = day_counts.households_reached + excluded.households_reached,"
                  " residents_accounted = day_counts.residents_accounted + excluded.residents_accounted,"
                  " residents_reported = day_counts.residents_reported + excluded.residents_reported,"
                  " fevers = day_counts.fevers + excluded.fevers, symptomatic = day_counts.symptomatic + excluded.symptomatic"},
    {SQL_DAY_ADD_MANY, "SELECT wg_day_add_many($1::jsonb)"},
    /* the audit's rows with their key, the acting account's district (citus7) */
    {SQL_AUDIT_INSERT, "INSERT INTO audit(at, user_id, username, role, action, entity, entity_id, fields, source, outcome, district_id)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, wg_user_district($2))"},
    {SQL_AUDIT_ADD_MANY, "SELECT wg_audit_add_many($1::jsonb)"},
    /* every 10 minutes (the ticker): wg_curve_snapshot (above) */
    {SQL_CURVE_SNAPSHOT, "SELECT wg_curve_snapshot($1, $2)"},
};

const char *citus_sql(int id)
{
	for (size_t i = 0; i < sizeof citus_stmts / sizeof citus_stmts[0]; i++)
		if (citus_stmts[i].id == id)
			return citus_stmts[i].sql;
	return NULL;
}
