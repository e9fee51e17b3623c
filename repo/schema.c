/*
 * schema.c — the database schema and its forward migrations. The schema
 * version lives in PRAGMA user_version; migrations[i] takes a database from
 * version i to i+1 and runs inside one transaction, so a failed migration
 * leaves the file as it was. Never edit a shipped migration: add the next one.
 */
#include <string.h>

#include "repo_int.h"

/* Version 0 -> 1: the first schema (DESIGN.md section 3). */
static const char migration_1[] =
    /* Every imported file, with its raw bytes: nothing is ever lost, and any
     * record can be rebuilt from its source. */
    "CREATE TABLE source ("
    "  id INTEGER PRIMARY KEY,"
    "  sha256 TEXT NOT NULL UNIQUE,"
    "  format TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  submitter TEXT,"
    "  status TEXT NOT NULL DEFAULT 'imported',"
    "  raw BLOB NOT NULL"
    ");"
    /* Presenting-issue taxonomy (data/issues.tsv). */
    "CREATE TABLE issue ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  label TEXT NOT NULL,"
    "  parent_id INTEGER REFERENCES issue(id),"
    "  domains TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE TABLE issue_term ("
    "  issue_id INTEGER NOT NULL REFERENCES issue(id) ON DELETE CASCADE,"
    "  term TEXT NOT NULL COLLATE NOCASE,"
    "  PRIMARY KEY (issue_id, term)"
    ");"
    "CREATE INDEX issue_term_by_term ON issue_term(term);"
    "CREATE TABLE intervention ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  description TEXT, population TEXT, setting TEXT, delivery TEXT,"
    "  cost_per_participant REAL, cost_price_year INTEGER, cost_payer TEXT,"
    "  is_example INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE intervention_issue ("
    "  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
    "  issue_id INTEGER NOT NULL REFERENCES issue(id),"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  PRIMARY KEY (intervention_id, issue_id, source_id)"
    ");"
    "CREATE TABLE study ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  intervention_id INTEGER NOT NULL REFERENCES intervention(id),"
    "  title TEXT, organisation TEXT, authors TEXT, year INTEGER,"
    "  report_url TEXT, doi TEXT, country TEXT, region TEXT,"
    "  design TEXT NOT NULL, allocation_unit TEXT, comparison TEXT,"
    "  assigned_treatment INTEGER, assigned_control INTEGER,"
    "  analysed_treatment INTEGER, analysed_control INTEGER,"
    "  baseline_diff_sd REAL, baseline_adjusted INTEGER, independent INTEGER,"
    "  provisional INTEGER NOT NULL DEFAULT 0,"
    "  is_example INTEGER NOT NULL DEFAULT 0,"
    /* The rigour grade under rules_version (evidence/rigour.c), with its
     * explanation trace and what would raise it. */
    "  rigour_level INTEGER, rigour_trace TEXT, rules_version TEXT,"
    "  sms_level INTEGER, wwc_rating TEXT, rigour_advice TEXT,"
    "  study_key TEXT,"
    "  location TEXT NOT NULL"
    ");"
    "CREATE INDEX study_by_intervention ON study(intervention_id);"
    "CREATE INDEX study_by_source ON study(source_id, study_key);"
    /* Risk-of-bias judgements per study (RoB 1 items, RoB 2 domains). */
    "CREATE TABLE risk_of_bias ("
    "  id INTEGER PRIMARY KEY,"
    "  study_id INTEGER NOT NULL REFERENCES study(id) ON DELETE CASCADE,"
    "  tool TEXT NOT NULL, domain TEXT NOT NULL,"
    "  judgement TEXT NOT NULL CHECK (judgement IN ('low','high','unclear','some concerns')),"
    "  support TEXT, location TEXT NOT NULL"
    ");"
    "CREATE INDEX risk_of_bias_by_study ON risk_of_bias(study_id);"
    "CREATE TABLE outcome ("
    "  id INTEGER PRIMARY KEY,"
    "  study_id INTEGER NOT NULL REFERENCES study(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, domain TEXT, timepoint TEXT,"
    "  higher_is_better INTEGER NOT NULL,"
    "  location TEXT NOT NULL"
    ");"
    "CREATE INDEX outcome_by_study ON outcome(study_id);"
    /* yi/vi in the source's direction; `raw` keeps the statistics it came
     * from as JSON; reported_* keep the source's own estimate to cross-check. */
    "CREATE TABLE effect ("
    "  id INTEGER PRIMARY KEY,"
    "  outcome_id INTEGER NOT NULL REFERENCES outcome(id) ON DELETE CASCADE,"
    "  metric TEXT NOT NULL,"
    "  yi REAL NOT NULL, vi REAL NOT NULL,"
    "  smd_correction TEXT,"
    "  cells_adjusted INTEGER NOT NULL DEFAULT 0,"
    "  n_participants INTEGER,"
    "  raw TEXT NOT NULL CHECK (json_valid(raw)),"
    "  reported_estimate REAL, reported_ci_low REAL, reported_ci_high REAL,"
    /* machine-extracted from a report's text: confidence and span */
    "  extracted INTEGER NOT NULL DEFAULT 0, confidence REAL,"
    "  text_offset INTEGER, text_length INTEGER,"
    "  location TEXT NOT NULL"
    ");"
    "CREATE INDEX effect_by_outcome ON effect(outcome_id);"
    "CREATE TABLE benefit_stream ("
    "  id INTEGER PRIMARY KEY,"
    "  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  agency TEXT NOT NULL,"
    "  amount_per_participant_year REAL NOT NULL,"
    "  first_year INTEGER NOT NULL, last_year INTEGER NOT NULL,"
    "  price_year INTEGER, confidence INTEGER, source_text TEXT,"
    "  location TEXT NOT NULL"
    ");"
    /* Derived: pooled results per intervention x outcome domain. */
    "CREATE TABLE synthesis ("
    "  id INTEGER PRIMARY KEY,"
    "  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
    "  domain TEXT NOT NULL,"
    "  metric TEXT NOT NULL, method TEXT NOT NULL,"
    "  k INTEGER NOT NULL, n_participants INTEGER,"
    "  estimate REAL, se REAL, ci_low REAL, ci_high REAL,"
    "  tau2 REAL, i2 REAL, q REAL, pi_low REAL, pi_high REAL,"
    "  n_effects INTEGER NOT NULL, n_other_scale INTEGER NOT NULL DEFAULT 0,"
    "  egger_p REAL,"
    /* GRADE-style certainty of this body of evidence, with crosswalks */
    "  certainty TEXT, certainty_trace TEXT, eif_level TEXT, blueprints_tier TEXT,"
    "  rules_version TEXT,"
    "  data_version INTEGER NOT NULL,"
    "  computed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    /* scope 'reviewed' leaves out machine-extracted effects; 'all' (stored
     * only when the domain has some) includes them. */
    "  scope TEXT NOT NULL DEFAULT 'reviewed' CHECK (scope IN ('reviewed', 'all')),"
    "  UNIQUE (intervention_id, domain, metric, scope)"
    ");"
    /* A source's own pooled results (e.g. RevMan's) beside ours from the same
     * rows and method: kept as reported values, differences visible. */
    "CREATE TABLE reported_pooled ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  analysis_id TEXT NOT NULL, name TEXT, metric TEXT, method TEXT, random INTEGER, k INTEGER,"
    "  reported_estimate REAL, reported_ci_low REAL, reported_ci_high REAL,"
    "  reported_tau2 REAL, reported_i2 REAL, reported_q REAL, reported_z REAL,"
    "  estimate REAL, ci_low REAL, ci_high REAL, tau2 REAL, i2 REAL, q REAL, z REAL,"
    "  max_rel_diff REAL, location TEXT NOT NULL"
    ");"
    "CREATE INDEX reported_pooled_by_source ON reported_pooled(source_id);"
    /* Append-only log of what changed the evidence. */
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  action TEXT NOT NULL,"
    "  source_id INTEGER REFERENCES source(id),"
    "  detail TEXT"
    ");"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
    /* Full-text search: one document per piece of text (intervention,
     * study, outcome, report), external content kept in sync by triggers. */
    "CREATE TABLE search_doc ("
    "  id INTEGER PRIMARY KEY,"
    "  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
    "  source_id INTEGER REFERENCES source(id),"
    "  kind TEXT NOT NULL,"
    "  title TEXT NOT NULL DEFAULT '',"
    "  body TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX search_doc_by_intervention ON search_doc(intervention_id);"
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "  title, body, content='search_doc', content_rowid='id',"
    "  tokenize='porter unicode61 remove_diacritics 2');"
    "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN"
    "  INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);"
    "END;"
    "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN"
    "  INSERT INTO search_fts(search_fts, rowid, title, body)"
    "    VALUES ('delete', old.id, old.title, old.body);"
    "END;"
    "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN"
    "  INSERT INTO search_fts(search_fts, rowid, title, body)"
    "    VALUES ('delete', old.id, old.title, old.body);"
    "  INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);"
    "END;";

/* Version 1 -> 2: real evidence read right.
 *  - outcomes carry their identity inside the source (WWC FindingID, ...),
 *    a digest of what the source said, source-specific attributes, the
 *    source that last wrote them and what decided their direction
 *    (higher_is_better -1 = unknown, kept out of pooling);
 *  - studies carry the namespace in which their key names one study across
 *    sources and versions of a source (a newer WWC export updates in place),
 *    and where their design came from;
 *  - placeholder and umbrella names are interventions that are never ranked;
 *  - a source's own ids for an intervention (WWC InterventionID);
 *  - review bodies' published judgements, stored beside our grades;
 *  - the log of what a newer version of a source changed. */
static const char migration_2[] =
    "ALTER TABLE outcome ADD COLUMN direction_rule TEXT;"
    "ALTER TABLE outcome ADD COLUMN source_key TEXT;"
    "ALTER TABLE outcome ADD COLUMN digest TEXT;"
    "ALTER TABLE outcome ADD COLUMN attrs TEXT CHECK (attrs IS NULL OR json_valid(attrs));"
    "ALTER TABLE outcome ADD COLUMN source_id INTEGER REFERENCES source(id);"
    "CREATE INDEX outcome_by_key ON outcome(study_id, source_key);"
    "ALTER TABLE study ADD COLUMN identity_ns TEXT;"
    "ALTER TABLE study ADD COLUMN design_basis TEXT;"
    "CREATE INDEX study_by_identity ON study(identity_ns, study_key);"
    "ALTER TABLE intervention ADD COLUMN placeholder TEXT;"
    "CREATE TABLE intervention_key ("
    "  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
    "  identity_ns TEXT NOT NULL, key TEXT NOT NULL,"
    "  PRIMARY KEY (identity_ns, key, intervention_id)"
    ");"
    "CREATE TABLE judgement ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  scope TEXT NOT NULL CHECK (scope IN ('study', 'intervention')),"
    "  body TEXT NOT NULL, identity_ns TEXT NOT NULL, key TEXT NOT NULL,"
    "  finding_key TEXT NOT NULL DEFAULT '', domain TEXT NOT NULL DEFAULT '',"
    "  intervention_name TEXT, design TEXT, design_text TEXT, rating TEXT, reason TEXT,"
    "  standards TEXT, protocol TEXT, n_studies INTEGER, n_eligible INTEGER, url TEXT,"
    "  location TEXT NOT NULL,"
    "  UNIQUE (scope, body, identity_ns, key, finding_key, domain)"
    ");"
    "CREATE TABLE record_change ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  identity_ns TEXT, study_key TEXT, source_key TEXT,"
    "  action TEXT NOT NULL CHECK (action IN ('added', 'changed')),"
    "  old_source_id INTEGER REFERENCES source(id), old_location TEXT, old_record TEXT,"
    "  new_location TEXT"
    ");"
    "CREATE INDEX record_change_by_source ON record_change(source_id);"
    /* Derived: WWC's effectiveness rating of an intervention in an outcome
     * domain reproduced by WWC's procedure (evidence/wwc_rating.h), once
     * from all its WWC findings (protocol '') and once per published
     * intervention report, beside that report's rating. */
    "CREATE TABLE wwc_effectiveness ("
    "  id INTEGER PRIMARY KEY,"
    "  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
    "  domain TEXT NOT NULL, protocol TEXT NOT NULL DEFAULT '', handbook INTEGER NOT NULL,"
    "  rating TEXT NOT NULL, reason TEXT NOT NULL,"
    "  n_studies INTEGER NOT NULL, n_findings INTEGER NOT NULL,"
    "  published TEXT, published_n_studies INTEGER, published_location TEXT, agrees INTEGER,"
    "  UNIQUE (intervention_id, domain, protocol)"
    ");";

/* Version 2 -> 3: one spelling for UK and US English, and outcome-measure
 * patterns (docs/taxonomy.md). The full-text index is rebuilt with the
 * `wwvariants` tokenizer (repo/variants.c) between the Porter stemmer and
 * unicode61, so "behaviour" and "behavior" index as one word; the
 * taxonomy's terms get the same normalised key for matching a user's text;
 * the versions of the taxonomy and the variant table the database was built
 * with are kept, so that a new table re-indexes (ww_repo__refresh_vocabulary). */
static const char migration_3[] =
    "DROP TABLE search_fts;"
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "  title, body, content='search_doc', content_rowid='id',"
    "  tokenize='porter wwvariants unicode61 remove_diacritics 2');"
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild');"
    "ALTER TABLE issue_term ADD COLUMN norm TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX issue_term_by_norm ON issue_term(norm);"
    /* Words of outcome names that answer an issue ("attendance", "days
     * missed"), matched against outcome names only. */
    "CREATE TABLE issue_pattern ("
    "  issue_id INTEGER NOT NULL REFERENCES issue(id) ON DELETE CASCADE,"
    "  pattern TEXT NOT NULL COLLATE NOCASE,"
    "  PRIMARY KEY (issue_id, pattern)"
    ");"
    "CREATE TABLE vocabulary ("
    "  name TEXT PRIMARY KEY,"
    "  version INTEGER NOT NULL"
    ");"
    /* The index was just built with the variant table compiled in; its
     * version 1 is the first. The taxonomy loads after the migrations. */
    "INSERT INTO vocabulary(name, version) VALUES ('variants', 1);";

/* Version 3 -> 4: a study can be withdrawn (kept, shown as withdrawn, out of
 * every synthesis), and a submission's evaluation identity found fast. */
static const char migration_4[] =
    "ALTER TABLE study ADD COLUMN withdrawn_at TEXT;"
    "ALTER TABLE study ADD COLUMN withdrawn_reason TEXT;";

/* Version 4 -> 5: evidence you can trust.
 *  - each effect keeps its plausibility flag (rule and reason: flagged
 *    effects are shown, and pooled only on request), the clustering design
 *    effect its vi carries, what was decided about clustering, and the
 *    variance before the correction;
 *  - pooled results gain two scopes with the flagged effects included
 *    ('reviewed+flagged', 'all+flagged'); SQLite cannot change a CHECK in
 *    place, so the derived synthesis table is rebuilt with its rows. */
static const char migration_5[] =
    "ALTER TABLE effect ADD COLUMN flag TEXT;"
    "ALTER TABLE effect ADD COLUMN flag_reason TEXT;"
    "ALTER TABLE effect ADD COLUMN design_effect REAL;"
    "ALTER TABLE effect ADD COLUMN clustering TEXT;"
    "ALTER TABLE effect ADD COLUMN vi_uncorrected REAL;"
    "CREATE TABLE synthesis_3 ("
    "  id INTEGER PRIMARY KEY,"
    "  intervention_id INTEGER NOT NULL REFERENCES intervention(id) ON DELETE CASCADE,"
    "  domain TEXT NOT NULL,"
    "  metric TEXT NOT NULL, method TEXT NOT NULL,"
    "  k INTEGER NOT NULL, n_participants INTEGER,"
    "  estimate REAL, se REAL, ci_low REAL, ci_high REAL,"
    "  tau2 REAL, i2 REAL, q REAL, pi_low REAL, pi_high REAL,"
    "  n_effects INTEGER NOT NULL, n_other_scale INTEGER NOT NULL DEFAULT 0,"
    "  egger_p REAL,"
    "  certainty TEXT, certainty_trace TEXT, eif_level TEXT, blueprints_tier TEXT,"
    "  rules_version TEXT,"
    "  data_version INTEGER NOT NULL,"
    "  computed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    /* 'reviewed': neither machine-extracted nor flagged effects; 'all': with
     * machine-extracted ones; '+flagged': with flagged ones too (each stored
     * only when it differs from the scope without them). */
    "  scope TEXT NOT NULL DEFAULT 'reviewed'"
    "    CHECK (scope IN ('reviewed', 'all', 'reviewed+flagged', 'all+flagged')),"
    /* effects flagged as implausible: left out of this result, or (in the
     * '+flagged' scopes) included in it */
    "  n_flagged INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (intervention_id, domain, metric, scope)"
    ");"
    "INSERT INTO synthesis_3 SELECT id, intervention_id, domain, metric, method, k, n_participants,"
    "  estimate, se, ci_low, ci_high, tau2, i2, q, pi_low, pi_high, n_effects, n_other_scale,"
    "  egger_p, certainty, certainty_trace, eif_level, blueprints_tier, rules_version,"
    "  data_version, computed_at, scope, 0"
    "  FROM synthesis;"
    "DROP TABLE synthesis;"
    "ALTER TABLE synthesis_3 RENAME TO synthesis;";

/* Version 5 -> 6: unit costs from reference datasets (the Greater Manchester
 * Unit Cost Database), each with its values, their price years as the source
 * writes them, the bearing agency, the source's confidence grade and where
 * in the source it was read (sheet!cell). A later import of the same
 * dataset and code replaces the row (the newer file wins; the older file's
 * bytes stay in source). */
static const char migration_6[] =
    "CREATE TABLE unit_cost ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  dataset TEXT NOT NULL,"
    "  code TEXT NOT NULL,"
    "  category TEXT, detail TEXT,"
    "  description TEXT,"
    "  unit TEXT,"
    "  agency TEXT, agency_detail TEXT,"
    "  fiscal_value REAL, fiscal_price_year TEXT,"
    "  economic_value REAL, economic_price_year TEXT,"
    "  social_value REAL, social_price_year TEXT,"
    "  confidence TEXT,"
    "  source_text TEXT,"
    "  comment TEXT,"
    "  licence TEXT,"
    "  location TEXT NOT NULL,"
    "  UNIQUE (dataset, code)"
    ");"
    "CREATE INDEX unit_cost_by_code ON unit_cost(code);";

static const char *const migrations[] = {migration_1, migration_2, migration_3, migration_4,
                                         migration_5, migration_6};

int ww_repo__migrate(ww_db *db)
{
    sqlite3_stmt *st = NULL;
    int version, error = 0;
    const int n = (int)(sizeof migrations / sizeof migrations[0]);

    if ((error = ww_repo__prepare(&st, db, "PRAGMA user_version")) < 0) return error;
    if (sqlite3_step(st) != SQLITE_ROW) {
        error = ww_repo__sqlite_error(db->sql, sqlite3_errcode(db->sql), db->path);
        ww_repo__release(db, st);
        return error;
    }
    version = sqlite3_column_int(st, 0);
    ww_repo__release(db, st);

    if (version > n)
        return ww__error(WW_EDATA,
                         "%s: database schema version %d is newer than this whatworks "
                         "(supports up to %d)",
                         db->path, version, n);
    if (version == n && (error = ww_repo__vocabulary_current(db)) != 0) return error < 0 ? error : 0;

    if ((error = ww_repo__exec(db, "BEGIN IMMEDIATE")) < 0) return error;
    /* Again under the write lock: another process may have migrated. */
    if ((error = ww_repo__prepare(&st, db, "PRAGMA user_version")) < 0) goto done;
    version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    ww_repo__release(db, st);
    if (version < 0 || version > n) {
        error = version < 0 ? ww_repo__sqlite_error(db->sql, sqlite3_errcode(db->sql), db->path)
                            : ww__error(WW_EDATA, "%s: database schema version %d is newer than this whatworks",
                                        db->path, version);
        goto done;
    }
    for (int v = version; v < n; v++) {
        char pragma[64];
        if ((error = ww_repo__exec(db, migrations[v])) < 0) goto done;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if ((error = ww_repo__exec(db, pragma)) < 0) goto done;
    }
    /* The taxonomy and the index's variant table as compiled in. */
    if ((error = ww_repo__refresh_vocabulary(db)) < 0) goto done;
    error = ww_repo__exec(db, "COMMIT");
done:
    if (error < 0) ww_repo__rollback(db);
    return error;
}

int ww_db_schema_version_supported(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}
