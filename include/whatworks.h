/*
 * whatworks.h — the public C API of whatworks, an evaluation and what-works
 * evidence repository.
 *
 * Conventions (they hold for every function below unless its comment says
 * otherwise):
 *  - Functions that can fail return 0 on success or a negative ww_error code;
 *    out-parameters come first. On failure ww_error_last() describes what went
 *    wrong, with file, line and field where there is one.
 *  - Whatever comes back through a `**out` parameter belongs to the caller and
 *    is released with the `_free` function the comment names. Every `_free`
 *    accepts NULL and does nothing.
 *  - Strings are UTF-8 and NUL-terminated. Returned `const char *` accessors
 *    point into the object they were read from and live as long as it does.
 *  - A handle is used by one thread at a time; different handles may be used
 *    from different threads. The last-error message is thread-local.
 */
#ifndef WHATWORKS_H
#define WHATWORKS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WW_EXTERN __attribute__((visibility("default")))
#else
#define WW_EXTERN
#endif

/** Library version, "MAJOR.MINOR.PATCH". */
#define WW_VERSION "0.1.0"

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

/** Error codes. Numbers are stable; new codes are only ever added. */
typedef enum ww_error {
    WW_OK = 0,         /**< success */
    WW_ERROR = -1,     /**< internal error (a bug, or a library misbehaving) */
    WW_ENOMEM = -2,    /**< out of memory */
    WW_EUSAGE = -3,    /**< the caller passed an invalid argument or option */
    WW_EDATA = -4,     /**< input data is invalid; nothing was written */
    WW_ENOTFOUND = -5, /**< a file, intervention or study does not exist */
    WW_EIO = -6,       /**< reading or writing a file or the database failed */
    WW_EBUSY = -7,     /**< the database stayed locked past the busy timeout */
    WW_ECANTCREATE = -8 /**< an output file or database cannot be created */
} ww_error;

/** A short English description of an error code; never NULL. */
WW_EXTERN const char *ww_strerror(int code);

/**
 * The detailed message of the last error raised on this thread, e.g.
 * "pilot.xml:41: sd_control: must be > 0, got -1.2". Never NULL: "" when no
 * error has been raised. Valid until the next whatworks call on this thread.
 */
WW_EXTERN const char *ww_error_last(void);

/** Forget the last error on this thread. */
WW_EXTERN void ww_error_clear(void);

/**
 * The sysexits(3) status a command-line front end should exit with for an
 * error code: 0, 64 usage, 65 data, 66 no input, 70 software, 73 cannot
 * create, 74 I/O, 75 temporary failure (busy).
 */
WW_EXTERN int ww_error_exit_status(int code);

/* ---------------------------------------------------------------------- */
/* Output formats                                                          */
/* ---------------------------------------------------------------------- */

/** How listings are written. */
typedef enum ww_format {
    WW_FORMAT_TABLE = 0, /**< aligned text for a terminal */
    WW_FORMAT_JSON = 1,  /**< versioned JSON, documented in docs/json.md */
    WW_FORMAT_CSV = 2    /**< RFC 4180 CSV with a header row */
} ww_format;

/**
 * Parse "table", "json" or "csv" into *out.
 * @return 0, or WW_EUSAGE for any other text.
 */
WW_EXTERN int ww_format_parse(ww_format *out, const char *name);

/* ---------------------------------------------------------------------- */
/* The database                                                            */
/* ---------------------------------------------------------------------- */

/** An open whatworks database (one SQLite file). */
typedef struct ww_db ww_db;

/** Flags for ww_db_open(). */
#define WW_DB_CREATE 0x1   /**< create the file and its schema if missing */
#define WW_DB_READONLY 0x2 /**< open read-only; never migrates, never creates */

/**
 * Open (and with WW_DB_CREATE create or migrate) the database at path.
 * The schema is migrated forward to the version this library knows; a file
 * newer than the library is refused with WW_EDATA.
 *
 * With WW_DB_READONLY nothing is ever written: not the file, and no -wal or
 * -shm file beside it when this user may not write the file or its folder
 * (the file is then opened with SQLite's immutable=1, unless its -wal holds
 * commits not yet checkpointed, which are read through the existing -wal and
 * -shm). Such a file can be read on a read-only share or when another user
 * owns it. An immutable reader takes no locks: an import by the owner that
 * checkpoints while a query runs can make that query fail (run it again).
 * Without WW_DB_READONLY the file and its folder must be writable.
 * @param[out] out  the handle; release with ww_db_close()
 * @return 0, WW_ENOTFOUND (no such file, "no database at PATH", and no
 *         WW_DB_CREATE, or WW_DB_READONLY), WW_ECANTCREATE (cannot create,
 *         or may not write, the file or its folder: "PATH: cannot write the
 *         database (permission denied)"), WW_EDATA (not a whatworks
 *         database, or a schema other than this library's for a read-only
 *         open), WW_EBUSY
 */
WW_EXTERN int ww_db_open(ww_db **out, const char *path, unsigned flags);

/** Close a database opened by ww_db_open(). NULL is a no-op. */
WW_EXTERN void ww_db_close(ww_db *db);

/** The schema version stored in the database (PRAGMA user_version). */
WW_EXTERN int ww_db_schema_version(ww_db *db);

/** The schema version this library creates and migrates to. */
WW_EXTERN int ww_db_schema_version_supported(void);

/* ---------------------------------------------------------------------- */
/* Diagnostics: problems found in an input file                            */
/* ---------------------------------------------------------------------- */

/** One problem found in an input, with its location. */
typedef struct ww_diag {
    const char *file;  /**< the file as named by the caller */
    long line;         /**< 1-based line, or 0 when unknown */
    const char *field; /**< element, attribute or column; "" when none */
    const char *message;
    int is_warning;    /**< 1 for a warning: the input is still accepted */
} ww_diag;

/* ---------------------------------------------------------------------- */
/* Import and validation                                                   */
/* ---------------------------------------------------------------------- */

/** What happened to one input file. */
typedef enum ww_import_status {
    WW_IMPORT_IMPORTED = 0, /**< stored, in one transaction */
    WW_IMPORT_ALREADY = 1,  /**< same sha256 already stored: nothing done */
    WW_IMPORT_REJECTED = 2, /**< invalid: see the diagnostics; nothing stored */
    WW_IMPORT_VALID = 3,    /**< dry run or validation: would be imported */
    WW_IMPORT_SKIPPED = 4   /**< no importer recognises the file as evidence
                                 (and no format was named): nothing read,
                                 nothing stored, not an error */
} ww_import_status;

/** Options for ww_import_file(); zero-initialise, then set what you need. */
typedef struct ww_import_opts {
    const char *format;    /**< importer name, or NULL to sniff the content */
    int dry_run;           /**< parse and validate, write nothing */
    const char *submitter; /**< recorded with the source; may be NULL */
    int replace;           /**< a submission of an evaluation already stored
                                supersedes it (the old version stays in the
                                archive) instead of being refused */
} ww_import_opts;

/** The outcome of importing or validating one file. */
typedef struct ww_import_report ww_import_report;

/**
 * Import one file into db: sniff or look up its format, validate it, and store
 * its raw bytes, sha256 and every record it holds in a single transaction.
 * A file whose sha256 is already stored is left alone (status ALREADY). A
 * file with any error-level diagnostic is rolled back (status REJECTED).
 * A file that no importer recognises as evidence (a README, a licence, a
 * reference list, a data table; docs/reports.md lists the cues) is skipped:
 * status SKIPPED, return 0, "FILE: not a recognised evidence format".
 * db may be NULL only when opts->dry_run is set (that is validation); a dry
 * run never writes to db.
 * @param[out] out  the report, even on WW_EDATA; release with
 *                  ww_import_report_free(). NULL on other errors.
 * @return 0 (imported, already, valid, or skipped), WW_EDATA (rejected),
 *         WW_ENOTFOUND (no such file), WW_EIO, WW_EBUSY, WW_ENOMEM, WW_EUSAGE
 *         (unknown format, or a directory)
 */
WW_EXTERN int ww_import_file(ww_import_report **out, ww_db *db, const char *path,
                             const ww_import_opts *opts);

/**
 * Check an importer name for ww_import_opts.format before any file is read.
 * @return 0 when name is a format ww_import_file() reads, else WW_EUSAGE
 *         with a message that lists the formats
 */
WW_EXTERN int ww_import_format_check(const char *name);

/** Release a report. NULL is a no-op. */
WW_EXTERN void ww_import_report_free(ww_import_report *report);

WW_EXTERN ww_import_status ww_import_report_status(const ww_import_report *r);
/** The importer that read the file ("submission", ...); "" if none did. */
WW_EXTERN const char *ww_import_report_format(const ww_import_report *r);
/** Lower-case hex sha256 of the file's bytes; "" if it could not be read. */
WW_EXTERN const char *ww_import_report_sha256(const ww_import_report *r);
/** Counts of what was stored (or, in a dry run, would be). */
WW_EXTERN size_t ww_import_report_studies(const ww_import_report *r);
WW_EXTERN size_t ww_import_report_outcomes(const ww_import_report *r);
WW_EXTERN size_t ww_import_report_effects(const ww_import_report *r);
/** Against earlier versions of the same source (outcomes with an identity of
 * their own, e.g. WWC FindingIDs): how many were new, changed (the versions
 * they replaced are logged in the archive) and unchanged. Any pointer may be
 * NULL. */
WW_EXTERN void ww_import_report_updates(const ww_import_report *r, size_t *added,
                                        size_t *changed, size_t *unchanged);
/** Diagnostics, errors and warnings, in the order found. */
WW_EXTERN size_t ww_import_report_diag_count(const ww_import_report *r);
WW_EXTERN const ww_diag *ww_import_report_diag(const ww_import_report *r, size_t i);
/**
 * The evaluators' fast lane: the provisional rigour grade of the file's first
 * studies (up to three), each with its explanation trace and what would
 * raise it, as indented text; "" when none was graded.
 */
WW_EXTERN const char *ww_import_report_grades(const ww_import_report *r);
/**
 * Write a report for people: one summary line, the provisional grades, then
 * every diagnostic as "FILE:LINE: field: problem".
 */
WW_EXTERN int ww_import_report_write(const ww_import_report *r, FILE *fp);

/* ---------------------------------------------------------------------- */
/* Queries                                                                 */
/* ---------------------------------------------------------------------- */

/** Minimum certainty of a pooled result (GRADE-style, docs/rigour.md). */
typedef enum ww_query_certainty {
    WW_QUERY_CERTAINTY_ANY = 0,      /**< no minimum: rows with nothing pooled too */
    WW_QUERY_CERTAINTY_VERY_LOW = 1,
    WW_QUERY_CERTAINTY_LOW = 2,
    WW_QUERY_CERTAINTY_MODERATE = 3,
    WW_QUERY_CERTAINTY_HIGH = 4
} ww_query_certainty;

/**
 * Parse "high", "moderate", "low", "very low" (or "very-low"), case
 * insensitive, into *out.
 * @return 0, or WW_EUSAGE naming the accepted values
 */
WW_EXTERN int ww_query_certainty_parse(ww_query_certainty *out, const char *name);

/** The order of a query's rows (docs/ranking.md). */
typedef enum ww_query_sort {
    WW_QUERY_SORT_SCORE = 0,     /**< the ranking rule (default) */
    WW_QUERY_SORT_EFFECT = 1,    /**< pooled effect, largest first */
    WW_QUERY_SORT_BCR = 2,       /**< benefit-cost ratio, largest first */
    WW_QUERY_SORT_COST = 3,      /**< cost per participant, cheapest first */
    WW_QUERY_SORT_CERTAINTY = 4  /**< certainty, then effect */
} ww_query_sort;

/**
 * Parse "score", "effect", "bcr", "cost" or "certainty" into *out.
 * @return 0, or WW_EUSAGE naming the accepted values
 */
WW_EXTERN int ww_query_sort_parse(ww_query_sort *out, const char *name);

/** Version of ww_query_opts this header describes. */
#define WW_QUERY_OPTS_VERSION 1
/** Initialiser: `ww_query_opts opts = WW_QUERY_OPTS_INIT;`. A zeroed struct
 *  means the same (version 0 is read as version 1). */
#define WW_QUERY_OPTS_INIT {.version = WW_QUERY_OPTS_VERSION}

/** Options for ww_query_run(); WW_QUERY_OPTS_INIT or zero-initialise. */
typedef struct ww_query_opts {
    unsigned int version; /**< WW_QUERY_OPTS_VERSION (0 is taken as 1) */
    int limit; /**< at most this many interventions; 0 means 20 */
    int include_extracted; /**< rank on pooled results that include effects
                                machine-extracted from reports' text (always
                                provisional); by default they are left out */

    /* Filters and sorts (docs/ranking.md). A filter on a field the
     * evidence does not state (no cost, no age, no country) leaves that
     * intervention out: unknown is never taken to match. */
    ww_query_certainty min_certainty; /**< leave out pooled results below this */
    const char *domain;     /**< rank on the pooled result in an outcome
                                 domain containing these words (compared as
                                 the index compares them), instead of the
                                 issue's domains; NULL: the issue's */
    const char *population; /**< the population described contains these
                                 words ("secondary", "looked after") */
    int by_age;             /**< 1: filter on age_years */
    int age_years;          /**< the population's stated ages (or US grades)
                                 include this age */
    const char *setting;    /**< the setting contains these words */
    const char *country;    /**< a study of it ran in this country (ISO
                                 3166 code or English name: GB, UK, US) */
    int by_max_cost;        /**< 1: filter on max_cost_per_participant */
    double max_cost_per_participant; /**< at most this cost, as the source
                                          gave it (its own price year) */
    int include_provisional; /**< also rank pooled results resting on
                                  submitted evidence not yet reviewed */
    ww_query_sort sort;     /**< row order; default the ranking rule */
} ww_query_opts;

/** The ranked answer to a presenting-issue query. */
typedef struct ww_query_result ww_query_result;

/**
 * Rank the interventions that answer a presenting issue. The text is matched
 * against the issue taxonomy (synonyms, UK/US spellings, narrower issues) and
 * the full-text index; it is always quoted before it reaches FTS5, so any text
 * is an ordinary query. Ranking: see docs/ranking.md.
 * @param[out] out  release with ww_query_result_free()
 * @return 0 (possibly with no rows), WW_EUSAGE (empty text), WW_EIO, WW_EBUSY
 */
WW_EXTERN int ww_query_run(ww_query_result **out, ww_db *db, const char *issue,
                           const ww_query_opts *opts);

WW_EXTERN void ww_query_result_free(ww_query_result *res);

/** Number of ranked interventions. */
WW_EXTERN size_t ww_query_result_count(const ww_query_result *res);

/** One row of a query result; every pointer lives as long as the result. */
typedef struct ww_query_row {
    int rank;                   /**< 1-based */
    const char *slug;           /**< stable id of the intervention */
    const char *name;
    const char *outcome_domain; /**< the domain the pooled effect is for */
    const char *metric;         /**< "SMD" (all effects put on this scale) */
    double estimate;            /**< pooled, positive = beneficial */
    double ci_low, ci_high;     /**< 95% CI */
    int n_studies;
    int n_effects;
    long n_participants;
    int provisional;            /**< 1 when any evidence is provisional */
    int is_example;             /**< 1 when the intervention comes from an
                                     illustrative example, not real evidence */
    const char *verdict;        /**< "beneficial", "no clear effect", "harmful" */
    const char *certainty;      /**< GRADE-style: "high", "moderate", "low",
                                     "very low"; "" when nothing was pooled */
    const char *why;            /**< what the evidence is and says, in plain
                                     words, at most 160 characters */
    double improvement_index;   /**< WWC improvement index of the estimate,
                                     (Phi(g) - 0.5) x 100 percentile points;
                                     NAN when nothing was pooled */
    double months_progress;     /**< EEF Toolkit months' progress for an
                                     attainment outcome (whole months); NAN
                                     for other outcomes or beyond its table */
    double cost_per_participant; /**< as the source gave it; NAN unknown */
    int cost_price_year;        /**< 0 unknown */
    double bcr;                 /**< benefit-cost ratio; NAN unknown */
} ww_query_row;

/** Row i (0-based) of a result, or NULL past the end. */
WW_EXTERN const ww_query_row *ww_query_result_row(const ww_query_result *res, size_t i);

/** Write a result in a format (JSON schema "whatworks/query/2"); the same as
 *  ww_query_result_print() with no flags. */
WW_EXTERN int ww_query_result_write(const ww_query_result *res, FILE *fp, ww_format fmt);

/** ww_query_result_print() flag: a table with every column and the full
 *  names and `why`, however wide (the default fits 100 columns). */
#define WW_QUERY_PRINT_WIDE 1u

/**
 * Write a result in a format, with WW_QUERY_PRINT_* flags (which change
 * only the table).
 * @return 0, WW_EIO (a write failed), WW_ENOMEM, WW_EUSAGE (unknown format)
 */
WW_EXTERN int ww_query_result_print(const ww_query_result *res, FILE *fp, ww_format fmt,
                                    unsigned flags);

/**
 * Write the evidence behind one intervention (by slug, or by exact name):
 * its studies, their designs and effects, with provenance.
 * JSON schema "whatworks/intervention/1".
 * @return 0, WW_ENOTFOUND, WW_EIO
 */
WW_EXTERN int ww_show_write(ww_db *db, const char *intervention, FILE *fp, ww_format fmt);

/**
 * Take a study out of every synthesis while keeping it visible as withdrawn
 * (an evaluator taking back a submission, a reviewer retracting a record):
 * the study is marked with the time and reason, the intervention's pooled
 * results are recomputed, and the audit log records who and why.
 * @param study_id  the numeric id `show` prints
 * @param reason    why, required
 * @param who       recorded in the audit log; may be NULL
 * @return 0, WW_ENOTFOUND (no such study), WW_EUSAGE (no reason, or already
 *         withdrawn), WW_EBUSY, WW_EIO
 */
WW_EXTERN int ww_study_withdraw(ww_db *db, int64_t study_id, const char *reason, const char *who);

/** Write the presenting-issue taxonomy ("whatworks/issues/1" in JSON). */
WW_EXTERN int ww_issues_write(ww_db *db, FILE *fp, ww_format fmt);

/* ---------------------------------------------------------------------- */
/* Rigour grades                                                           */
/* ---------------------------------------------------------------------- */

/** The version of the rigour rules this library grades with, e.g.
 * "whatworks-rules/1" (docs/rigour.md). */
WW_EXTERN const char *ww_rules_version(void);

/**
 * Write the stored rigour grades of studies, by the numeric ids `show`
 * prints: level 0-5, Maryland SMS, WWC rating, rules version and, with
 * explain, every step of the trace and what would raise the grade.
 * JSON schema "whatworks/grade/1".
 * @return 0, WW_ENOTFOUND (an id does not exist; nothing is written), WW_EIO
 */
WW_EXTERN int ww_grade_write(ww_db *db, const int64_t *study_ids, size_t n, int explain, FILE *fp,
                             ww_format fmt);

/**
 * Regrade every study under the current rules and recompute every pooled
 * result's certainty, in one transaction; write each study whose grade moved,
 * from what to what and why ("whatworks/regrade/1" in JSON).
 * @param[out] moved  how many studies moved; may be NULL
 * @return 0, WW_EBUSY, WW_EIO
 */
WW_EXTERN int ww_regrade(ww_db *db, FILE *fp, ww_format fmt, size_t *moved);

/* ---------------------------------------------------------------------- */
/* Business cases                                                          */
/* ---------------------------------------------------------------------- */

/**
 * Options for ww_case_run() and ww_case_run_flows(); zero-initialise, then
 * set what you need. Zero always means the documented default. Every value
 * used is written back in the result's "parameters" (docs/case.md).
 */
typedef struct ww_case_opts {
    long participants;  /**< totals are for this many participants; 0 means 1 */
    int horizon_years;  /**< years 0 .. horizon-1 are counted; 0 means up to
                             the last year of any flow */
    /** "greenbook" (HM Treasury declining schedule, 3.5% in years 0-30, 3.0%
     *  to 75, ...; NULL means this), "health" (1.5% in years 0-30, ...), or
     *  "flat:RATE" with RATE in percent, e.g. "flat:3.5" */
    const char *discount_schedule;
    int price_year;        /**< price base, a calendar year in the bundled GDP
                                deflator series; 0 means its latest year */
    int optimism_bias;     /**< 1: costs up and benefits down by the flow's
                                confidence grade (0/5/10/15/25/40% for grades
                                1-6: unverified figures, so off by default) */
    double deadweight_pct; /**< 0-100: share of benefits that would have
                                happened anyway, taken off */
    double attribution_pct; /**< 0-100: share of benefits owed to others,
                                 taken off */
    double dropoff_pct;    /**< 0-100: yearly fall of each benefit after its
                                first year */
    long draws;            /**< Monte Carlo draws; 0 means 10,000; negative
                                means no simulation */
    unsigned long seed;    /**< seed of GSL's mt19937: the same seed gives the
                                same numbers; mt19937 uses its low 32 bits
                                and replaces 0 with its default, 4357 */
    const char *domain;    /**< ww_case_run(): the outcome domain whose pooled
                                effect scales the benefits; NULL means the one
                                with most studies */
    int have_effect;       /**< 1: use effect_estimate and effect_se (an SMD,
                                positive = beneficial) instead of a stored
                                pooled effect; the only way to give a
                                ww_case_run_flows() case an effect */
    double effect_estimate;
    double effect_se;
} ww_case_opts;

/** A business case: totals, the agency matrix, years, Monte Carlo, warnings. */
typedef struct ww_case_result ww_case_result;

/**
 * The business case of a stored intervention (by slug, or by exact name):
 * its cost per participant (year 0, paid by its stored payer) against its
 * benefit streams, deflated, adjusted, discounted and simulated as
 * docs/case.md describes; the benefits are scaled in the simulation by the
 * uncertainty of its pooled effect.
 * @param[out] out  release with ww_case_result_free(); NULL on error
 * @return 0, WW_ENOTFOUND (no such intervention, or no pooled effect on
 *         opts->domain), WW_EUSAGE (a bad option), WW_EDATA (stored data the
 *         case cannot use, e.g. a price year outside the deflator series),
 *         WW_EIO, WW_EBUSY, WW_ENOMEM
 */
WW_EXTERN int ww_case_run(ww_case_result **out, ww_db *db, const char *intervention,
                          const ww_case_opts *opts);

/**
 * The business case of the flows in a CSV file (RFC 4180, header row,
 * columns found by name in any order): agency, kind (cost or benefit),
 * first_year, last_year (year 0 is the first year), amount (per participant
 * per year), price_year (2019, or a UK financial year as 2008/09),
 * confidence (1-6, or empty when not graded), and optionally low and high
 * (a 90% range for the amount), value_type (fiscal, economic or social;
 * fiscal when absent) and item (what the flow is; the same item twice is
 * flagged as double counting). No database is needed.
 * @param[out] out  release with ww_case_result_free(). On WW_EDATA it holds
 *                  every problem found, each as a diagnostic with the file,
 *                  line and column (ww_case_result_diag()), and no case.
 *                  NULL on other errors.
 * @return 0, WW_EDATA (bad rows: see the diagnostics), WW_ENOTFOUND (no
 *         such file), WW_EUSAGE (a bad option), WW_EIO, WW_ENOMEM
 */
WW_EXTERN int ww_case_run_flows(ww_case_result **out, const char *csv_path,
                                const ww_case_opts *opts);

/** Release a result. NULL is a no-op. */
WW_EXTERN void ww_case_result_free(ww_case_result *res);

/**
 * Write a case: JSON schema "whatworks/case/1" (docs/case.md), CSV with
 * one row per agency per year, or a table with the who-pays / who-gains
 * matrix.
 * @return 0, WW_EUSAGE (a result holding only diagnostics), WW_EIO
 */
WW_EXTERN int ww_case_result_write(const ww_case_result *res, FILE *fp, ww_format fmt);

/** The headline numbers of a case; money in price-base pounds for all
 *  participants, present values discounted to year 0. */
typedef struct ww_case_summary {
    double pv_costs, pv_benefits, npv;
    double bcr, roi;      /**< NAN when PV costs are zero */
    int payback_year;     /**< first year the cumulative discounted net is
                               >= 0; -1 when none within the horizon */
    int price_year;       /**< the price base used */
    int horizon_years;    /**< the horizon used */
    long participants;
    long draws;           /**< 0 when the simulation did not run */
    unsigned long seed;
    double p_npv_positive; /**< NAN when the simulation did not run */
    double bcr_p5, bcr_p50, bcr_p95; /**< NAN when not computable */
} ww_case_summary;

/** The summary, or NULL for a result that holds only diagnostics. */
WW_EXTERN const ww_case_summary *ww_case_result_summary(const ww_case_result *res);

/** One agency's part of a case: who pays, who gains. */
typedef struct ww_case_agency {
    const char *agency;
    double pv_costs, pv_benefits, net; /**< net = pv_benefits - pv_costs */
} ww_case_agency;

/** Agencies, in the order first met in the flows. */
WW_EXTERN size_t ww_case_result_agency_count(const ww_case_result *res);
/** Agency i (0-based), or NULL past the end. */
WW_EXTERN const ww_case_agency *ww_case_result_agency(const ww_case_result *res, size_t i);

/** Warnings about the case (dated costs, double counting, a near-zero BCR
 *  denominator, WSIPP's 75% test failed, ...), in plain English. */
WW_EXTERN size_t ww_case_result_warning_count(const ww_case_result *res);
/** Warning i (0-based), or NULL past the end. */
WW_EXTERN const char *ww_case_result_warning(const ww_case_result *res, size_t i);

/** Problems found in a flows CSV (see ww_case_run_flows()). */
WW_EXTERN size_t ww_case_result_diag_count(const ww_case_result *res);
/** Diagnostic i (0-based), or NULL past the end. */
WW_EXTERN const ww_diag *ww_case_result_diag(const ww_case_result *res, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* WHATWORKS_H */
