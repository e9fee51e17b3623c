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
    /** A mapping file that says what the columns of the file mean (the
     * effect-table format, docs/effect-tables.md). NULL: the file's own
     * mapping beside it, its name + ".mapping" (data.csv.mapping for
     * data.csv), when there is one; else none. */
    const char *mapping;
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
/** Lower-case hex sha256 of the file's bytes (read through a mapping: of
 * the file's bytes, "\0mapping\0" and the mapping's bytes, so a corrected
 * mapping makes a new source); "" if it could not be read. */
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
    int include_flagged;   /**< rank on pooled results that include effects
                                flagged as implausible (docs/rigour.md 3); by
                                default they are left out */

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
 * Write where the evidence on a presenting issue is missing or weak: the
 * issue's outcome domains (and the pooled domains that answer it) and the
 * populations of the interventions that match it, each with no pooled
 * effect or none above low certainty, and the interventions with effects on
 * the issue but no cost data. The issue is expanded and matched as
 * ww_query_run() does. JSON schema "whatworks/gaps/1" (docs/json.md).
 * @return 0; WW_EUSAGE (empty or invalid text); WW_ENOTFOUND (no presenting
 *         issue matches the text); WW_EIO; WW_ENOMEM
 */
WW_EXTERN int ww_gaps_write(ww_db *db, const char *issue, FILE *fp, ww_format fmt);

/** Options for ww_show_plots(); zero-initialise. */
typedef struct ww_plot_opts {
    const char *domain;      /**< the outcome domain whose pooled result is drawn
                                  (case and surrounding space ignored); NULL:
                                  the one with the most studies, as `show`
                                  lists first */
    const char *forest_path; /**< write the forest plot here (SVG 1.1); NULL: none */
    const char *funnel_path; /**< write the funnel plot here (SVG 1.1); NULL: none */
} ww_plot_opts;

/**
 * Draw one intervention's pooled result: a forest plot (each study's SMD
 * and 95% CI, box by weight, the pooled diamond, the prediction interval)
 * and a funnel plot (SMD against standard error, pseudo-95% limits, Egger's
 * line from 10 studies), each study as the stored synthesis pooled it
 * (docs/plots.md). Only the reviewed result is drawn: machine-extracted
 * effects stay out, as in `query`.
 * @param report  where to say what was written (one line per file), or NULL
 * @return 0; WW_ENOTFOUND (no such intervention, no pooled result, or none
 *         on opts->domain); WW_EUSAGE (no path given); WW_ECANTCREATE (a
 *         file cannot be created); WW_EIO; WW_ENOMEM
 */
WW_EXTERN int ww_show_plots(ww_db *db, const char *intervention, const ww_plot_opts *opts,
                            FILE *report);

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

/** Options for ww_show_write_opts(); zero-initialise. */
typedef struct ww_show_opts {
    int include_flagged; /**< show the pooled results that include effects
                              flagged as implausible (each effect is listed,
                              with its flag, either way) */
} ww_show_opts;

/** ww_show_write() with options; opts NULL is ww_show_write(). */
WW_EXTERN int ww_show_write_opts(ww_db *db, const char *intervention, FILE *fp, ww_format fmt,
                                 const ww_show_opts *opts);

/** Write the presenting-issue taxonomy ("whatworks/issues/1" in JSON). */
WW_EXTERN int ww_issues_write(ww_db *db, FILE *fp, ww_format fmt);

/* ---------------------------------------------------------------------- */
/* The evidence behind one intervention, as a handle                       */
/* ---------------------------------------------------------------------- */

/** What ww_show_write() prints, for front-ends that render it themselves
 * (the web pages): the intervention, its pooled results and every stored
 * outcome with its study. */
typedef struct ww_evidence ww_evidence;

/**
 * Read the evidence behind one intervention (by slug, or by exact name).
 * @param[out] out  release with ww_evidence_free(); NULL on error
 * @return 0, WW_EUSAGE (no name), WW_ENOTFOUND, WW_EIO, WW_EBUSY, WW_ENOMEM
 */
WW_EXTERN int ww_evidence_open(ww_evidence **out, ww_db *db, const char *intervention);

/** Release the evidence. NULL is a no-op. */
WW_EXTERN void ww_evidence_free(ww_evidence *ev);

/** What the intervention is; NULL strings when the sources do not say. */
typedef struct ww_evidence_about {
    const char *slug, *name, *description, *population, *setting, *delivery;
    int is_example;              /**< an illustrative example, not real evidence */
    double cost_per_participant; /**< NAN when unknown */
    int cost_price_year;         /**< -1 when unknown */
    const char *cost_payer;
    const char *placeholder;     /**< why the name is not one intervention; NULL */
} ww_evidence_about;

/** The intervention itself; never NULL for an open handle. */
WW_EXTERN const ww_evidence_about *ww_evidence_intervention(const ww_evidence *ev);

/** The presenting issues (slugs) sources linked it to. */
WW_EXTERN size_t ww_evidence_issue_count(const ww_evidence *ev);
/** Issue i (0-based), or NULL past the end. */
WW_EXTERN const char *ww_evidence_issue(const ww_evidence *ev, size_t i);

/** One pooled result: the intervention on one outcome domain. */
typedef struct ww_evidence_pooled {
    const char *domain, *metric, *method;
    int k;                  /**< studies pooled */
    long n_participants;    /**< -1 when unknown */
    double estimate, ci_low, ci_high; /**< positive = beneficial */
    double i2, tau2;        /**< NAN when not estimable */
    double pi_low, pi_high; /**< 95% prediction interval; NAN when none */
    const char *certainty;  /**< "high" ... "very low"; NULL when not rated */
    int provisional;
} ww_evidence_pooled;

WW_EXTERN size_t ww_evidence_pooled_count(const ww_evidence *ev);
/** Pooled result i (0-based), or NULL past the end. */
WW_EXTERN const ww_evidence_pooled *ww_evidence_pooled_at(const ww_evidence *ev, size_t i);

/** One stored outcome of one study, on its own metric (ratios shown
 * exponentiated), with its study and its place in the source. */
typedef struct ww_evidence_outcome {
    int64_t study_id;
    const char *study_title;   /**< NULL when untitled */
    int year;                  /**< -1 when unknown */
    const char *design;
    int rigour_level;          /**< 0-5; -1 not graded */
    const char *wwc_rating;    /**< NULL when none */
    int provisional;
    const char *withdrawn_reason; /**< NULL unless the study was withdrawn */
    const char *outcome, *domain, *timepoint; /**< domain, timepoint may be NULL */
    const char *metric;        /**< NULL when nothing can be weighed */
    double estimate, ci_low, ci_high; /**< NAN when metric is NULL */
    long n_participants;       /**< -1 when unknown */
    int higher_is_better;      /**< 1, 0, or -1 unknown */
    int pooled;                /**< 1 when it enters the pooled results */
    int extracted;             /**< machine-extracted from a report's text */
    const char *location;      /**< where in the source it was read */
} ww_evidence_outcome;

/** Outcomes, grouped by study. */
WW_EXTERN size_t ww_evidence_outcome_count(const ww_evidence *ev);
/** Outcome i (0-based), or NULL past the end. */
WW_EXTERN const ww_evidence_outcome *ww_evidence_outcome_at(const ww_evidence *ev, size_t i);

/* ---------------------------------------------------------------------- */
/* The issue taxonomy, as a handle                                         */
/* ---------------------------------------------------------------------- */

/** The presenting-issue taxonomy, as ww_issues_write() prints it. */
typedef struct ww_issue_list ww_issue_list;

/** One presenting issue; strings never NULL ("" when empty). */
typedef struct ww_issue_item {
    const char *slug, *label;
    const char *parent;  /**< the broader issue's slug, "" at the top */
    const char *domains; /**< outcome domains that answer it, comma-joined */
    const char *terms;   /**< search terms, "|"-joined */
} ww_issue_item;

/**
 * @param[out] out  release with ww_issue_list_free()
 * @return 0, WW_EIO, WW_EBUSY, WW_ENOMEM
 */
WW_EXTERN int ww_issue_list_open(ww_issue_list **out, ww_db *db);
WW_EXTERN void ww_issue_list_free(ww_issue_list *list);
WW_EXTERN size_t ww_issue_list_count(const ww_issue_list *list);
/** Issue i (0-based) in taxonomy order, or NULL past the end. */
WW_EXTERN const ww_issue_item *ww_issue_list_at(const ww_issue_list *list, size_t i);

/* ---------------------------------------------------------------------- */
/* API tokens                                                              */
/* ---------------------------------------------------------------------- */

/** The longest token name. */
#define WW_TOKEN_NAME_MAX 64

/**
 * Make an evaluator's API token: 256 random bits, shown only now; the
 * database keeps its SHA-256 and the audit log records the name.
 * @param name  1 to WW_TOKEN_NAME_MAX letters, digits or - _ . @
 * @param[out] token_out  "wwt_..." ; release with ww_token_free()
 * @return 0, WW_EUSAGE (bad name, or a live token of that name exists),
 *         WW_EIO, WW_EBUSY, WW_ENOMEM
 */
WW_EXTERN int ww_token_add(char **token_out, ww_db *db, const char *name);

/** Wipe and release a token made by ww_token_add(). NULL is a no-op. */
WW_EXTERN void ww_token_free(char *token);

/**
 * Revoke the live token of a name; it stays listed, marked revoked.
 * @return 0, WW_ENOTFOUND (no live token of that name), WW_EIO, WW_EBUSY
 */
WW_EXTERN int ww_token_revoke(ww_db *db, const char *name);

/**
 * Check a token against every live one, in constant time per token.
 * Works on a read-only handle.
 * @param name_out  receives the token's name (cut to name_size); may be NULL
 * @return 0 (a live token), WW_ENOTFOUND (unknown or revoked), WW_EIO
 */
WW_EXTERN int ww_token_verify(ww_db *db, const char *token, char *name_out, size_t name_size);

/** List every token made: name, when made, when revoked; never a hash
 * ("whatworks/tokens/1" in JSON). @return 0, WW_EIO */
WW_EXTERN int ww_token_list_write(ww_db *db, FILE *fp, ww_format fmt);

/* ---------------------------------------------------------------------- */
/* Rigour grades                                                           */
/* ---------------------------------------------------------------------- */

/** The version of the rigour rules this library grades with, e.g.
 * "whatworks-rules/2" (docs/rigour.md). */
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
    ww_db *db;             /**< ww_case_run_flows(): the database whose stored unit
                                costs a flow may name (column unit_cost); NULL:
                                none, and a flow naming one is a problem */
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
 * flagged as double counting). A flow may name a stored unit cost instead
 * (unit_cost, e.g. "SS15.0", with an optional quantity that multiplies it,
 * amount and price_year left empty): its value of the flow's value type,
 * its price year, and its agency when the flow's is empty, all read from
 * opts->db. No database is needed otherwise.
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

/* ---------------------------------------------------------------------- */
/* Meta-analysis of a CSV of studies                                       */
/* ---------------------------------------------------------------------- */

/* Every number is meant to agree with R's metafor (rma.uni, rma.mh,
 * rma.peto, predict, regtest, trimfill, leave1out) and, for Mantel-Haenszel
 * and Peto, with RevMan 5; docs/meta.md gives the method and the JSON.
 * Intervals are 95%. Effects of ratio measures are on the log scale. */

/** How studies are pooled. FE, MH and PETO are fixed-effect (common-effect)
 * methods; DL, REML, PM, HE and SJ are random-effects models that differ only
 * in how the between-study variance tau^2 is estimated. */
typedef enum ww_meta_method {
    /** Inverse-variance fixed effect: weights 1/v_i (Hedges & Olkin 1985;
     * metafor method="FE"). */
    WW_META_FE = 0,
    /** Mantel-Haenszel on 2x2 tables (Mantel & Haenszel 1959). OR with the
     * Robins, Breslow & Greenland (1986) variance; RR with the Greenland &
     * Robins (1985) variance; RD with the Sato, Greenland & Robins (1989)
     * variance as metafor's rma.mh does, or Greenland & Robins (1985) as
     * RevMan 5 does (see ww_meta_rd_variance). As in rma.mh, the pooled
     * estimate uses the raw counts (no zero-cell correction). */
    WW_META_MH,
    /** Peto's one-step odds ratio from observed minus expected events and the
     * hypergeometric variance (Yusuf, Peto, Lewis, Collins & Sleight 1985). */
    WW_META_PETO,
    /** DerSimonian & Laird (1986) method-of-moments tau^2:
     * max(0, (Q - (k - p)) / tr(P)), P from the fixed-effect weights. */
    WW_META_DL,
    /** Restricted maximum likelihood tau^2 (Viechtbauer 2005, J Educ Behav
     * Stat 30(3)): Fisher scoring started at the Hedges estimate, with
     * step-halving to stay >= 0, until the step is below 1e-10, then
     * metafor's check that tau^2 = 0 does not have the higher restricted
     * likelihood. */
    WW_META_REML,
    /** Paule & Mandel (1982) tau^2: the root of the generalised Q statistic
     * Q(tau^2) = k - p, found with GSL's Brent solver to machine precision;
     * 0 when Q(0) < k - p. */
    WW_META_PM,
    /** Hedges (1983) unweighted method-of-moments tau^2 ("HE"):
     * max(0, (RSS_ols - tr(P_ols V)) / (k - p)). */
    WW_META_HE,
    /** Sidik & Jonkman (2005) tau^2: tau0^2 = sum (y_i - mean y)^2 / k, then
     * tau0^2 * Q(tau0^2) / (k - p), Q with weights 1/(v_i + tau0^2). */
    WW_META_SJ
} ww_meta_method;

/** The effect measure of a data set. GEN is an already computed effect with
 * its variance; OR and RR are pooled on the log scale. */
typedef enum ww_meta_measure {
    WW_META_GEN = 0,
    WW_META_SMD,
    WW_META_MD,
    WW_META_OR,
    WW_META_RR,
    WW_META_RD,
    WW_META_ZCOR
} ww_meta_measure;

/** "FE", "MH", "PETO", "DL", "REML", "PM", "HE", "SJ"; NULL when out of range. */
WW_EXTERN const char *ww_meta_method_name(ww_meta_method method);
/** Parse the names above (ASCII case ignored). 0, or WW_EUSAGE. */
WW_EXTERN int ww_meta_method_parse(ww_meta_method *out, const char *name);
/** 1 for DL, REML, PM, HE and SJ. */
WW_EXTERN int ww_meta_method_is_random(ww_meta_method method);

/** "GEN", "SMD", "MD", "OR", "RR", "RD", "ZCOR"; NULL when out of range. */
WW_EXTERN const char *ww_meta_measure_name(ww_meta_measure measure);
/** Parse the names above (ASCII case ignored). 0, or WW_EUSAGE. */
WW_EXTERN int ww_meta_measure_parse(ww_meta_measure *out, const char *name);
/** 1 for OR and RR, whose effects are pooled as logarithms. */
WW_EXTERN int ww_meta_measure_is_ratio(ww_meta_measure measure);

/** Version of ww_meta_opts this header describes. */
#define WW_META_OPTS_VERSION 1

/**
 * Options for ww_meta_run(). Initialise with WW_META_OPTS_INIT (or
 * ww_meta_opts_init()), then set what you need: a later version of the
 * library adds fields at the end and reads only those the version names.
 */
typedef struct ww_meta_opts {
    unsigned int version;        /**< WW_META_OPTS_VERSION */
    ww_meta_measure measure;     /**< the columns read, and the effect computed */
    ww_meta_method method;       /**< REML by default; MH needs OR, RR or RD,
                                      PETO needs OR */
    int knha;                    /**< 1: Hartung-Knapp adjustment (t test on
                                      k - 1 df), random effects only */
    const char *subgroup_column; /**< pool within the groups of this column and
                                      test Q-between; NULL for none */
    int trimfill;                /**< 1: Duval & Tweedie trim and fill (L0) */
    int leave_one_out;           /**< 1: the pooled result without each study */
} ww_meta_opts;

/* clang-format off */
#define WW_META_OPTS_INIT {WW_META_OPTS_VERSION, WW_META_GEN, WW_META_REML, 0, NULL, 0, 0}
/* clang-format on */

/** Set *opts to WW_META_OPTS_INIT. 0, or WW_EUSAGE for an unknown version. */
WW_EXTERN int ww_meta_opts_init(ww_meta_opts *opts, unsigned int version);

/** A meta-analysis: the pooled result, its diagnostics, the studies. */
typedef struct ww_meta_analysis ww_meta_analysis;

/**
 * Meta-analyse the studies in a CSV file (RFC 4180; a UTF-8 BOM and CRLF are
 * fine) with a header row, columns found by name in any order and case,
 * other columns ignored: `study` and one of yi,vi (GEN) · m1,sd1,n1,m2,sd2,n2
 * (SMD, MD) · ai,bi,ci,di or e1,n1,e2,n2 (OR, RR, RD) · r,n (ZCOR); group 1
 * is the intervention. Egger's test is run when there are 3 or more studies
 * with an effect. No database is needed.
 * @param[out] out  release with ww_meta_analysis_free(). On WW_EDATA it holds
 *                  every problem found in the file, each a diagnostic with
 *                  the file, line and column (ww_meta_analysis_diag()), and
 *                  no analysis. NULL on other errors.
 * @return 0; WW_EDATA (bad rows, see the diagnostics; or the pooling failed,
 *         see ww_error_last()); WW_ENOTFOUND (no such file); WW_EUSAGE (a bad
 *         option: a method the measure cannot use, knha with a fixed-effect
 *         method, an unknown version); WW_EIO; WW_ENOMEM
 */
WW_EXTERN int ww_meta_run(ww_meta_analysis **out, const char *csv_path, const ww_meta_opts *opts);

/** Release an analysis. NULL is a no-op. */
WW_EXTERN void ww_meta_analysis_free(ww_meta_analysis *a);

/** Problems found in the CSV (see ww_meta_run()), in file order. */
WW_EXTERN size_t ww_meta_analysis_diag_count(const ww_meta_analysis *a);
/** Diagnostic i (0-based), or NULL past the end. */
WW_EXTERN const ww_diag *ww_meta_analysis_diag(const ww_meta_analysis *a, size_t i);

/** A pooled result. Locations of ratio measures are logarithms. */
typedef struct ww_meta_pooled {
    size_t k;               /**< studies that entered the estimate */
    double estimate, se;    /**< se scaled by Hartung-Knapp when used */
    double ci_low, ci_high; /**< 95% confidence interval */
    double stat;            /**< z, or t when df > 0 */
    double df;              /**< t's degrees of freedom; 0 for a z test */
    double p;               /**< two-sided p of stat */
    double tau2, tau;       /**< between-study variance and its root */
    double i2;              /**< I^2 in percent, as metafor prints it */
    double h2;
    double q, q_df, q_p;    /**< Cochran's Q, its df and upper tail */
    double pi_low, pi_high; /**< 95% prediction interval */
    /** exp() of estimate, ci_low and ci_high for ratio measures (OR, RR);
     *  NAN otherwise */
    double exp_estimate, exp_ci_low, exp_ci_high;
} ww_meta_pooled;

/** The measure and method of an analysis; 1 when Hartung-Knapp was used. */
WW_EXTERN ww_meta_measure ww_meta_analysis_measure(const ww_meta_analysis *a);
WW_EXTERN ww_meta_method ww_meta_analysis_method(const ww_meta_analysis *a);
WW_EXTERN int ww_meta_analysis_knha(const ww_meta_analysis *a);

/** The pooled result, or NULL for an analysis holding only diagnostics. */
WW_EXTERN const ww_meta_pooled *ww_meta_analysis_pooled(const ww_meta_analysis *a);

/** One study as it entered the analysis. */
typedef struct ww_meta_study {
    const char *study; /**< its label */
    const char *group; /**< its subgroup; NULL without one */
    double yi, vi;     /**< its effect and variance as the method uses them
                            (Peto: (O - E) / V and 1 / V); NAN for a 2x2
                            table MH or Peto cannot estimate */
    double weight_pct; /**< its weight in the pooled estimate, percent */
} ww_meta_study;

/** The studies, in file order. */
WW_EXTERN size_t ww_meta_analysis_study_count(const ww_meta_analysis *a);
/** Study i (0-based), or NULL past the end. */
WW_EXTERN const ww_meta_study *ww_meta_analysis_study(const ww_meta_analysis *a, size_t i);

/** A test statistic: z, or t on df degrees of freedom when df > 0. */
typedef struct ww_meta_test {
    double stat, df, p;
} ww_meta_test;

/** Egger's regression test for funnel-plot asymmetry, or NULL when it was
 *  not run (fewer than 3 studies) or could not be (all variances equal). */
WW_EXTERN const ww_meta_test *ww_meta_analysis_egger(const ww_meta_analysis *a);

/** Subgroups (ww_meta_opts.subgroup_column), in order of first appearance;
 *  0 without. */
WW_EXTERN size_t ww_meta_analysis_subgroup_count(const ww_meta_analysis *a);
/** Subgroup i's pooled result (its name through *name), or NULL past the end. */
WW_EXTERN const ww_meta_pooled *ww_meta_analysis_subgroup(const ww_meta_analysis *a, size_t i,
                                                          const char **name);
/** The test of subgroup differences: Q-between (stat) on df, or NULL. */
WW_EXTERN const ww_meta_test *ww_meta_analysis_q_between(const ww_meta_analysis *a);

/** Trim and fill (ww_meta_opts.trimfill): the pooled result with the filled
 *  studies, or NULL when not asked for. *k0 receives how many were filled,
 *  *side +1 (right) or -1 (left) where they were missing. Each may be NULL. */
WW_EXTERN const ww_meta_pooled *ww_meta_analysis_trimfill(const ww_meta_analysis *a, size_t *k0,
                                                          int *side);

/** Leave one out (ww_meta_opts.leave_one_out): the pooled result without
 *  study i, or NULL when not asked for or past the end. */
WW_EXTERN const ww_meta_pooled *ww_meta_analysis_leave_one_out(const ww_meta_analysis *a, size_t i);

/**
 * Write an analysis: JSON schema "whatworks/meta/1" (docs/meta.md), CSV with
 * one row per study and a pooled row (a forest plot's numbers), or a table.
 * @return 0, WW_EUSAGE (an analysis holding only diagnostics), WW_EIO,
 *         WW_ENOMEM
 */
WW_EXTERN int ww_meta_analysis_write(const ww_meta_analysis *a, FILE *fp, ww_format fmt);
/* Pilot plans: minimum detectable effects and sample sizes                */
/* ---------------------------------------------------------------------- */

/**
 * Options for ww_plan_run() and ww_plan_issue(); zero-initialise, then set
 * what you need. Zero means the documented default; where 0 is itself a
 * valid value a have_ flag says it was given. Every value used is written
 * back in the plan (docs/plan.md).
 */
typedef struct ww_plan_opts {
    double alpha;          /**< two-sided significance level; 0 means 0.05 */
    double power;          /**< 0 means 0.80; must exceed alpha */
    double treated_share;  /**< share of people (or clusters) treated; 0 means 0.5 */
    int have_r2;
    double r2;             /**< share of the outcome's individual-level variance
                                baseline covariates explain, [0, 1); default 0.
                                Any R-squared > 0 counts as one covariate */
    int have_r2_cluster;
    double r2_cluster;     /**< the same at the cluster level; default r2 */
    long n;                /**< people to recruit (before attrition); 0: not
                                planned, the sample needed is worked out */
    long clusters;         /**< clusters to randomise; 0: individual
                                randomisation (unless cluster_size is set) */
    long cluster_size;     /**< people recruited per cluster, when the number
                                of clusters is to be worked out (n == 0) */
    int have_icc;
    double icc;            /**< intraclass correlation, [0, 1); default: the
                                evidence's, else the domain's default */
    int have_attrition;
    double attrition;      /**< share of recruits not analysed, [0, 1);
                                default: the evidence's, else 0 */
    int have_mdes;
    double mdes;           /**< the effect (SMD > 0) to detect, instead of the
                                one the evidence suggests */
    int use_pooled;        /**< size for the pooled estimate rather than the
                                conservative end of its interval */
    const char *domain;    /**< the outcome domain whose pooled effect is
                                used; NULL means the one with most studies
                                (for ww_plan_issue(), the one it ranked on) */
} ww_plan_opts;

/** One or more pilot plans. */
typedef struct ww_plan_result ww_plan_result;

/**
 * Plan a pilot. With intervention NULL (db may then be NULL too) the design
 * alone: the MDES of opts->n people (and opts->clusters clusters), and/or
 * the sample needed to detect opts->mdes. With an intervention (slug or
 * exact name) the effect to detect comes from its stored pooled result on
 * the domain: by default the end nearer zero of the 95% prediction
 * interval, or of the CI when one study was pooled; its stored ICCs and
 * attrition are the defaults for the design.
 * @param[out] out  release with ww_plan_result_free(); NULL on error
 * @return 0, WW_EUSAGE (a bad option, or nothing to compute, with a message
 *         naming it), WW_ENOTFOUND (no such intervention, or no pooled
 *         effect on the domain), WW_EDATA (a sample beyond reach), WW_EIO,
 *         WW_EBUSY, WW_ENOMEM
 */
WW_EXTERN int ww_plan_run(ww_plan_result **out, ww_db *db, const char *intervention,
                          const ww_plan_opts *opts);

/**
 * Plan a pilot of each of the best `top` interventions (1 to 50; 0 means
 * 3) that ww_query_run() ranks for a presenting issue, each on the domain
 * it was ranked on, as ww_plan_run() would.
 * @return as ww_plan_run(); a query with no ranked interventions gives a
 *         result with no plans
 */
WW_EXTERN int ww_plan_issue(ww_plan_result **out, ww_db *db, const char *issue, int top,
                            const ww_plan_opts *opts);

/** Release a result. NULL is a no-op. */
WW_EXTERN void ww_plan_result_free(ww_plan_result *res);

/** One plan. Missing numbers are NAN, missing counts -1, missing text NULL. */
typedef struct ww_plan_row {
    const char *slug, *name;     /**< NULL without an intervention */
    int is_example;
    const char *domain;          /**< the pooled result's domain */
    int k;                       /**< studies pooled; 0 without evidence */
    double estimate, ci_low, ci_high, pi_low, pi_high; /**< SMD, + = beneficial */
    const char *certainty;
    double target;               /**< the effect sized for (SMD > 0); 0 when the
                                      evidence's interval includes no effect;
                                      NAN when there is none */
    const char *target_basis;    /**< how target was chosen */
    const char *design;          /**< "individual" or "cluster" */
    double alpha, power, treated_share, r2, r2_cluster;
    int covariates;
    double icc;                  /**< NAN for an individual design */
    const char *icc_source;
    double attrition;
    const char *attrition_source;
    long n;                      /**< people recruited, as planned; -1 */
    long clusters;               /**< clusters, as planned; -1 */
    double n_analysed;           /**< n after attrition; NAN */
    double mdes, multiplier, df; /**< of the planned design; NAN */
    int detectable;              /**< 1 MDES <= target, 0 not, -1 no
                                      target or no planned size */
    long n_required;             /**< people to recruit to detect target; -1 */
    long n_required_analysed;    /**< of whom analysed; -1 */
    long clusters_required;      /**< -1 for individual designs */
    long cluster_size_required;  /**< recruited per cluster; -1 */
    long n_required_pooled;      /**< people to recruit to detect the pooled
                                      estimate (when target is its
                                      conservative end); -1 */
    const char *verdict;         /**< in plain English */
} ww_plan_row;

/** Number of plans. */
WW_EXTERN size_t ww_plan_result_count(const ww_plan_result *res);
/** Plan i (0-based), or NULL past the end. */
WW_EXTERN const ww_plan_row *ww_plan_result_row(const ww_plan_result *res, size_t i);

/**
 * Write plans: JSON schema "whatworks/plan/1" (docs/json.md, docs/plan.md),
 * CSV with one row per plan, or a table.
 * @return 0, WW_EIO
 */
WW_EXTERN int ww_plan_result_write(const ww_plan_result *res, FILE *fp, ww_format fmt);

#ifdef __cplusplus
}
#endif

#endif /* WHATWORKS_H */
