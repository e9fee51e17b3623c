/*
 * test_variants.c — one language for UK and US English, and the taxonomy
 * behind every query: each pair of data/variants.tsv tokenizes alike through
 * the index's own tokenizer chain; UK, US, hyphenated, spaced and joined
 * spellings give the same answers on a small corpus; every issue of
 * data/issues.tsv parses, has outcome domains and outcome-measure patterns,
 * and is named by its own terms; on the real WWC findings file, how many of
 * the interventions with attendance or absence outcomes `query truancy`
 * finds; and hostile query text is answered or refused with a clear message.
 */
#include "helpers.h"

#include "../evidence/placeholder.h"

#include <strings.h>
#include <unistd.h>

#include "../repo/repo_int.h"
#include "csv_read.h"

static char tmpdir[256];
static ww_db *db; /* a small corpus of mixed spellings, built in setup() */

static const char *tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
    return buf;
}

static void exec_ok(ww_db *d, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(d->sql, sql, NULL, NULL, &err) != SQLITE_OK) {
        print_error("%s: %s\n", sql, err);
        sqlite3_free(err);
        fail();
    }
}

/* Interventions and the text the index holds for them, written the way
 * their sources spell: UK, US, hyphenated, spaced, joined. Inserted as
 * search documents directly (the triggers index them), so no importer's
 * rules come into it. */
static const char corpus[] =
    "INSERT INTO intervention(id, slug, name) VALUES"
    " (1, 'uk-parenting', 'Parent behaviour programme'),"
    " (2, 'us-schoolwide', 'Schoolwide behavior program'),"
    " (3, 'asb-panels', 'Anti-social behaviour panels'),"
    " (4, 'antisocial-mentoring', 'Mentoring for antisocial youth'),"
    " (5, 'anti-social-outreach', 'Outreach for anti social teenagers'),"
    " (6, 'social-skills', 'Social skills club'),"
    " (7, 'attendance-officers', 'Attendance officers'),"
    " (8, 'reading-tutors', 'Reading tutors');"
    "INSERT INTO search_doc(intervention_id, kind, title, body) VALUES"
    " (1, 'intervention', 'Parent behaviour programme',"
    "     'A parenting programme for children''s behaviour problems, delivered at a family centre.'),"
    " (2, 'intervention', 'Schoolwide behavior program',"
    "     'A positive behavior program that schools organize with a community center.'),"
    " (3, 'intervention', 'Anti-social behaviour panels', 'Panels that hear cases of anti-social behaviour.'),"
    " (4, 'intervention', 'Mentoring for antisocial youth', 'One-to-one mentoring for antisocial behavior.'),"
    " (5, 'intervention', 'Outreach for anti social teenagers', 'Youth workers tackle anti social behavior in parks.'),"
    " (6, 'intervention', 'Social skills club', 'Games that build social skills and social behaviour.'),"
    " (7, 'outcome', 'Days missed from school', 'school attendance'),"
    " (8, 'outcome', 'Reading comprehension', 'literacy');";

static int setup(void **state)
{
    char path[300];
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ww-test-variants-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    if (ww_db_open(&db, tmp_path(path, sizeof path, "v.db"), WW_DB_CREATE) < 0) return -1;
    return sqlite3_exec(db->sql, corpus, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    ww_db_close(db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *norm(const char *text)
{
    ww_buf b = WW_BUF_INIT;
    char *s;
    assert_ww_ok(ww_repo__normalise(&b, db, text));
    s = strdup(b.data ? b.data : "");
    ww_buf__free(&b);
    return s;
}

static void assert_same_tokens(const char *a, const char *b)
{
    char *na = norm(a), *nb = norm(b);
    if (strcmp(na, nb) != 0) {
        print_error("'%s' tokenizes as '%s' but '%s' as '%s'\n", a, na, b, nb);
        fail();
    }
    free(na);
    free(nb);
}

static void assert_other_tokens(const char *a, const char *b)
{
    char *na = norm(a), *nb = norm(b);
    if (strcmp(na, nb) == 0) {
        print_error("'%s' and '%s' both tokenize as '%s'\n", a, b, na);
        fail();
    }
    free(na);
    free(nb);
}

/* The pairs people asked about, through the chain the index uses. */
static void test_variants__pairs_tokenize_alike(void **state)
{
    static const char *const same[][3] = {
        {"behaviour", "behavior", "BEHAVIOUR"},
        {"behavioural problems", "behavioral problems", NULL},
        {"programme", "program", NULL},
        {"programmes", "programs", NULL},
        {"anti-social", "antisocial", "anti social"},
        {"anti-social behaviour", "antisocial behavior", "Anti Social Behaviour"},
        {"organisation", "organization", NULL},
        {"organise", "organize", NULL},
        {"organised", "organized", NULL},
        {"organising", "organizing", NULL},
        {"prioritisation", "prioritization", NULL},
        {"realise", "realize", NULL},
        {"analyse", "analyze", NULL},
        {"centre", "center", NULL},
        {"centres", "centers", NULL},
        {"colour", "color", NULL},
        {"labour market", "labor market", NULL},
        {"neighbourhood", "neighborhood", NULL},
        {"favourite", "favorite", NULL},
        {"paediatric", "pediatric", NULL},
        {"paediatrician", "pediatrician", NULL},
        {"judgement", "judgment", NULL},
        {"offence", "offense", NULL},
        {"offences", "offenses", NULL},
        {"defence", "defense", NULL},
        {"licence", "license", NULL},
        {"practise", "practice", NULL},
        {"enrol", "enroll", NULL},
        {"enrolment", "enrollment", NULL},
        {"counselling", "counseling", NULL},
        {"counsellor", "counselor", NULL},
        {"modelling", "modeling", NULL},
        {"ageing", "aging", NULL},
        {"catalogue", "catalog", NULL},
        {"travelling", "traveling", NULL},
        {"fulfil", "fulfill", NULL},
        {"grey", "gray", NULL},
        {"sceptical", "skeptical", NULL},
        {"haemoglobin", "hemoglobin", NULL},
        {"oestrogen", "estrogen", NULL},
        {"foetal", "fetal", NULL},
        {"manoeuvre", "maneuver", NULL},
        {"wellbeing", "well-being", "well being"},
        {"re-offending", "reoffending", "re offending"},
        {"childcare", "child care", "child-care"},
        {"dropout", "drop-out", "dropped out"},
        {"co-operation", "cooperation", NULL},
        {"café", "cafe", NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        assert_same_tokens(same[i][0], same[i][1]);
        if (same[i][2]) assert_same_tokens(same[i][0], same[i][2]);
    }
    /* Distinct words stay distinct: a compound is not its parts, and the
     * -ise rule leaves short words and the -ise words that are not -ize. */
    assert_other_tokens("antisocial", "social");
    assert_other_tokens("organisation", "organ");
    assert_other_tokens("size", "sise");
    assert_other_tokens("prize", "price");
}

/* Every line of data/variants.tsv: each variant tokenizes as its canonical
 * spelling (for a suffix, on a stem of its own; for an open join, with an
 * ending added). */
static void test_variants__table_holds(void **state)
{
    char path[512], *text, *line, *next;
    int rules = 0;
    (void)state;
    text = test_slurp(TOP_PATH(path, "data/variants.tsv"));
    assert_true(strncmp(text, "# whatworks spelling variants, version ", 39) == 0);
    assert_int_equal(ww_repo__variants_version(), (int)strtol(text + 39, NULL, 10));
    for (line = text; line && *line; line = next) {
        char *kind = line, *canon, *variants, *v, *more;
        if ((next = strchr(line, '\n'))) *next++ = '\0';
        if (line[0] == '#' || !line[0]) continue;
        assert_non_null(canon = strchr(kind, '\t'));
        *canon++ = '\0';
        assert_non_null(variants = strchr(canon, '\t'));
        *variants++ = '\0';
        for (v = variants; v; v = more) {
            char a[160], b[160];
            size_t cl = strlen(canon), vl;
            if ((more = strchr(v, '|'))) *more++ = '\0';
            vl = strlen(v);
            if (strcmp(kind, "suffix") == 0) {
                snprintf(a, sizeof a, "modern%s", canon);
                snprintf(b, sizeof b, "modern%s", v);
            } else if (strcmp(kind, "join") == 0 && canon[cl - 1] == '*') {
                snprintf(a, sizeof a, "%.*sing", (int)(cl - 1), canon);
                snprintf(b, sizeof b, "%.*sing", (int)(vl - 1), v);
            } else {
                snprintf(a, sizeof a, "%s", canon);
                snprintf(b, sizeof b, "%s", v);
            }
            assert_same_tokens(a, b);
            if (strcmp(kind, "stem") == 0) {
                snprintf(a, sizeof a, "%ss", canon);
                snprintf(b, sizeof b, "%ss", v);
                assert_same_tokens(a, b);
            }
            rules++;
        }
    }
    free(text);
    printf("    %d variants of data/variants.tsv tokenize as their canonical spelling\n", rules);
    assert_true(rules >= 100);
}

/* The index and a MATCH agree, not only the C path: a quoted string in one
 * spelling finds text in the other. */
static void test_variants__index_matches_either_spelling(void **state)
{
    static const char *const q[][2] = {
        {"\"behavior\"", "1"}, {"\"behaviour\"", "1"}, {"\"program\"", "1"},
        {"\"antisocial\"", "3"}, {"\"anti social\"", "3"}, {"\"organise\"", "2"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db->sql,
                                            "SELECT min(d.intervention_id) FROM search_fts JOIN search_doc d"
                                            " ON d.id = search_fts.rowid WHERE search_fts MATCH ?1",
                                            -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, q[i][0], -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        if (sqlite3_column_int(st, 0) != (int)strtol(q[i][1], NULL, 10)) {
            print_error("MATCH %s: first intervention %d, want %s\n", q[i][0], sqlite3_column_int(st, 0),
                        q[i][1]);
            fail();
        }
        sqlite3_finalize(st);
    }
    exec_ok(db, "INSERT INTO search_fts(search_fts) VALUES ('integrity-check')");
}

/* The slugs a query ranks, joined with spaces, in a static buffer. */
static const char *ranked(const char *text, char *buf, size_t n)
{
    ww_query_result *res = NULL;
    size_t used = 0;
    buf[0] = '\0';
    assert_ww_ok(ww_query_run(&res, db, text, NULL));
    for (size_t i = 0; i < ww_query_result_count(res); i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? " " : "", ww_query_result_row(res, i)->slug);
    ww_query_result_free(res);
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The space-separated words of s, sorted, into out. */
static void sorted_words(const char *s, char *out, size_t n)
{
    char copy[1024], *w[64], *p;
    size_t k = 0, used = 0;
    snprintf(copy, sizeof copy, "%s", s);
    for (p = copy; *p && k < 64;) {
        w[k++] = p;
        while (*p && *p != ' ') p++;
        if (*p) *p++ = '\0';
    }
    qsort(w, k, sizeof *w, cmp_str);
    out[0] = '\0';
    for (size_t i = 0; i < k; i++) used += (size_t)snprintf(out + used, n - used, "%s%s", i ? " " : "", w[i]);
}

/* a and b rank the same interventions in the same order; when want is
 * given, those are its slugs (in any order: bm25 orders them). */
static void assert_same_answer(const char *a, const char *b, const char *want)
{
    char ra[1024], rb[1024], sa[1024], sw[1024];
    ranked(a, ra, sizeof ra);
    ranked(b, rb, sizeof rb);
    sorted_words(ra, sa, sizeof sa);
    if (want) sorted_words(want, sw, sizeof sw);
    if (strcmp(ra, rb) != 0 || (want && strcmp(sa, sw) != 0)) {
        print_error("'%s' ranks [%s], '%s' ranks [%s], want [%s]\n", a, ra, b, rb, want ? want : ra);
        fail();
    }
}

static void test_variants__spellings_give_the_same_answer(void **state)
{
    (void)state;
    /* Free text (no issue named): every word must match. */
    assert_same_answer("behaviour", "behavior", NULL);
    assert_same_answer("behaviour programme", "behavior program", "uk-parenting us-schoolwide");
    assert_same_answer("programme", "program", "uk-parenting us-schoolwide");
    assert_same_answer("centre", "center", "uk-parenting us-schoolwide");
    assert_same_answer("organise", "organizing", "us-schoolwide");
    assert_same_answer("anti-social", "antisocial", "anti-social-outreach antisocial-mentoring asb-panels");
    assert_same_answer("anti social", "antisocial", NULL);
    assert_same_answer("ANTI SOCIAL", "Anti-Social", NULL);
    /* "social" alone is not "anti-social". */
    {
        char r[1024];
        assert_string_equal(ranked("social skills", r, sizeof r), "social-skills");
    }
    /* Through the taxonomy: the issue and its answer do not depend on the
     * spelling or the hyphen. */
    assert_same_answer("anti-social behaviour", "antisocial behavior", NULL);
    assert_same_answer("anti social behaviour", "Anti-Social Behavior", NULL);
    {
        char r[1024];
        ranked("anti social behaviour", r, sizeof r);
        assert_non_null(strstr(r, "asb-panels"));
        assert_non_null(strstr(r, "antisocial-mentoring"));
        assert_non_null(strstr(r, "anti-social-outreach"));
        assert_null(strstr(r, "social-skills"));
        /* An outcome named "Days missed from school" answers truancy
         * through the issue's outcome-measure patterns. */
        assert_string_equal(ranked("truancy", r, sizeof r), "attendance-officers");
        assert_string_equal(ranked("kids skipping school", r, sizeof r), "attendance-officers");
    }
}

/* data/issues.tsv, as loaded: every issue has domains and patterns, a
 * known parent above it, terms that name it and no other issue. */
static void test_variants__taxonomy_parses(void **state)
{
    static const char *const required[] = {
        "anti-social-behaviour", "school-absence", "persistent-absence", "school-exclusion",
        "school-dropout", "substance-misuse", "alcohol-misuse", "homelessness", "child-poverty",
        "domestic-abuse", "poor-health", "mental-health", "low-skills", "low-literacy", "debt",
        "worklessness", "reoffending", "gangs-youth-violence", "child-behaviour-difficulties",
        "parenting", "care-leavers", "learning-disabilities", "loneliness-older-age", "dementia",
    };
    static const char *const names[][2] = {
        {"kids skipping school", "school-absence"},  {"Persistent absentees", "persistent-absence"},
        {"chronic absenteeism", "persistent-absence"}, {"truancy", "school-absence"},
        {"anti-social behavior", "anti-social-behaviour"}, {"domestic violence", "domestic-abuse"},
        {"homelessness", "homelessness"},             {"rough sleepers", "homelessness"},
        {"parenting programs", "parenting"},          {"care leavers", "care-leavers"},
        {"children in care", "care-leavers"},         {"Alzheimer's", "dementia"},
        {"knife crime", "gangs-youth-violence"},      {"recidivism", "reoffending"},
        {"drugs", "substance-misuse"},                {"NEET", "worklessness"},
        {"lonely older people", "loneliness-older-age"}, {"behavioral difficulties", "child-behaviour-difficulties"},
    };
    ww_arena *arena = NULL;
    ww_issue_row *rows = NULL;
    size_t n = 0, n_terms = 0;
    (void)state;
    assert_int_equal(ww_repo__taxonomy_version(), 2);
    assert_ww_ok(ww_arena__new(&arena));
    assert_ww_ok(ww_repo__issues(&rows, &n, db, arena));
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
        size_t i = 0;
        while (i < n && strcmp(rows[i].slug, required[k]) != 0) i++;
        if (i == n) print_error("no issue %s\n", required[k]);
        assert_true(i < n);
    }
    for (size_t i = 0; i < n; i++) {
        char *copy, *t, *more;
        if (!rows[i].domains[0] || !rows[i].patterns[0] || !rows[i].terms[0]) {
            print_error("%s: no outcome domains, outcome-measure patterns or terms\n", rows[i].slug);
            fail();
        }
        if (rows[i].parent[0]) {
            size_t p = 0;
            while (p < i && strcmp(rows[p].slug, rows[i].parent) != 0) p++;
            if (p == i) print_error("%s: parent %s is not above it\n", rows[i].slug, rows[i].parent);
            assert_true(p < i);
        }
        /* Each term, and the label, names this issue first, alone. */
        {
            size_t len = strlen(rows[i].terms) + strlen(rows[i].label) + 2;
            assert_non_null(copy = malloc(len));
            snprintf(copy, len, "%s|%s", rows[i].terms, rows[i].label);
        }
        for (t = copy; t; t = more) {
            ww_issue_expansion x;
            size_t direct = 0;
            if ((more = strchr(t, '|'))) *more++ = '\0';
            assert_ww_ok(ww_repo__issue_expand(&x, db, arena, t));
            if (!x.n_slugs || strcmp(x.slugs[0], rows[i].slug) != 0) {
                print_error("term '%s' of %s names %s\n", t, rows[i].slug, x.n_slugs ? x.slugs[0] : "nothing");
                fail();
            }
            /* narrower issues follow; any other issue at depth 0 would be a
             * term shared by two issues */
            for (size_t s = 1; s < x.n_slugs; s++) {
                size_t r = 0;
                while (r < n && strcmp(rows[r].slug, x.slugs[s]) != 0) r++;
                assert_true(r < n);
                if (!rows[r].parent[0]) direct++;
            }
            if (direct) {
                print_error("term '%s' of %s also names a top-level issue\n", t, rows[i].slug);
                fail();
            }
            n_terms++;
        }
        free(copy);
    }
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        ww_issue_expansion x;
        assert_ww_ok(ww_repo__issue_expand(&x, db, arena, names[k][0]));
        if (!x.n_slugs || strcmp(x.slugs[0], names[k][1]) != 0) {
            print_error("'%s' names %s, want %s\n", names[k][0], x.n_slugs ? x.slugs[0] : "nothing", names[k][1]);
            fail();
        }
        assert_true(x.n_domains > 0 && x.n_patterns > 0);
    }
    printf("    %zu issues, %zu terms: each names its own issue\n", n, n_terms);
    ww_arena__free(arena);
}

/* ---- the real WWC findings ------------------------------------------------ */

#define MAX_NAMES 256

typedef struct wwc_scan {
    long row, col;
    char name[512], measure[512], domain[512], es[64];
    int col_name, col_measure, col_domain, col_es;
    char *all[MAX_NAMES];      /* interventions with an attendance or absence outcome */
    int all_es[MAX_NAMES];     /* ... of which one has a WWC effect size */
    size_t n_all;
} wwc_scan;

static void keep(char *dst, const void *s, size_t n)
{
    if (n > 511) n = 511;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void on_field(void *s, size_t n, void *ctx)
{
    wwc_scan *w = ctx;
    if (w->row == 0) {
        if (n == 17 && memcmp(s, "Intervention_Name", 17) == 0) w->col_name = (int)w->col;
        if (n == 15 && memcmp(s, "Outcome_Measure", 15) == 0) w->col_measure = (int)w->col;
        if (n == 14 && memcmp(s, "Outcome_Domain", 14) == 0) w->col_domain = (int)w->col;
        if (n == 15 && memcmp(s, "Effect_Size_WWC", 15) == 0) w->col_es = (int)w->col;
    } else if (w->col == w->col_name) keep(w->name, s, n);
    else if (w->col == w->col_measure) keep(w->measure, s, n);
    else if (w->col == w->col_domain) keep(w->domain, s, n);
    else if (w->col == w->col_es) keep(w->es, s, n > 60 ? 60 : n);
    w->col++;
}

/* The test's own definition, independent of the taxonomy: a word starting
 * "attendance", "absen" (absence, absent, absenteeism, absentee), "truan"
 * or WWC's misspelt "truency", in the outcome's name or domain. */
static int about_attendance(const char *s)
{
    static const char *const stems[] = {"attendance", "absen", "truan", "truency"};
    for (const char *p = s; *p; p++) {
        if (p != s && ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z'))) continue;
        for (size_t k = 0; k < sizeof stems / sizeof stems[0]; k++)
            if (strncasecmp(p, stems[k], strlen(stems[k])) == 0) return 1;
    }
    return 0;
}

static void on_row(int c, void *ctx)
{
    wwc_scan *w = ctx;
    (void)c;
    /* Placeholders ("(Not applicable)", "IES Funded Studies") are not
     * interventions (evidence/placeholder.h) and are never ranked. */
    if (w->row > 0 && (about_attendance(w->measure) || about_attendance(w->domain)) &&
        ww_placeholder_match(NULL, NULL, w->name) == 0) {
        size_t i = 0;
        while (i < w->n_all && strcmp(w->all[i], w->name) != 0) i++;
        if (i == w->n_all && w->n_all < MAX_NAMES) w->all[w->n_all++] = strdup(w->name);
        if (i < w->n_all && w->es[0]) w->all_es[i] = 1;
    }
    w->row++;
    w->col = 0;
    w->name[0] = w->measure[0] = w->domain[0] = w->es[0] = '\0';
}

static void test_variants__wwc_truancy_recall(void **state)
{
    char csv[512], path[300];
    wwc_scan w;
    ww_db *wdb = NULL;
    ww_import_report *rep = NULL;
    ww_query_result *res = NULL;
    ww_query_opts opts = {0};
    size_t found = 0, found_es = 0, n_es = 0;
    (void)state;
    SKIP_UNDER_VALGRIND("imports whole real corpora");
    memset(&w, 0, sizeof w);
    w.col_name = w.col_measure = w.col_domain = w.col_es = -1;
    SHARED_PATH(csv, "wwc/wwc_Findings.csv");
    if (access(csv, R_OK) != 0) {
        printf("    %s not found (set WW_SHARED_DATA): skipped\n", csv);
        skip();
    }
    assert_int_equal(test_csv_read(csv, on_field, on_row, &w), 0);
    assert_true(w.col_name >= 0 && w.col_measure >= 0 && w.col_domain >= 0 && w.col_es >= 0);
    assert_true(w.n_all > 0);

    assert_ww_ok(ww_db_open(&wdb, tmp_path(path, sizeof path, "wwc.db"), WW_DB_CREATE));
    assert_ww_ok(ww_import_file(&rep, wdb, csv, NULL));
    ww_import_report_free(rep);
    opts.limit = 100000;
    assert_ww_ok(ww_query_run(&res, wdb, "truancy", &opts));
    for (size_t i = 0; i < w.n_all; i++) {
        int hit = 0;
        assert_int_equal(ww_placeholder_match(NULL, NULL, w.all[i]), 0);
        for (size_t r = 0; r < ww_query_result_count(res) && !hit; r++)
            hit = strcmp(ww_query_result_row(res, r)->name, w.all[i]) == 0;
        found += hit;
        n_es += w.all_es[i];
        found_es += hit && w.all_es[i];
        if (!hit)
            printf("    not found: %s (%s)\n", w.all[i],
                   w.all_es[i] ? "with a WWC effect size" : "no WWC effect size on its attendance outcomes");
    }
    printf("    query truancy finds %zu of the %zu interventions whose WWC findings measure attendance or "
           "absence (%.0f%%); %zu of the %zu whose attendance findings carry a WWC effect size (%.0f%%); "
           "%zu results in all\n",
           found, w.n_all, 100.0 * (double)found / (double)w.n_all, found_es, n_es,
           n_es ? 100.0 * (double)found_es / (double)n_es : 0.0, ww_query_result_count(res));
    /* Every finding is stored, with or without an effect size, so every
     * one reaches the index: the target is 90% of all of them. */
    assert_true(10 * found >= 9 * w.n_all);
    assert_true(10 * found_es >= 9 * n_es);
    ww_query_result_free(res);
    ww_db_close(wdb);
    for (size_t i = 0; i < w.n_all; i++) free(w.all[i]);
}

/* ---- hostile text ----------------------------------------------------------- */

static void test_variants__hostile_text(void **state)
{
    static const char *const answered[] = {
        "\"", "\"\"", "anti\"social", "behaviour\" OR \"x", "NEAR(", "NEAR(behaviour programme, 2)", "*",
        "behav*", "^programme", "title:behaviour", "body : x", "{title body}: programme", "- programme",
        "programme NOT behaviour", "AND OR NOT", "(((", ")", "+", "anti- -social", "re-", "-re offending",
        "\xc3\xa9\xc3\xa9", "\xe2\x80\x9c" "behaviour" "\xe2\x80\x9d", "caf\xc3\xa9 centre", "\t programme \n",
        "'); DROP TABLE search_fts; --",
    };
    ww_query_result *res = NULL;
    char *big;
    (void)state;
    for (size_t i = 0; i < sizeof answered / sizeof answered[0]; i++) {
        int rc = ww_query_run(&res, db, answered[i], NULL);
        if (rc < 0) print_error("'%s': %s\n", answered[i], ww_error_last());
        assert_int_equal(rc, 0);
        ww_query_result_free(res);
        res = NULL;
    }
    /* A quote inside a word is a separator, as in the index. */
    assert_same_answer("anti\"social", "anti social", NULL);

    /* 1 MB of text: refused, saying why, before any work is done. */
    assert_non_null(big = malloc(1 << 20));
    for (size_t i = 0; i < (1u << 20) - 1; i++) big[i] = "behaviour programme "[i % 20];
    big[(1 << 20) - 1] = '\0';
    assert_int_equal(ww_query_run(&res, db, big, NULL), WW_EUSAGE);
    assert_non_null(strstr(ww_error_last(), "bytes"));
    assert_null(res);
    /* One word of 4000 letters is answered (it is no variant). */
    memset(big, 'a', 4000);
    big[4000] = '\0';
    assert_ww_ok(ww_query_run(&res, db, big, NULL));
    ww_query_result_free(res);
    res = NULL;
    /* More words than the match takes: refused, saying how many it takes. */
    big[0] = '\0';
    for (int i = 0; i < WW_REPO_QUERY_MAX_WORDS + 1; i++) strcat(big, "programme ");
    assert_int_equal(ww_query_run(&res, db, big, NULL), WW_EUSAGE);
    assert_non_null(strstr(ww_error_last(), "words"));
    big[0] = '\0';
    for (int i = 0; i < WW_REPO_QUERY_MAX_WORDS; i++) strcat(big, "programme ");
    assert_ww_ok(ww_query_run(&res, db, big, NULL));
    ww_query_result_free(res);
    res = NULL;
    free(big);
    /* Invalid UTF-8 and nothing at all: refused. */
    assert_int_equal(ww_query_run(&res, db, "behavio\xff", NULL), WW_EUSAGE);
    assert_non_null(strstr(ww_error_last(), "UTF-8"));
    assert_int_equal(ww_query_run(&res, db, "\xc0\xaf", NULL), WW_EUSAGE);
    assert_int_equal(ww_query_run(&res, db, " ", NULL), WW_EUSAGE);
    /* The index is intact. */
    exec_ok(db, "INSERT INTO search_fts(search_fts) VALUES ('integrity-check')");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variants__pairs_tokenize_alike),
        cmocka_unit_test(test_variants__table_holds),
        cmocka_unit_test(test_variants__index_matches_either_spelling),
        cmocka_unit_test(test_variants__spellings_give_the_same_answer),
        cmocka_unit_test(test_variants__taxonomy_parses),
        cmocka_unit_test(test_variants__wwc_truancy_recall),
        cmocka_unit_test(test_variants__hostile_text),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, setup, teardown);
}
