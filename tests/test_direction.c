/*
 * test_direction.c — evidence/direction.c: the matching rules one by one
 * (whole words, stems, phrases, the longest match, contradiction, markers,
 * instruments, domain defaults, case and UTF-8), the labelled fixture of
 * real WWC outcome names (tests/fixtures/wwc_outcome_directions.tsv), and a
 * census of every finding in wwc/wwc_Findings.csv. The fixture and census
 * print their figures; docs/direction.md quotes them.
 * WW_DIRECTION_VERBOSE=1 also lists every fixture name not decided as
 * labelled, and the census's unknown names.
 */
#include "helpers.h"
#include "csv_read.h"
#include "../evidence/direction.h"

#include <pthread.h>

/* The verdict for name/domain: 1, 0 or -1. */
static int dir_of(const char *name, const char *domain)
{
    ww_direction_verdict v;
    assert_ww_ok(ww_direction_classify(&v, name, domain));
    if (v.higher_is_better >= 0) {
        assert_non_null(v.rule);
        assert_non_null(v.reason);
    }
    return v.higher_is_better;
}

static const char *rule_of(const char *name, const char *domain)
{
    ww_direction_verdict v;
    assert_ww_ok(ww_direction_classify(&v, name, domain));
    return v.rule ? v.rule : "(none)";
}

/* ---- threads: the first load happens under pthread_once ------------------ */

static void *classify_main(void *arg)
{
    ww_direction_verdict v;
    int *ok = arg;
    *ok = 1;
    for (int i = 0; i < 200; i++) {
        if (ww_direction_classify(&v, "Felony arrests", NULL) != 0 || v.higher_is_better != 0)
            *ok = 0;
        if (ww_direction_classify(&v, "Reading comprehension", "Comprehension") != 0 ||
            v.higher_is_better != 1)
            *ok = 0;
    }
    return NULL;
}

/* Runs first, so the lexicon is loaded by whichever thread gets there. */
static void test_direction__threads_share_one_lexicon(void **state)
{
    pthread_t t[8];
    int ok[8];
    (void)state;
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, classify_main, &ok[i]), 0);
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_true(ok[i]);
    }
}

static void test_direction__version(void **state)
{
    (void)state;
    assert_string_equal(ww_direction_lexicon_version(), "whatworks-direction/2");
}

static void test_direction__usage(void **state)
{
    ww_direction_verdict v;
    (void)state;
    assert_int_equal(ww_direction_classify(NULL, "Arrests", NULL), WW_EUSAGE);
    assert_int_equal(ww_direction_classify(&v, NULL, NULL), WW_EUSAGE);
    assert_int_equal(v.higher_is_better, -1);
    assert_ww_ok(ww_direction_classify(&v, "", NULL));
    assert_int_equal(v.higher_is_better, -1);
    assert_null(v.rule);
    assert_null(v.reason);
}

static void test_direction__whole_words_and_stems(void **state)
{
    (void)state;
    assert_int_equal(dir_of("Arrests", NULL), 0);
    assert_int_equal(dir_of("Arrested since random assignment", NULL), 0);
    assert_string_equal(rule_of("Number of arrests", NULL), "lower:arrest");
    /* Stems match at the start of a word only: "nonviolence" is not violence. */
    assert_int_equal(dir_of("Serious violence", NULL), 0);
    assert_int_equal(dir_of("Nonviolence", NULL), -1);
    /* A whole word, not a part of one: "pass" is not "passage". */
    assert_int_equal(dir_of("Passage Reading Rate", NULL), -1);
    assert_int_equal(dir_of("Passed reading test", NULL), 1);
    assert_int_equal(dir_of("Late", NULL), 0);
    assert_int_equal(dir_of("Latency", NULL), -1);
    /* unemploy* is its own stem, not employ*. */
    assert_int_equal(dir_of("Unemployed", NULL), 0);
    assert_int_equal(dir_of("Employed", NULL), 1);
    /* A neutral phrase takes words that would otherwise be cues. */
    assert_int_equal(dir_of("Reading accuracy (Word Identification; Word Attack)", NULL), 1);
    assert_int_equal(dir_of("Woodcock-Johnson Revised: Word Attack", "Alphabetics"), 1);
}

static void test_direction__phrases_and_specificity(void **state)
{
    (void)state;
    /* "grade retention" (two words) beats "retention" (one). */
    assert_int_equal(dir_of("Teacher retention rate", NULL), 1);
    assert_int_equal(dir_of("Grade retention", NULL), 0);
    assert_string_equal(rule_of("Grade retention", NULL), "lower:grade-retention");
    assert_int_equal(dir_of("Retained in grade", NULL), 0);
    assert_int_equal(dir_of("Dropped out of high school (%)", NULL), 0);
    assert_int_equal(dir_of("Dropout", NULL), 0);
    assert_int_equal(dir_of("Completed high school", NULL), 1);
    assert_int_equal(dir_of("Graduated", NULL), 1);
    assert_int_equal(dir_of("Persistence", NULL), 1);
    assert_int_equal(dir_of("Stayed in school", NULL), 1);
    assert_int_equal(dir_of("Credits earned", NULL), 1);
    assert_int_equal(dir_of("Days absent", NULL), 0);
    assert_int_equal(dir_of("Attendance", NULL), 1);
    assert_int_equal(dir_of("Chronic absenteeism", NULL), 0);
    assert_int_equal(dir_of("Time to degree", NULL), 0);
    assert_int_equal(dir_of("Teen pregnancy", NULL), 0);
    /* A threshold phrase outranks the word it qualifies. */
    assert_int_equal(dir_of("Attendance rate of 80% or lower", NULL), 0);
    assert_int_equal(dir_of("Attendance rate 95% or higher", NULL), 1);
    /* Longer separate cues win too: "absence without excuse" (3 words)
     * takes "without", which is not then read as a marker. */
    assert_int_equal(dir_of("Absence without Excuse: Teacher Report", NULL), 0);
    /* Phrases where a lower-cue word sits inside a higher-is-better name. */
    assert_int_equal(dir_of("Ignoring Negative Stimulus", NULL), 1);
    assert_int_equal(dir_of("Conflict resolution skills", NULL), 1);
    assert_int_equal(dir_of("inCLASS Conflict", NULL), 0);
    assert_int_equal(dir_of("Anger regulation", NULL), 1);
    assert_int_equal(dir_of("Anger", NULL), 0);
}

static void test_direction__instruments_and_subscales(void **state)
{
    (void)state;
    /* The instrument's name is not content: the subscale decides. */
    assert_int_equal(dir_of("Social Skills Rating System: Problem Behaviors", NULL), 0);
    assert_int_equal(
        dir_of("Social Skills Rating System (SSRS) Social Skills: Parent report", NULL), 1);
    assert_int_equal(dir_of("Behavior Rating: Positive behavior", NULL), 1);
    assert_int_equal(dir_of("Behavior Assessment System for Children (BASC) Externalizing", NULL),
                     0);
    /* An instrument with a direction applies only when content is silent. */
    assert_int_equal(dir_of("Child Behavior Checklist for Ages 4-16", NULL), 0);
    assert_string_equal(rule_of("Child Behavior Checklist for Ages 4-16", NULL), "lower:cbcl");
    assert_string_equal(rule_of("Child Behavior Checklist: Anxiety Scale", NULL), "lower:anxiety");
    /* A long instrument phrase outranks a short subscale name. */
    assert_int_equal(dir_of("Children's Impairment Rating Scale: Self-esteem", NULL), 0);
    assert_int_equal(dir_of("Self-esteem", NULL), 1);
}

static void test_direction__markers(void **state)
{
    (void)state;
    assert_int_equal(dir_of("Problem behavior (reduction)", NULL), 1);
    assert_int_equal(dir_of("Reduction in problem behaviour", NULL), 1);
    assert_string_equal(rule_of("Problem behavior (reduction)", NULL), "reverse:reduction");
    assert_int_equal(
        dir_of("Social Skills Improvement Index: Problem Behavior (reverse coded)", NULL), 1);
    assert_int_equal(dir_of("Absence of problem behaviour", NULL), 1);
    assert_int_equal(dir_of("Did not drop out (%)", NULL), 1);
    assert_int_equal(dir_of("Intentions for fighting (no intentions)", NULL), 1);
    assert_int_equal(dir_of("Intentions for fighting", NULL), 0);
    assert_int_equal(dir_of("Never smoked", NULL), 1);
    /* A marker with nothing to reverse decides nothing, not even the default. */
    assert_int_equal(dir_of("Did not respond", "Reading comprehension"), -1);
}

static void test_direction__contradiction_is_unknown(void **state)
{
    ww_direction_verdict v;
    (void)state;
    /* Equally specific cues that disagree: unknown, and no default. */
    assert_ww_ok(ww_direction_classify(&v, "Anxiety and self-esteem", "Reading achievement"));
    assert_int_equal(v.higher_is_better, -1);
    assert_null(v.rule);
    assert_int_equal(dir_of("Attendance and absences", NULL), -1);
    /* A known-ambiguous measure: the lexicon names it and still decides nothing. */
    assert_ww_ok(ww_direction_classify(&v, "Fraction number line", "Number and Operations"));
    assert_int_equal(v.higher_is_better, -1);
    assert_string_equal(v.rule, "unknown:number-line");
    /* A neutral phrase takes its words and lets the default decide. */
    assert_int_equal(dir_of("Researcher-constructed measure (Negative Exponents)",
                            "General Mathematics Achievement"),
                     1);
    assert_int_equal(dir_of("Negative behavior", NULL), 0);
}

static void test_direction__domain_default(void **state)
{
    ww_direction_verdict v;
    (void)state;
    assert_ww_ok(ww_direction_classify(&v, "Woodcock-Johnson III: Applied Problems",
                                       "General Mathematics Achievement"));
    assert_int_equal(v.higher_is_better, 1);
    assert_string_equal(v.rule, "domain:general-mathematics-achievement");
    assert_int_equal(dir_of("Gates-MacGinitie", "Reading comprehension"), 1);
    assert_int_equal(dir_of("Gates-MacGinitie", "Alphabetics"), 1);
    assert_int_equal(dir_of("Essay", "Writing"), 1);
    assert_int_equal(dir_of("Test", "English language proficiency"), 1);
    assert_int_equal(dir_of("Test", "Completing school"), 1);
    assert_int_equal(dir_of("Test", "College enrollment"), 1);
    /* The whole domain must match; case and spacing (U+00A0 too) do not matter. */
    assert_int_equal(dir_of("Test", "WORD READING\xc2\xa0"), 1);
    assert_int_equal(dir_of("Test", "Reading"), -1);
    /* Domains where names decide: no default. */
    assert_int_equal(dir_of("Teacher rating", "Behavior"), -1);
    assert_int_equal(dir_of("Teacher rating", "Social-emotional development"), -1);
    assert_int_equal(dir_of("Teacher rating", "Student progression"), -1);
    /* NULL domain: no default; a cue in the name still decides. */
    assert_int_equal(dir_of("Gates-MacGinitie", NULL), -1);
    /* The name outranks the domain. */
    assert_int_equal(dir_of("Days absent", "Academic achievement"), 0);
}

static void test_direction__case_and_utf8(void **state)
{
    (void)state;
    assert_int_equal(dir_of("SUSPENSIONS", NULL), 0);
    assert_int_equal(dir_of("sUsPeNsIoNs", NULL), 0);
    /* U+2019 joins a word like ' does. */
    assert_int_equal(dir_of("Children\xe2\x80\x99s Impairment Rating Scale: Self-esteem", NULL), 0);
    assert_int_equal(dir_of("Bachelor\xe2\x80\x99s degree", "Postsecondary degree attainment"), 1);
    /* U+00AE and the em dash separate words. */
    assert_int_equal(dir_of("DIBELS\xc2\xae\xe2\x80\x94"
                            "absences",
                            NULL),
                     0);
    assert_int_equal(dir_of("Behavior problems\xe2\x80\x94overall", NULL), 0);
    /* Letters beyond ASCII stay in their word; invalid bytes separate. */
    assert_int_equal(dir_of("Absentismo escolar \xc3\xa9l\xc3\xa8ve", NULL), 0);
    assert_int_equal(dir_of("\xff\xfe"
                            "arrests\xc3",
                            NULL),
                     0);
}

/* ---- the labelled fixture ---------------------------------------------- */

static void test_direction__wwc_fixture(void **state)
{
    char path[4096];
    char *text, *line, *next;
    long labelled = 0, right = 0, unknown = 0, wrong = 0, amb = 0, amb_claimed = 0;
    const int verbose = getenv("WW_DIRECTION_VERBOSE") != NULL;
    (void)state;

    text = test_slurp(TOP_PATH(path, "tests/fixtures/wwc_outcome_directions.tsv"));
    assert_true(text[0] != '\0');
    for (line = text; *line; line = next) {
        char *f[4], *p;
        int nf = 1, want, got;
        ww_direction_verdict v;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        else
            next = line + strlen(line);
        if (line[0] == '#' || line[0] == '\0') continue;
        f[0] = line;
        for (p = line; *p && nf < 4; p++)
            if (*p == '\t') {
                *p = '\0';
                f[nf++] = p + 1;
            }
        assert_int_equal(nf, 4);
        want = !strcmp(f[2], "higher") ? 1 : !strcmp(f[2], "lower") ? 0 : -1;
        if (want < 0) assert_string_equal(f[2], "unknown");
        assert_ww_ok(ww_direction_classify(&v, f[0], f[1]));
        got = v.higher_is_better;
        if (want < 0) {
            amb++;
            amb_claimed += got >= 0;
        } else {
            labelled++;
            if (got == want)
                right++;
            else if (got < 0)
                unknown++;
            else
                wrong++;
        }
        if (verbose && got != want)
            printf("  fixture: want %s got %d (%s): %s [%s]\n", f[2], got, v.rule ? v.rule : "-",
                   f[0], f[1]);
    }
    free(text);
    printf("fixture: %ld labelled with a direction: %ld right, %ld unknown, %ld wrong; "
           "%ld labelled unknown, %ld of them decided\n",
           labelled, right, unknown, wrong, amb, amb_claimed);
    assert_true(labelled >= 150);
    assert_int_equal(wrong, 0);
    assert_int_equal(amb_claimed, 0);
    assert_true(right * 100 >= labelled * 98);
}

/* ---- the whole file ------------------------------------------------------ */

typedef struct census {
    long row, col;
    int measure_col, domain_col, g_col, ii_col;
    char *measure, *domain, *g, *ii;
    long rows, higher, lower, unknown, by_rule, by_domain;
    long ii_flipped, ii_flipped_lower, ii_flipped_higher, ii_flipped_unknown;
    int failed, verbose;
} census;

static void census_field(void *s, size_t len, void *ctx)
{
    census *c = ctx;
    char **slot = NULL;
    if (c->row == 0) {
        if (!strcmp(s, "Outcome_Measure")) c->measure_col = (int)c->col;
        if (!strcmp(s, "Outcome_Domain")) c->domain_col = (int)c->col;
        if (!strcmp(s, "Effect_Size_WWC")) c->g_col = (int)c->col;
        if (!strcmp(s, "Improvement_Index")) c->ii_col = (int)c->col;
    } else if (c->col == c->measure_col)
        slot = &c->measure;
    else if (c->col == c->domain_col)
        slot = &c->domain;
    else if (c->col == c->g_col)
        slot = &c->g;
    else if (c->col == c->ii_col)
        slot = &c->ii;
    if (slot) {
        free(*slot);
        *slot = strndup(s, len);
    }
    c->col++;
}

static void census_row(int term, void *ctx)
{
    census *c = ctx;
    ww_direction_verdict v;
    (void)term;
    if (c->row > 0 && c->measure && c->domain) {
        c->rows++;
        if (ww_direction_classify(&v, c->measure, c->domain) != 0) c->failed = 1;
        if (v.higher_is_better == 1)
            c->higher++;
        else if (v.higher_is_better == 0)
            c->lower++;
        else {
            c->unknown++;
            if (c->verbose) printf("  census unknown: %s [%s]\n", c->measure, c->domain);
        }
        if (v.higher_is_better >= 0) {
            if (!strncmp(v.rule, "domain:", 7))
                c->by_domain++;
            else
                c->by_rule++;
        }
        /* WWC's improvement index is flipped where WWC judged lower better:
         * an effect and index of opposite signs is WWC's own direction. */
        if (c->g && c->ii && *c->g && *c->ii) {
            double g = strtod(c->g, NULL), ii = strtod(c->ii, NULL);
            if (g * ii < 0) {
                c->ii_flipped++;
                if (v.higher_is_better == 0)
                    c->ii_flipped_lower++;
                else if (v.higher_is_better == 1) {
                    c->ii_flipped_higher++;
                    if (c->verbose)
                        printf("  census: WWC flipped, we say higher (%s): %s [%s]\n", v.rule,
                               c->measure, c->domain);
                } else
                    c->ii_flipped_unknown++;
            }
        }
    }
    free(c->measure);
    free(c->domain);
    free(c->g);
    free(c->ii);
    c->measure = c->domain = c->g = c->ii = NULL;
    c->row++;
    c->col = 0;
}

static void test_direction__wwc_census(void **state)
{
    char path[4096];
    census c;
    (void)state;
    memset(&c, 0, sizeof c);
    c.measure_col = c.domain_col = c.g_col = c.ii_col = -1;
    c.verbose = getenv("WW_DIRECTION_VERBOSE") != NULL;
    SHARED_PATH(path, "wwc/wwc_Findings.csv");
    assert_int_equal(test_csv_read(path, census_field, census_row, &c), 0);
    assert_false(c.failed);
    assert_true(c.measure_col >= 0 && c.domain_col >= 0 && c.g_col >= 0 && c.ii_col >= 0);
    printf("census: %ld findings: %ld higher, %ld lower, %ld unknown (%.1f%%); "
           "%ld decided by a name rule, %ld by the domain default\n",
           c.rows, c.higher, c.lower, c.unknown, 100.0 * c.unknown / c.rows, c.by_rule,
           c.by_domain);
    printf("census: %ld findings whose WWC improvement index has the opposite sign to the "
           "effect: %ld lower, %ld unknown, %ld higher\n",
           c.ii_flipped, c.ii_flipped_lower, c.ii_flipped_unknown, c.ii_flipped_higher);
    assert_int_equal(c.rows, 6972);
    assert_int_equal(c.higher + c.lower + c.unknown, c.rows);
    /* The bound: 5%. About 3% of findings are unknown on purpose: names in
     * domains with no default (behaviour, attitudes, engagement, school
     * choice) that carry no cue, instrument totals ("TOCA: Teacher"), and
     * measures the lexicon marks as ambiguous ("Fraction number line", 22
     * findings; emotion-regulation subscales). More than 5% means rules were
     * lost, or a default domain was dropped. */
    assert_true(c.unknown * 20 < c.rows);
    assert_true(c.lower >= 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direction__threads_share_one_lexicon),
        cmocka_unit_test(test_direction__version),
        cmocka_unit_test(test_direction__usage),
        cmocka_unit_test(test_direction__whole_words_and_stems),
        cmocka_unit_test(test_direction__phrases_and_specificity),
        cmocka_unit_test(test_direction__instruments_and_subscales),
        cmocka_unit_test(test_direction__markers),
        cmocka_unit_test(test_direction__contradiction_is_unknown),
        cmocka_unit_test(test_direction__domain_default),
        cmocka_unit_test(test_direction__case_and_utf8),
        cmocka_unit_test(test_direction__wwc_fixture),
        cmocka_unit_test(test_direction__wwc_census),
    };
    test_filter_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
