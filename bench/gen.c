/*
 * gen.c — the deterministic synthetic corpus the benchmarks run on (issue 8,
 * DESIGN.md section 10). One logical corpus of interventions, studies and
 * effects is drawn from a seed, then written in the three formats whatworks
 * reads, each format holding its own share of the studies:
 *
 *   submissions/sNNNNNNN.xml  one submission (docs/submission.md) per study;
 *   revman.rm5                one RevMan 5 review (ISO-8859-1, CRLF) holding
 *                             its studies, characteristics, risk of bias and
 *                             ANALYSES_AND_DATA, laid out as the real files in
 *                             ../shared/data/revman are; about 100 MB at full
 *                             scale. revman-quarter.rm5 is the first quarter
 *                             of the same studies, for the memory-vs-size row;
 *   wwc_findings.csv          one WWC findings row per effect, with the real
 *                             file's 32-column header (CRLF, UTF-8);
 *   corpus.txt                what was written, with counts and sizes.
 *
 * Every entity is drawn from its own counter-based random stream (the seed,
 * a kind and the entity's index), so any study or effect can be regenerated
 * on its own and in any order: the RevMan writer walks the studies once per
 * section, as the format lays them out, and never holds the corpus in memory.
 * The words come from data/issues.tsv (issue labels, terms and outcome
 * domains) and the lists below. Everything here is invented and every file
 * says so; none of it is evidence.
 *
 * usage: gen --out DIR [--scale tiny|small|medium|full] [--seed N]
 *            [--issues data/issues.tsv] [--interventions N] [--studies N]
 *            [--effects N]
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_cdf.h>

/* ---- random streams ------------------------------------------------------ */

/* SplitMix64 (Steele, Lea & Flood 2014): a good 64-bit mixer and generator. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct rng {
    uint64_t state;
} rng;

enum stream { S_INTERVENTION = 1, S_STUDY, S_EFFECT, S_SLOT, S_ROB, S_PAIR, S_BENEFIT };

static rng rng_for(uint64_t seed, enum stream kind, uint64_t a, uint64_t b)
{
    rng r;
    r.state = mix64(seed ^ mix64(((uint64_t)kind << 56) ^ mix64(a) ^ mix64(b + 0x51ed27ULL)));
    return r;
}

static uint64_t next_u64(rng *r)
{
    r->state += 0x9e3779b97f4a7c15ULL;
    return mix64(r->state);
}

static double unif(rng *r)
{
    return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

static unsigned pick(rng *r, unsigned n)
{
    return (unsigned)(next_u64(r) % n);
}

static double normal(rng *r)
{
    double u1 = 1.0 - unif(r), u2 = unif(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static long clampl(long x, long lo, long hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* ---- vocabulary ----------------------------------------------------------- */

#define MAX_ISSUES 64
#define MAX_TERMS 32
#define MAX_DOMAINS 8

typedef struct issue {
    char *slug, *label;
    char *terms[MAX_TERMS];
    size_t n_terms;
    char *domains[MAX_DOMAINS];
    size_t n_domains;
} issue;

static const char *const approaches[] = {
    "mentoring",
    "family therapy",
    "parenting programme",
    "cognitive behavioural therapy",
    "motivational interviewing",
    "multisystemic therapy",
    "functional family therapy",
    "key worker support",
    "peer support",
    "case management",
    "restorative practice",
    "mindfulness training",
    "social skills training",
    "group work",
    "assertive outreach",
    "intensive family support",
    "school-based counselling",
    "coaching",
    "tenancy sustainment",
    "brief intervention",
    "contingency management",
    "therapeutic community",
    "mentoring and tutoring",
    "detached youth work",
    "community navigation",
    "home visiting",
    "wraparound support",
    "relationship education",
};
static const char *const brand_adj[] = {
    "Bright", "Steady",   "Open",     "Firm",   "Clear", "Strong", "Safe",  "New",
    "Shared", "Forward",  "Rising",   "Common", "Early", "Whole",  "Local", "Turning",
    "Second", "Stepping", "Northern", "Fresh",  "Solid", "Future", "Kind",  "Level",
};
static const char *const brand_noun[] = {
    "Steps",   "Paths",   "Futures", "Start",   "Ground", "Roots",    "Horizons", "Bridges",
    "Choices", "Lives",   "Doors",   "Links",   "Point",  "Track",    "Circle",   "Compass",
    "Anchor",  "Harbour", "Keys",    "Threads", "Routes", "Lanterns",
};
/* Surnames, some with Latin-1 letters: RevMan files are ISO-8859-1. */
static const char *const surnames[] = {
    "Smith",   "Jones",       "Williams", "Brown",  "Taylor",   "Davies",   "Evans",    "Wilson",
    "Thomas",  "Roberts",     "Johnson",  "Walker", "Wright",   "Robinson", "Thompson", "White",
    "Hughes",  "Edwards",     "Green",    "Hall",   "Wood",     "Harris",   "Lewis",    "Martin",
    "Jackson", "Clarke",      "Turner",   "Hill",   "Scott",    "Cooper",   "Morris",   "Ward",
    "Moore",   "King",        "Watson",   "Baker",  "Harrison", "Morgan",   "Patel",    "Young",
    "Allen",   "Mitchell",    "Okafor",   "Nguyen", "Kowalski", "Ferreira", "Müller",   "Håkansson",
    "Núñez",   "Søndergaard", "Lefèvre",  "Gómez",  "Böhm",     "Çelik",    "Ó Briain", "Jørgensen",
    "Ibáñez",  "Nordström",   "Kaya",     "Rossi",  "Dubois",   "Schäfer",  "García",   "Lindqvist",
};
#define N_SURNAMES (sizeof surnames / sizeof surnames[0])
#define YEAR_FIRST 1990
#define N_YEARS 34 /* 1990..2023: never after the current year */

static const char *const initials[] = {"A", "B", "C", "D", "E", "F", "G", "H", "J", "K",
                                       "L", "M", "N", "P", "R", "S", "T", "V", "W"};
static const char *const settings[] = {
    "Secondary schools",
    "Primary schools",
    "Community centres",
    "Family homes",
    "Youth offending services",
    "Probation offices",
    "GP practices",
    "Jobcentres",
    "Hostels and supported housing",
    "Local authority children's services",
    "Further education colleges",
    "Drug and alcohol services",
};
static const char *const populations[] = {
    "Young people aged 11 to 16",
    "Families with children under 12",
    "Adults aged 18 to 64",
    "Young adults aged 16 to 24",
    "Households in temporary accommodation",
    "Women and their children",
    "Pupils in years 7 to 11",
    "Adults on probation",
};
static const char *const agencies[] = {
    "Local authority children's services",
    "NHS",
    "Police",
    "Local authority housing services",
    "Department for Work and Pensions",
    "Ministry of Justice",
    "Local authority education services",
    "HM Revenue and Customs",
};
static const char *const regions[] = {
    "North West England",
    "North East England",
    "Yorkshire and the Humber",
    "West Midlands",
    "East Midlands",
    "East of England",
    "London",
    "South East England",
    "South West England",
    "Wales",
    "Scotland",
    "Northern Ireland",
    "national",
};
static const char *const other_domains[] = {"wellbeing", "health", "education",
                                            "family functioning"};
static const char *const timepoints[] = {
    "6 months", "12 months", "end of programme", "24 months", "end of the school year", "3 months"};
static const char *const wwc_periods[] = {"0 Days",   "1 Year",   "2 Years",
                                          "Posttest", "6 Months", "3 Years"};
static const char *const instruments[] = {
    "Strengths and Difficulties Questionnaire",
    "self-report scale",
    "administrative records",
    "parent report",
    "teacher report",
    "case file review",
    "structured interview",
};
static const char *const wwc_protocols[] = {
    "Single Study Review",
    "Review of Individual Studies",
    "Quick Review Protocol",
    "Behavior",
    "Dropout Prevention",
    "Children and Youth with Disabilities",
    "Supporting Postsecondary Success",
};
static const char *const wwc_samples[] = {"Grades 9 - 12", "Grades 6 - 8", "Grades K - 5",
                                          "Young adults",  "Families",     "Adults"};

/* Study designs with their share of studies, most rigorous first. */
static const struct {
    const char *kind, *methods_text;
    double share;
} designs[] = {
    {"randomised", "Randomised controlled trial, individually randomised", 0.33},
    {"regression-discontinuity", "Regression discontinuity on an eligibility score", 0.04},
    {"instrument", "Instrumental variable analysis of area-level roll-out", 0.03},
    {"difference-in-differences", "Difference-in-differences with comparison areas", 0.10},
    {"matched-pretest", "Quasi-experimental, matched comparison group with pre-test", 0.17},
    {"comparison", "Non-randomised comparison group without matching", 0.15},
    {"before-after", "Uncontrolled before-and-after study", 0.12},
    {"descriptive", "Descriptive evaluation with routine data", 0.06},
};
#define N_DESIGNS (sizeof designs / sizeof designs[0])

static const char *const rob_items[] = {
    "Random sequence generation (selection bias)",
    "Allocation concealment (selection bias)",
    "Blinding of participants and personnel (performance bias)",
    "Blinding of outcome assessment (detection bias)",
    "Incomplete outcome data (attrition bias)",
    "Selective reporting (reporting bias)",
    "Other bias",
};
static const char *const rob_descr[] = {
    "Selection bias (biased allocation to interventions) due to inadequate generation of a "
    "randomised sequence",
    "Selection bias (biased allocation to interventions) due to inadequate concealment of "
    "allocations prior to assignment",
    "Performance bias due to knowledge of the allocated interventions by participants and "
    "personnel during the study",
    "Detection bias due to knowledge of the allocated interventions by outcome assessors",
    "Attrition bias due to amount, nature or handling of incomplete outcome data",
    "Reporting bias due to selective outcome reporting",
    "Bias due to problems not covered elsewhere in the table",
};
#define N_ROB (sizeof rob_items / sizeof rob_items[0])
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the corpus ----------------------------------------------------------- */

typedef struct corpus {
    uint64_t seed;
    const char *scale;
    long n_interventions, n_studies, n_effects;
    long sub_end, rm_end; /* studies [0,sub_end) submissions, [sub_end,rm_end) RevMan,
                             [rm_end,n_studies) WWC */
    issue issues[MAX_ISSUES];
    size_t n_issues;
} corpus;

typedef struct interv {
    long index;
    const issue *iss;
    char name[200];
    char description[1200];
    const char *approach;
    const char *setting, *population;
    const char *issue_terms[3];
    size_t n_issue_terms;
    double delta; /* true SMD, positive = beneficial */
    int has_cost;
    double cost;
    int cost_year;
    const char *payer;
} interv;

typedef struct study {
    long index;
    long iv; /* its intervention */
    int year;
    char surname_year[64]; /* "Müller 2004" or "Müller 2004c": unique */
    const char *author1;
    const char *init1;
    int n_authors;
    size_t design;
    long assigned_t, assigned_c, analysed_t, analysed_c;
    double baseline_diff;
    int independent; /* -1 unknown */
    int cluster;     /* allocation by school */
    const char *country, *region;
    long n_effects;
    double delta; /* this study's true effect */
} study;

enum effect_kind { K_CONTINUOUS = 0, K_BINARY, K_REPORTED };

typedef struct effect {
    enum effect_kind kind;
    char name[200];
    const char *domain;
    const char *timepoint;
    const char *period;
    int higher_is_better;
    long n_t, n_c;
    double mean_t, mean_c, sd_t, sd_c; /* continuous */
    long ev_t, ev_c;                   /* binary (and the counts behind reported) */
    const char *metric;                /* reported: SMD, MD, OR, RR */
    double est, ci_lo, ci_hi;          /* reported, natural scale */
    double smd;                        /* observed SMD, positive = beneficial */
} effect;

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (!p) {
        fprintf(stderr, "gen: out of memory\n");
        exit(70);
    }
    memcpy(p, s, n);
    return p;
}

/* Split s at every sep into at most max trimmed pieces (s is modified). */
static size_t split(char *s, char sep, char **out, size_t max)
{
    size_t n = 0;
    while (s && n < max) {
        char *end = strchr(s, sep);
        if (end) *end = '\0';
        while (*s == ' ') s++;
        if (*s) out[n++] = xstrdup(s);
        s = end ? end + 1 : NULL;
    }
    return n;
}

static int load_issues(corpus *c, const char *path)
{
    FILE *fp = fopen(path, "r");
    char line[4096];
    if (!fp) {
        fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, fp) && c->n_issues < MAX_ISSUES) {
        char *col[5];
        size_t n;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') continue;
        n = split(line, '\t', col, 5);
        if (n != 5) {
            for (size_t i = 0; i < n; i++) free(col[i]);
            continue;
        }
        issue *is = &c->issues[c->n_issues++];
        is->slug = col[0];
        is->label = col[2];
        is->n_domains = split(col[3], ',', is->domains, MAX_DOMAINS);
        is->n_terms = split(col[4], '|', is->terms, MAX_TERMS);
        free(col[1]);
        free(col[3]);
        free(col[4]);
    }
    fclose(fp);
    if (!c->n_issues) {
        fprintf(stderr, "gen: %s: no issues found\n", path);
        return -1;
    }
    return 0;
}

/* A term of the issue with at least five letters (skips "asb", "ipv"). */
static const char *long_term(const issue *is, rng *r)
{
    for (int tries = 0; tries < 8; tries++) {
        const char *t = is->terms[pick(r, (unsigned)is->n_terms)];
        if (strlen(t) >= 5) return t;
    }
    return is->terms[0];
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static void make_interv(const corpus *c, long i, interv *iv)
{
    rng r = rng_for(c->seed, S_INTERVENTION, (uint64_t)i, 0);
    const char *t1, *t2;
    memset(iv, 0, sizeof *iv);
    iv->index = i;
    iv->iss = &c->issues[(size_t)i % c->n_issues];
    iv->approach = approaches[pick(&r, N_OF(approaches))];
    iv->setting = settings[pick(&r, N_OF(settings))];
    iv->population = populations[pick(&r, N_OF(populations))];
    snprintf(iv->name, sizeof iv->name, "%s %s %s (synthetic %ld)",
             brand_adj[pick(&r, N_OF(brand_adj))], brand_noun[pick(&r, N_OF(brand_noun))],
             iv->approach, i + 1);
    t1 = long_term(iv->iss, &r);
    t2 = long_term(iv->iss, &r);
    snprintf(iv->description, sizeof iv->description,
             "Synthetic benchmark intervention, not real evidence. A programme of %s for people "
             "affected by %c%s, delivered in %c%s. It aims to reduce %s and %s and to improve the "
             "%s outcomes that follow from them.",
             iv->approach, lower(iv->iss->label[0]), iv->iss->label + 1, lower(iv->setting[0]),
             iv->setting + 1, t1, t2, iv->iss->domains[0]);
    /* presenting issues: one to three of the issue's terms, first the label's */
    iv->n_issue_terms = 1 + pick(&r, 3);
    for (size_t k = 0; k < iv->n_issue_terms; k++)
        iv->issue_terms[k] = iv->iss->terms[(k * 3) % iv->iss->n_terms];
    if (iv->n_issue_terms > iv->iss->n_terms) iv->n_issue_terms = iv->iss->n_terms;
    for (size_t a = 1; a < iv->n_issue_terms; a++)
        if (strcmp(iv->issue_terms[a], iv->issue_terms[0]) == 0) iv->n_issue_terms = a;
    iv->delta = 0.12 + 0.15 * normal(&r);
    iv->has_cost = unif(&r) < 0.7;
    iv->cost = round(exp(log(1500.0) + 1.0 * normal(&r)) * 100.0) / 100.0;
    if (iv->cost > 900000) iv->cost = 900000;
    iv->cost_year = 2015 + (int)pick(&r, 9);
    iv->payer = agencies[pick(&r, N_OF(agencies))];
}

/* Studies are laid out in intervention order: study s belongs to
 * intervention floor(s * I / S), so each intervention has S / I studies. */
static long study_interv(const corpus *c, long s)
{
    return (long)((long double)s * c->n_interventions / c->n_studies);
}

static long first_study_of(const corpus *c, long iv)
{
    long s = (long)(((long double)iv * c->n_studies + c->n_interventions - 1) / c->n_interventions);
    while (s > 0 && study_interv(c, s - 1) >= iv) s--;
    while (s < c->n_studies && study_interv(c, s) < iv) s++;
    return s;
}

/* Effects per study: E / S on average, exactly E in all. Studies are paired
 * (2j, 2j+1); the first gets base + d and the second base - d. */
static long study_effects(const corpus *c, long s)
{
    long base = c->n_effects / c->n_studies, extra = c->n_effects % c->n_studies;
    long n = base + (s < extra ? 1 : 0);
    long pair = s / 2;
    if (base >= 2 && 2 * pair + 1 < c->n_studies) {
        rng r = rng_for(c->seed, S_PAIR, (uint64_t)pair, 0);
        long d = (long)pick(&r, (unsigned)(base / 2 + 1));
        n += (s % 2 == 0) ? d : -d;
    }
    if (n > 200) n = 200; /* a submission holds at most 200 outcomes */
    return n < 1 ? 1 : n;
}

/* Bijective base-26 letters: 1 -> "a", 26 -> "z", 27 -> "aa". */
static void suffix_letters(char *out, size_t size, long t)
{
    char tmp[16];
    size_t n = 0;
    while (t > 0 && n < sizeof tmp) {
        t--;
        tmp[n++] = (char)('a' + t % 26);
        t /= 26;
    }
    size_t k = 0;
    while (n > 0 && k + 1 < size) out[k++] = tmp[--n];
    out[k] = '\0';
}

static void make_study(const corpus *c, long s, study *st)
{
    rng r = rng_for(c->seed, S_STUDY, (uint64_t)s, 0);
    char suffix[16];
    double u, acc = 0;
    memset(st, 0, sizeof *st);
    st->index = s;
    st->iv = study_interv(c, s);
    /* name and year are a bijection of s, so "Surname Year[suffix]" is unique */
    st->author1 = surnames[(size_t)s % N_SURNAMES];
    st->year = YEAR_FIRST + (int)((s / (long)N_SURNAMES) % N_YEARS);
    suffix_letters(suffix, sizeof suffix, s / ((long)N_SURNAMES * N_YEARS));
    snprintf(st->surname_year, sizeof st->surname_year, "%s %d%s", st->author1, st->year, suffix);
    st->init1 = initials[pick(&r, N_OF(initials))];
    st->n_authors = 1 + (int)pick(&r, 4);
    u = unif(&r);
    st->design = N_DESIGNS - 1;
    for (size_t d = 0; d < N_DESIGNS; d++) {
        acc += designs[d].share;
        if (u < acc) {
            st->design = d;
            break;
        }
    }
    st->assigned_t = clampl(lround(exp(log(160.0) + 0.9 * normal(&r))), 20, 20000);
    st->assigned_c = clampl(lround(st->assigned_t * (0.7 + 0.8 * unif(&r))), 20, 30000);
    st->analysed_t = clampl(lround(st->assigned_t * (0.75 + 0.25 * unif(&r))), 10, st->assigned_t);
    st->analysed_c = clampl(lround(st->assigned_c * (0.75 + 0.25 * unif(&r))), 10, st->assigned_c);
    st->baseline_diff = round(0.3 * normal(&r) * 100.0) / 100.0;
    st->independent = unif(&r) < 0.15 ? -1 : (int)pick(&r, 2);
    st->cluster = unif(&r) < 0.25;
    st->country = unif(&r) < 0.75 ? "GB" : (unif(&r) < 0.6 ? "US" : "AU");
    st->region = strcmp(st->country, "GB") == 0 ? regions[pick(&r, N_OF(regions))] : "national";
    st->n_effects = study_effects(c, s);
    {
        interv iv;
        make_interv(c, st->iv, &iv);
        st->delta = iv.delta + 0.1 * normal(&r);
    }
}

/* The outcome an intervention measures in slot o: kind, domain, direction
 * and name are the same in every study of the intervention. */
static void slot_outcome(const corpus *c, const interv *iv, long o, effect *e)
{
    rng r = rng_for(c->seed, S_SLOT, (uint64_t)iv->index, (uint64_t)o);
    double u = unif(&r);
    const char *term = long_term(iv->iss, &r);
    const char *instrument = instruments[pick(&r, N_OF(instruments))];
    size_t tp = pick(&r, N_OF(timepoints));
    e->kind = u < 0.5 ? K_CONTINUOUS : u < 0.85 ? K_BINARY : K_REPORTED;
    if (o == 0 || unif(&r) < 0.75)
        e->domain = iv->iss->domains[(size_t)o % iv->iss->n_domains];
    else
        e->domain = other_domains[pick(&r, N_OF(other_domains))];
    e->timepoint = timepoints[tp];
    e->period = wwc_periods[tp];
    if (e->kind == K_CONTINUOUS) {
        e->higher_is_better = (int)pick(&r, 2);
        if (e->higher_is_better)
            snprintf(e->name, sizeof e->name, "%c%s score, %s (outcome %ld)",
                     e->domain[0] >= 'a' && e->domain[0] <= 'z' ? (char)(e->domain[0] - 'a' + 'A')
                                                                : e->domain[0],
                     e->domain + 1, instrument, o + 1);
        else
            snprintf(e->name, sizeof e->name, "Frequency of %s, %s (outcome %ld)", term, instrument,
                     o + 1);
    } else {
        e->higher_is_better = 0;
        snprintf(e->name, sizeof e->name, "Any %s at follow-up, %s (outcome %ld)", term, instrument,
                 o + 1);
    }
}

static double invlogit(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* Effect o of study st: the observed statistics, drawn around the study's
 * true effect with the sampling error its sample sizes imply. */
static void make_effect(const corpus *c, const interv *iv, const study *st, long o, effect *e)
{
    rng r = rng_for(c->seed, S_EFFECT, (uint64_t)st->index, (uint64_t)o);
    double sign, d_obs, se_smd;
    memset(e, 0, sizeof *e);
    slot_outcome(c, iv, o, e);
    sign = e->higher_is_better ? 1.0 : -1.0;
    e->n_t = clampl(st->analysed_t - (long)pick(&r, 4), 5, st->analysed_t);
    e->n_c = clampl(st->analysed_c - (long)pick(&r, 4), 5, st->analysed_c);
    se_smd = sqrt(1.0 / e->n_t + 1.0 / e->n_c);
    d_obs = st->delta + se_smd * normal(&r);
    e->smd = d_obs;
    if (e->kind == K_CONTINUOUS) {
        double sd = 4.0 + 26.0 * unif(&r);
        e->mean_c = round((20.0 + 60.0 * unif(&r)) * 100.0) / 100.0;
        e->sd_c = round(sd * 100.0) / 100.0;
        e->sd_t = round(sd * (0.85 + 0.3 * unif(&r)) * 100.0) / 100.0;
        e->mean_t = round((e->mean_c + sign * d_obs * sd) * 100.0) / 100.0;
    } else {
        /* beneficial = fewer events (every binary outcome is a problem) */
        double pc = 0.15 + 0.45 * unif(&r);
        double pt = invlogit(log(pc / (1 - pc)) - d_obs * M_PI / sqrt(3.0));
        e->ev_c =
            clampl(lround(pc * e->n_c + sqrt(pc * (1 - pc) * e->n_c) * normal(&r)), 1, e->n_c - 1);
        e->ev_t = clampl(lround(pt * e->n_t), 1, e->n_t - 1);
    }
    if (e->kind == K_REPORTED) {
        static const char *const metrics[] = {"SMD", "SMD", "OR", "OR", "RR", "MD"};
        double a = (double)e->ev_t, b = (double)(e->n_t - e->ev_t), cc = (double)e->ev_c,
               dd = (double)(e->n_c - e->ev_c), y, se, z = 1.959963984540054;
        e->metric = metrics[pick(&r, N_OF(metrics))];
        if (strcmp(e->metric, "OR") == 0) {
            y = log((a * dd) / (b * cc));
            se = sqrt(1 / a + 1 / b + 1 / cc + 1 / dd);
            e->est = round(exp(y) * 1000) / 1000;
            e->ci_lo = round(exp(y - z * se) * 1000) / 1000;
            e->ci_hi = round(exp(y + z * se) * 1000) / 1000;
        } else if (strcmp(e->metric, "RR") == 0) {
            y = log((a / e->n_t) / (cc / e->n_c));
            se = sqrt(1 / a - 1.0 / e->n_t + 1 / cc - 1.0 / e->n_c);
            e->est = round(exp(y) * 1000) / 1000;
            e->ci_lo = round(exp(y - z * se) * 1000) / 1000;
            e->ci_hi = round(exp(y + z * se) * 1000) / 1000;
        } else {
            /* SMD or MD, beneficial = lower (the outcome is a problem) */
            double scale = strcmp(e->metric, "MD") == 0 ? 10.0 : 1.0;
            y = -d_obs * scale;
            se = sqrt(se_smd * se_smd + d_obs * d_obs / (2.0 * (e->n_t + e->n_c))) * scale;
            e->est = round(y * 1000) / 1000;
            e->ci_lo = round((y - z * se) * 1000) / 1000;
            e->ci_hi = round((y + z * se) * 1000) / 1000;
        }
        if (e->ci_lo >= e->est) e->ci_lo = e->est - 0.001;
        if (e->ci_hi <= e->est) e->ci_hi = e->est + 0.001;
        if (e->ci_lo <= 0 && strcmp(e->metric, "OR") == 0) e->ci_lo = 0.001;
        if (e->ci_lo <= 0 && strcmp(e->metric, "RR") == 0) e->ci_lo = 0.001;
    }
}

/* ---- writing helpers -------------------------------------------------------- */

typedef struct writer {
    FILE *fp;
    const char *path;
    int latin1; /* convert UTF-8 text to ISO-8859-1 on the way out */
} writer;

static void die_io(const char *path)
{
    fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
    exit(74);
}

static writer out_open(const char *path, int latin1)
{
    writer o;
    o.path = path;
    o.latin1 = latin1;
    if (!(o.fp = fopen(path, "wb"))) die_io(path);
    setvbuf(o.fp, NULL, _IOFBF, 1 << 20);
    return o;
}

static void out_close(writer *o)
{
    if (ferror(o->fp) || fclose(o->fp) != 0) die_io(o->path);
}

static void put(writer *o, const char *s)
{
    fputs(s, o->fp);
}

static void putf(writer *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(writer *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->fp, fmt, ap);
    va_end(ap);
}

/* Text escaped for XML (attr: also the double quote), transcoded to Latin-1
 * when the file is ISO-8859-1 (characters beyond it become references). */
static void put_xml(writer *o, const char *s, int attr)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = *p;
        int len = 1;
        if (cp >= 0xc0 && cp < 0xe0 && p[1]) {
            cp = ((cp & 0x1fu) << 6) | (p[1] & 0x3fu);
            len = 2;
        } else if (cp >= 0xe0 && cp < 0xf0 && p[1] && p[2]) {
            cp = ((cp & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
            len = 3;
        }
        if (cp == '&')
            put(o, "&amp;");
        else if (cp == '<')
            put(o, "&lt;");
        else if (cp == '>')
            put(o, "&gt;");
        else if (cp == '"' && attr)
            put(o, "&quot;");
        else if (cp < 0x80)
            fputc((int)cp, o->fp);
        else if (o->latin1 && cp <= 0xff)
            fputc((int)cp, o->fp);
        else if (o->latin1)
            putf(o, "&#%u;", cp);
        else
            fwrite(p, 1, (size_t)len, o->fp);
        p += len;
    }
}

/* <name>text</name> and a line end. */
static void elem(writer *o, const char *indent, const char *name, const char *text, const char *eol)
{
    putf(o, "%s<%s>", indent, name);
    put_xml(o, text, 0);
    putf(o, "</%s>%s", name, eol);
}

/* A double as Java (RevMan) writes it: the shortest digits that read back
 * exactly, plain between 1e-3 and 1e7, else d.dddE-n. */
static void fmt_java(char *buf, size_t size, double x)
{
    char tmp[40], digits[32];
    int prec, exp10, nd = 0;
    if (x == 0) {
        snprintf(buf, size, "0.0");
        return;
    }
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x);
        if (strtod(tmp, NULL) == x) break;
    }
    /* tmp is [-]d.ddde[+-]XX */
    {
        const char *p = tmp;
        char *e;
        if (*p == '-') p++;
        for (; *p && *p != 'e'; p++)
            if (*p >= '0' && *p <= '9') digits[nd++] = *p;
        digits[nd] = '\0';
        exp10 = (int)strtol(p + 1, &e, 10);
    }
    while (nd > 1 && digits[nd - 1] == '0') digits[--nd] = '\0';
    {
        size_t k = 0;
        double ax = fabs(x);
        if (x < 0 && k + 1 < size) buf[k++] = '-';
        if (ax >= 1e-3 && ax < 1e7) {
            if (exp10 >= 0) {
                for (int i = 0; i <= exp10 && k + 1 < size; i++)
                    buf[k++] = i < nd ? digits[i] : '0';
                if (k + 1 < size) buf[k++] = '.';
                if (nd > exp10 + 1)
                    for (int i = exp10 + 1; i < nd && k + 1 < size; i++) buf[k++] = digits[i];
                else if (k + 1 < size)
                    buf[k++] = '0';
            } else {
                if (k + 2 < size) {
                    buf[k++] = '0';
                    buf[k++] = '.';
                }
                for (int i = 0; i < -exp10 - 1 && k + 1 < size; i++) buf[k++] = '0';
                for (int i = 0; i < nd && k + 1 < size; i++) buf[k++] = digits[i];
            }
            buf[k] = '\0';
        } else {
            buf[k++] = digits[0];
            buf[k++] = '.';
            if (nd > 1)
                for (int i = 1; i < nd && k + 1 < size; i++) buf[k++] = digits[i];
            else
                buf[k++] = '0';
            snprintf(buf + k, size - k, "E%d", exp10);
        }
    }
}

/* attr="java-double" */
static void attr_d(writer *o, const char *name, double x)
{
    char buf[48];
    fmt_java(buf, sizeof buf, x);
    putf(o, " %s=\"%s\"", name, buf);
}

static void put_csv(writer *o, const char *s)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', o->fp);
        for (; *s; s++) {
            if (*s == '"') fputc('"', o->fp);
            fputc(*s, o->fp);
        }
        fputc('"', o->fp);
    } else {
        fputs(s, o->fp);
    }
}

/* A number as .NET's default ToString() writes it in the WWC export
 * (15 significant digits, E-06 style exponents). */
static void csv_num(writer *o, double x)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.15G", x);
    fputs(buf, o->fp);
}

static double phi(double x)
{
    return 0.5 * erfc(-x / M_SQRT2);
}

static void rfc_date(char *buf, size_t size, const study *st)
{
    snprintf(buf, size, "%d-%02d-%02d 10:%02ld:%02ld +0100", st->year + 1,
             (int)(st->index % 12) + 1, (int)(st->index % 28) + 1, st->index % 60,
             (st->index * 7) % 60);
}

/* ---- submissions ------------------------------------------------------------ */

static void author_list(const study *st, char names[4][64])
{
    for (int a = 0; a < st->n_authors; a++) {
        if (a == 0)
            snprintf(names[a], 64, "%s. %s", st->init1, st->author1);
        else
            snprintf(names[a], 64, "%s. %s", initials[(size_t)(st->index + a) % N_OF(initials)],
                     surnames[(size_t)(st->index * 7 + a * 13) % N_SURNAMES]);
    }
}

static void write_submission(const corpus *c, const char *dir, long s, long *n_effects_out,
                             size_t *bytes_out)
{
    char path[4096], buf[64], names[4][64];
    study st;
    interv iv;
    writer o;
    long pos;
    rng r = rng_for(c->seed, S_BENEFIT, (uint64_t)s, 0);

    make_study(c, s, &st);
    make_interv(c, st.iv, &iv);
    author_list(&st, names);
    if (snprintf(path, sizeof path, "%s/s%07ld.xml", dir, s + 1) >= (int)sizeof path) {
        fprintf(stderr, "gen: %s: path too long\n", dir);
        exit(64);
    }
    o = out_open(path, 0);
    put(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<!-- Synthetic benchmark corpus (whatworks bench/gen.c) — not real evidence. Every\n"
            "     name, place and number in this file was generated at random. -->\n"
            "<submission xmlns=\"urn:whatworks:submission:1\" version=\"1\">\n"
            "  <evaluation example=\"true\">\n");
    snprintf(buf, sizeof buf, "%ld", s + 1);
    put(&o, "    <title>Synthetic benchmark study ");
    put(&o, buf);
    put(&o, " — not real evidence: an evaluation of ");
    put_xml(&o, iv.name, 0);
    put(&o, "</title>\n");
    putf(&o, "    <organisation>Synthetic Evaluation Unit %ld (fictional)</organisation>\n",
         s % 97 + 1);
    put(&o, "    <authors>\n");
    for (int a = 0; a < st.n_authors; a++) elem(&o, "      ", "author", names[a], "\n");
    put(&o, "    </authors>\n");
    putf(&o, "    <year>%d</year>\n", st.year);
    putf(&o, "    <report_url>https://example.org/whatworks/synthetic/%ld</report_url>\n", s + 1);
    if (s % 3 == 0) putf(&o, "    <doi>10.5555/ww-synthetic-%ld</doi>\n", s + 1);
    putf(&o, "    <country>%s</country>\n", st.country);
    elem(&o, "    ", "region", st.region, "\n");
    put(&o,
        "    <notes>Generated for the whatworks benchmarks; describes no real study.</notes>\n");
    put(&o, "  </evaluation>\n  <intervention>\n");
    elem(&o, "    ", "name", iv.name, "\n");
    elem(&o, "    ", "description", iv.description, "\n");
    put(&o, "    <presenting_issues>\n");
    for (size_t k = 0; k < iv.n_issue_terms; k++)
        elem(&o, "      ", "issue", iv.issue_terms[k], "\n");
    put(&o, "    </presenting_issues>\n");
    elem(&o, "    ", "population", iv.population, "\n");
    elem(&o, "    ", "setting", iv.setting, "\n");
    putf(&o, "    <delivery>Weekly sessions of %s over %d weeks</delivery>\n", iv.approach,
         8 + (int)(iv.index % 5) * 4);
    if (iv.has_cost) {
        putf(&o, "    <cost_per_participant>%.2f</cost_per_participant>\n", iv.cost);
        putf(&o, "    <cost_price_year>%d</cost_price_year>\n", iv.cost_year);
        elem(&o, "    ", "cost_payer", iv.payer, "\n");
    }
    put(&o, "  </intervention>\n  <design>\n");
    putf(&o, "    <kind>%s</kind>\n", designs[st.design].kind);
    putf(&o, "    <allocation_unit>%s</allocation_unit>\n", st.cluster ? "school" : "individual");
    put(&o, "    <comparison_condition>Services as usual</comparison_condition>\n");
    putf(&o,
         "    <assigned_treatment>%ld</assigned_treatment>\n"
         "    <assigned_control>%ld</assigned_control>\n"
         "    <analysed_treatment>%ld</analysed_treatment>\n"
         "    <analysed_control>%ld</analysed_control>\n"
         "    <baseline_diff_sd>%.2f</baseline_diff_sd>\n",
         st.assigned_t, st.assigned_c, st.analysed_t, st.analysed_c, st.baseline_diff);
    if (st.independent >= 0)
        putf(&o, "    <independent_evaluator>%s</independent_evaluator>\n",
             st.independent ? "true" : "false");
    put(&o, "  </design>\n  <outcomes>\n");
    for (long k = 0; k < st.n_effects; k++) {
        effect e;
        make_effect(c, &iv, &st, k, &e);
        put(&o, "    <outcome>\n");
        elem(&o, "      ", "name", e.name, "\n");
        elem(&o, "      ", "domain", e.domain, "\n");
        elem(&o, "      ", "timepoint", e.timepoint, "\n");
        putf(&o, "      <direction>%s</direction>\n",
             e.higher_is_better ? "higher-is-better" : "lower-is-better");
        if (e.kind == K_CONTINUOUS)
            putf(&o,
                 "      <continuous>\n"
                 "        <mean_treatment>%.2f</mean_treatment>\n"
                 "        <sd_treatment>%.2f</sd_treatment>\n"
                 "        <n_treatment>%ld</n_treatment>\n"
                 "        <mean_control>%.2f</mean_control>\n"
                 "        <sd_control>%.2f</sd_control>\n"
                 "        <n_control>%ld</n_control>\n"
                 "      </continuous>\n",
                 e.mean_t, e.sd_t, e.n_t, e.mean_c, e.sd_c, e.n_c);
        else if (e.kind == K_BINARY)
            putf(&o,
                 "      <binary>\n"
                 "        <events_treatment>%ld</events_treatment>\n"
                 "        <total_treatment>%ld</total_treatment>\n"
                 "        <events_control>%ld</events_control>\n"
                 "        <total_control>%ld</total_control>\n"
                 "      </binary>\n",
                 e.ev_t, e.n_t, e.ev_c, e.n_c);
        else
            putf(&o,
                 "      <reported>\n"
                 "        <metric>%s</metric>\n"
                 "        <estimate>%.3f</estimate>\n"
                 "        <ci_low>%.3f</ci_low>\n"
                 "        <ci_high>%.3f</ci_high>\n"
                 "      </reported>\n",
                 e.metric, e.est, e.ci_lo, e.ci_hi);
        put(&o, "    </outcome>\n");
    }
    put(&o, "  </outcomes>\n");
    if (unif(&r) < 0.6) {
        int nb = 1 + (int)pick(&r, 2);
        put(&o, "  <benefits>\n");
        for (int b = 0; b < nb; b++) {
            int first = (int)pick(&r, 2);
            put(&o, "    <benefit>\n");
            elem(&o, "      ", "agency", agencies[pick(&r, N_OF(agencies))], "\n");
            putf(&o,
                 "      <amount_per_participant_year>%.2f</amount_per_participant_year>\n"
                 "      <first_year>%d</first_year>\n"
                 "      <last_year>%d</last_year>\n"
                 "      <price_year>%d</price_year>\n"
                 "      <confidence>%d</confidence>\n",
                 round(exp(log(400.0) + normal(&r)) * 100) / 100, first, first + (int)pick(&r, 5),
                 2015 + (int)pick(&r, 9), 1 + (int)pick(&r, 6));
            put(&o, "      <source>Synthetic figure for benchmarking; not from any real unit-cost "
                    "source</source>\n    </benefit>\n");
        }
        put(&o, "  </benefits>\n");
    }
    put(&o, "</submission>\n");
    pos = ftell(o.fp);
    out_close(&o);
    *n_effects_out += st.n_effects;
    *bytes_out += pos > 0 ? (size_t)pos : 0;
}

/* ---- RevMan 5 --------------------------------------------------------------- */

#define CRLF "\r\n"

/* RevMan's .NET XML-name escaping of a study name into its ID: spaces
 * become '-', letters (Latin-1 ones too) and digits stay, anything else is
 * written _xHHHH_ ("MRC-1" -> "STD-MRC_x002d_1"). */
static void put_study_id(writer *o, const study *st)
{
    const unsigned char *p = (const unsigned char *)st->surname_year;
    put(o, "STD-");
    while (*p) {
        if (*p == ' ') {
            fputc('-', o->fp);
            p++;
        } else if (*p >= 0xc0 && p[1]) {
            /* a two-byte UTF-8 letter: in Latin-1 it is one byte */
            char one[3] = {(char)p[0], (char)p[1], '\0'};
            put_xml(o, one, 1);
            p += 2;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9')) {
            fputc(*p, o->fp);
            p++;
        } else {
            putf(o, "_x%04x_", *p);
            p++;
        }
    }
}

static void revman_head(writer *o, const corpus *c)
{
    put(o, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"no\"?>" CRLF);
    putf(o,
         "<COCHRANE_REVIEW DESCRIPTION=\"Synthetic benchmark review\" DOI=\"\" GROUP_ID=\"\" "
         "ID=\"%llu\" MERGED_FROM=\"\" MODIFIED=\"2024-03-01 12:00:00 +0000\" "
         "MODIFIED_BY=\"whatworks bench\" REVIEW_NO=\"\" REVMAN_SUB_VERSION=\"5.4.1\" "
         "REVMAN_VERSION=\"5\" SPLIT_FROM=\"\" STAGE=\"R\" STATUS=\"A\" TYPE=\"INTERVENTION\" "
         "VERSION_NO=\"1.0\">" CRLF,
         (unsigned long long)(mix64(c->seed) % 1000000000000000000ULL));
    put(o, "<COVER_SHEET MODIFIED=\"2024-03-01 12:00:00 +0000\" MODIFIED_BY=\"whatworks "
           "bench\">" CRLF);
    put(o, "<TITLE>Synthetic benchmark review (not real evidence)</TITLE>" CRLF);
    put(o, "<CONTACT><PERSON ID=\"????\" ROLE=\"UNKNOWN\"><PREFIX/><FIRST_NAME>Bench</FIRST_NAME>"
           "<MIDDLE_INITIALS/><LAST_NAME>Generator</LAST_NAME><SUFFIX/><POSITION/><EMAIL_1/>"
           "<EMAIL_2/><URL/><MOBILE_PHONE/><ADDRESS><DEPARTMENT/><ORGANISATION>Synthetic "
           "Evaluation Unit (fictional)</ORGANISATION><ADDRESS_1/><ADDRESS_2/><CITY/><ZIP/>"
           "<REGION/><COUNTRY CODE=\"GB\">United Kingdom</COUNTRY><PHONE_1/><PHONE_2/><FAX_1/>"
           "<FAX_2/></ADDRESS><FOOTNOTE/></PERSON></CONTACT>" CRLF);
    put(o, "<CREATORS><PERSON ID=\"????\" ROLE=\"AUTHOR\"><PREFIX/><FIRST_NAME>Bench</FIRST_NAME>"
           "<MIDDLE_INITIALS/><LAST_NAME>Generator</LAST_NAME><SUFFIX/><POSITION/><EMAIL_1/>"
           "<EMAIL_2/><URL/><MOBILE_PHONE/><ADDRESS><DEPARTMENT/><ORGANISATION/><ADDRESS_1/>"
           "<ADDRESS_2/><CITY/><ZIP/><REGION/><COUNTRY CODE=\"NONE\">Not specified</COUNTRY>"
           "<PHONE_1/><PHONE_2/><FAX_1/><FAX_2/></ADDRESS><FOOTNOTE/></PERSON></CREATORS>" CRLF);
    put(o, "<DATES><UP_TO_DATE><DATE DAY=\"1\" MONTH=\"3\" YEAR=\"2024\"/></UP_TO_DATE>"
           "<LAST_SEARCH><DATE DAY=\"1\" MONTH=\"2\" YEAR=\"2024\"/></LAST_SEARCH><NEXT_STAGE>"
           "<DATE DAY=\"\" MONTH=\"\" YEAR=\"\"/></NEXT_STAGE><PROTOCOL_PUBLISHED ISSUE=\"\" "
           "YEAR=\"\"/><REVIEW_PUBLISHED ISSUE=\"\" YEAR=\"\"/><LAST_CITATION_ISSUE ISSUE=\"\" "
           "YEAR=\"\"/></DATES>" CRLF "<WHATS_NEW/>" CRLF "<HISTORY/>" CRLF
           "<SOURCES_OF_SUPPORT><INTERNAL_SOURCES/><EXTERNAL_SOURCES/></SOURCES_OF_SUPPORT>" CRLF
           "<MESH_TERMS VERIFIED=\"NO\"/>" CRLF "<KEYWORDS/>" CRLF "</COVER_SHEET>" CRLF);
    put(o,
        "<MAIN_TEXT>" CRLF "<SUMMARY>" CRLF "<TITLE>Synthetic benchmark review</TITLE>" CRLF
        "<SUMMARY_BODY>" CRLF
        "<P>Generated by whatworks bench/gen.c to measure import speed. Every study, name and "
        "number in this file is invented; none of it is evidence.</P>" CRLF "</SUMMARY_BODY>" CRLF
        "</SUMMARY>" CRLF "<ABSTRACT>" CRLF
        "<ABS_BACKGROUND><P>Synthetic.</P></ABS_BACKGROUND>" CRLF "<ABS_OBJECTIVES/>" CRLF
        "<ABS_SEARCH_STRATEGY/>" CRLF "<ABS_SELECTION_CRITERIA/>" CRLF "<ABS_DATA_COLLECTION/>" CRLF
        "<ABS_RESULTS/>" CRLF "<ABS_CONCLUSIONS/>" CRLF "</ABSTRACT>" CRLF "<BODY>" CRLF
        "<BACKGROUND><CONDITION/><INTERVENTION/><THEORY/><IMPORTANCE/></BACKGROUND>" CRLF
        "<OBJECTIVES/>" CRLF "<METHODS/>" CRLF "<RESULTS/>" CRLF "<DISCUSSION/>" CRLF
        "<CONCLUSIONS><IMPLICATIONS_PRACTICE/><IMPLICATIONS_RESEARCH/></CONCLUSIONS>" CRLF
        "</BODY>" CRLF "<ACKNOWLEDGEMENTS/>" CRLF "<CONFLICT_OF_INTEREST/>" CRLF
        "<CONTRIBUTIONS/>" CRLF "<PRO_REV_DIFF/>" CRLF "<PUBLIC_NOTES/>" CRLF "</MAIN_TEXT>" CRLF);
}

static void revman_studies(writer *o, const corpus *c, long s_lo, long s_hi)
{
    put(o,
        "<STUDIES_AND_REFERENCES MODIFIED=\"2024-03-01 12:00:00 +0000\" MODIFIED_BY=\"whatworks "
        "bench\">" CRLF "<STUDIES MODIFIED=\"2024-03-01 12:00:00 +0000\" MODIFIED_BY=\"whatworks "
        "bench\">" CRLF "<INCLUDED_STUDIES MODIFIED=\"2024-03-01 12:00:00 +0000\" "
        "MODIFIED_BY=\"whatworks bench\">" CRLF);
    for (long s = s_lo; s < s_hi; s++) {
        study st;
        interv iv;
        char names[4][64], date[40], au[300] = "";
        make_study(c, s, &st);
        make_interv(c, st.iv, &iv);
        author_list(&st, names);
        for (int a = 0; a < st.n_authors; a++) {
            size_t len = strlen(au);
            /* Cochrane style: "Surname AB" */
            const char *dot = strstr(names[a], ". ");
            snprintf(au + len, sizeof au - len, "%s%s %c", a ? ", " : "", dot ? dot + 2 : names[a],
                     names[a][0]);
        }
        rfc_date(date, sizeof date, &st);
        put(o, "<STUDY DATA_SOURCE=\"PUB\" ID=\"");
        put_study_id(o, &st);
        putf(o, "\" MODIFIED=\"%s\" MODIFIED_BY=\"whatworks bench\" NAME=\"", date);
        put_xml(o, st.surname_year, 1);
        putf(o, "\" YEAR=\"%d\">" CRLF, st.year);
        put(o, "<REFERENCE NOTES=\"&lt;p&gt;");
        put_xml(o, au, 1);
        put(o, ". An evaluation of ");
        put_xml(o, iv.name, 1);
        putf(o,
             ". Synthetic Journal of Evaluation %d;%ld:%ld-%ld.&lt;/p&gt;\" PRIMARY=\"YES\" "
             "TYPE=\"JOURNAL_ARTICLE\">" CRLF,
             st.year, s % 40 + 1, s % 300 + 1, s % 300 + 12);
        elem(o, "", "AU", au, CRLF);
        put(o, "<TI>An evaluation of ");
        put_xml(o, iv.name, 0);
        put(o, " for ");
        put_xml(o, iv.iss->label, 0);
        put(o, "</TI>" CRLF "<SO>Synthetic Journal of Evaluation</SO>" CRLF);
        putf(o, "<YR>%d</YR>" CRLF "<VL>%ld</VL>" CRLF "<PG>%ld-%ld</PG>" CRLF, st.year, s % 40 + 1,
             s % 300 + 1, s % 300 + 12);
        put(o, "<IDENTIFIERS/>" CRLF "</REFERENCE>" CRLF "<IDENTIFIERS/>" CRLF "</STUDY>" CRLF);
    }
    put(o,
        "</INCLUDED_STUDIES>" CRLF "<EXCLUDED_STUDIES/>" CRLF "<AWAITING_STUDIES/>" CRLF
        "<ONGOING_STUDIES/>" CRLF "</STUDIES>" CRLF "<OTHER_REFERENCES>" CRLF
        "<ADDITIONAL_REFERENCES/>" CRLF "<OTHER_VERSIONS_REFERENCES/>" CRLF
        "<PENDING_REFERENCES/>" CRLF "</OTHER_REFERENCES>" CRLF "</STUDIES_AND_REFERENCES>" CRLF);
}

static void revman_characteristics(writer *o, const corpus *c, long s_lo, long s_hi)
{
    put(o, "<CHARACTERISTICS_OF_STUDIES MODIFIED=\"2024-03-01 12:00:00 +0000\" "
           "MODIFIED_BY=\"whatworks bench\">" CRLF
           "<CHARACTERISTICS_OF_INCLUDED_STUDIES MODIFIED=\"2024-03-01 12:00:00 +0000\" "
           "MODIFIED_BY=\"whatworks bench\" SORT_BY=\"STUDY\" USER_DEF_1_ENABLED=\"NO\" "
           "USER_DEF_2_ENABLED=\"NO\" USER_DEF_3_ENABLED=\"NO\">" CRLF);
    for (long s = s_lo; s < s_hi; s++) {
        study st;
        interv iv;
        char date[40];
        make_study(c, s, &st);
        make_interv(c, st.iv, &iv);
        rfc_date(date, sizeof date, &st);
        putf(o, "<INCLUDED_CHAR MODIFIED=\"%s\" MODIFIED_BY=\"whatworks bench\" STUDY_ID=\"", date);
        put_study_id(o, &st);
        put(o, "\">" CRLF "<CHAR_METHODS>" CRLF "<P>");
        put_xml(o, designs[st.design].methods_text, 0);
        putf(o, "; allocation by %s; %s</P>" CRLF "</CHAR_METHODS>" CRLF,
             st.cluster ? "school" : "individual",
             st.country[0] == 'G'   ? "United Kingdom"
             : st.country[0] == 'U' ? "United States"
                                    : "Australia");
        putf(o, "<CHAR_PARTICIPANTS>" CRLF "<P>%ld participants (%ld intervention, %ld control). ",
             st.assigned_t + st.assigned_c, st.assigned_t, st.assigned_c);
        put_xml(o, iv.population, 0);
        put(o, " affected by ");
        put_xml(o, iv.iss->label, 0);
        put(o, ".</P>" CRLF "</CHAR_PARTICIPANTS>" CRLF "<CHAR_INTERVENTIONS>" CRLF "<P>");
        put_xml(o, iv.name, 0);
        put(o, ": ");
        put_xml(o, iv.description, 0);
        put(o, " Control: services as usual.</P>" CRLF "</CHAR_INTERVENTIONS>" CRLF
               "<CHAR_OUTCOMES>" CRLF "<P>");
        for (long k = 0; k < st.n_effects && k < 4; k++) {
            effect e;
            slot_outcome(c, &iv, k, &e);
            if (k) put(o, "; ");
            put_xml(o, e.name, 0);
        }
        put(o, "</P>" CRLF "</CHAR_OUTCOMES>" CRLF "<CHAR_NOTES>" CRLF
               "<P>Synthetic study generated for benchmarking; not real evidence.</P>" CRLF
               "</CHAR_NOTES>" CRLF "</INCLUDED_CHAR>" CRLF);
    }
    put(o,
        "</CHARACTERISTICS_OF_INCLUDED_STUDIES>" CRLF "<CHARACTERISTICS_OF_EXCLUDED_STUDIES/>" CRLF
        "<CHARACTERISTICS_OF_AWAITING_STUDIES/>" CRLF "<CHARACTERISTICS_OF_ONGOING_STUDIES/>" CRLF
        "</CHARACTERISTICS_OF_STUDIES>" CRLF);
}

static void revman_quality(writer *o, const corpus *c, long s_lo, long s_hi)
{
    static const char *const results[] = {"YES", "NO", "UNKNOWN"};
    static const char *const support[3][2] = {
        {"Computer-generated random sequence held by an independent trials unit",
         "Adequate: sealed opaque envelopes opened by staff not involved in delivery"},
        {"Allocated by day of referral", "Assessors knew the allocation"},
        {"Not described in the report", "Insufficient information to permit judgement"},
    };
    put(o, "<QUALITY_ITEMS MODIFIED=\"2024-03-01 12:00:00 +0000\" MODIFIED_BY=\"whatworks "
           "bench\">" CRLF);
    for (size_t q = 0; q < N_ROB; q++) {
        putf(o,
             "<QUALITY_ITEM CORE_ITEM=\"YES\" ID=\"QIT-%02zu\" LEVEL=\"STUDY\" "
             "MODIFIED=\"2024-03-01 12:00:00 +0000\" MODIFIED_BY=\"whatworks bench\" "
             "NO=\"%zu\">" CRLF,
             q + 1, q + 1);
        elem(o, "", "NAME", rob_items[q], CRLF);
        put(o, "<DESCRIPTION>" CRLF "<P>");
        put_xml(o, rob_descr[q], 0);
        put(o, "</P>" CRLF "</DESCRIPTION>" CRLF "<QUALITY_ITEM_DATA>" CRLF);
        for (long s = s_lo; s < s_hi; s++) {
            study st;
            char date[40];
            rng r = rng_for(c->seed, S_ROB, (uint64_t)s, q);
            /* randomised studies are mostly low risk on the selection items */
            double u = unif(&r);
            int res;
            make_study(c, s, &st);
            if (st.design == 0)
                res = u < 0.65 ? 0 : u < 0.8 ? 1 : 2;
            else
                res = (q < 2) ? (u < 0.8 ? 1 : 2) : (u < 0.35 ? 0 : u < 0.7 ? 1 : 2);
            rfc_date(date, sizeof date, &st);
            putf(o,
                 "<QUALITY_ITEM_DATA_ENTRY MODIFIED=\"%s\" MODIFIED_BY=\"whatworks bench\" "
                 "RESULT=\"%s\" STUDY_ID=\"",
                 date, results[res]);
            put_study_id(o, &st);
            put(o, "\">" CRLF "<DESCRIPTION>" CRLF "<P>");
            put(o, support[res][pick(&r, 2)]);
            put(o, "</P>" CRLF "</DESCRIPTION>" CRLF "</QUALITY_ITEM_DATA_ENTRY>" CRLF);
        }
        put(o, "</QUALITY_ITEM_DATA>" CRLF "</QUALITY_ITEM>" CRLF);
    }
    put(o, "</QUALITY_ITEMS>" CRLF "<SOF_TABLES/>" CRLF "<ADDITIONAL_TABLES/>" CRLF);
}

/* One study's row of an outcome, with the numbers RevMan computes for it:
 * RR (dichotomous) or MD (continuous), inverse-variance weights. */
typedef struct revman_row {
    study st;
    effect e;
    double y, v; /* log RR or MD, and its variance */
} revman_row;

/* One DICH_OUTCOME or CONT_OUTCOME with its rows and the pooled figures
 * RevMan stores beside them (fixed effect, inverse variance: the numbers
 * are exact, so an importer's cross-check finds nothing to report). */
static void revman_outcome(writer *o, const interv *iv, long cmp_no, long slot,
                           const revman_row *rows, size_t n, long *order)
{
    const double z = 1.959963984540054;
    const char *tag = rows[0].e.kind != K_CONTINUOUS ? "DICH" : "CONT";
    int dich = tag[0] == 'D';
    double sw = 0, swy = 0, q = 0, est, se, i2, pz, pchi2;
    long ev1 = 0, ev2 = 0, tot1 = 0, tot2 = 0;
    for (size_t k = 0; k < n; k++) {
        sw += 1 / rows[k].v;
        swy += rows[k].y / rows[k].v;
        ev1 += rows[k].e.ev_t;
        ev2 += rows[k].e.ev_c;
        tot1 += rows[k].e.n_t;
        tot2 += rows[k].e.n_c;
    }
    est = swy / sw;
    se = sqrt(1 / sw);
    for (size_t k = 0; k < n; k++) q += (rows[k].y - est) * (rows[k].y - est) / rows[k].v;
    i2 = n > 1 && q > 0 ? fmax(0, (q - (double)(n - 1)) / q) * 100 : 0;
    pz = 2 * gsl_cdf_ugaussian_Q(fabs(est / se));
    pchi2 = n > 1 ? gsl_cdf_chisq_Q(q, (double)(n - 1)) : 1.0;

    putf(o, "<%s_OUTCOME", tag);
    attr_d(o, "CHI2", q);
    attr_d(o, "CI_END", dich ? exp(est + z * se) : est + z * se);
    attr_d(o, "CI_START", dich ? exp(est - z * se) : est - z * se);
    putf(o, " CI_STUDY=\"95\" CI_TOTAL=\"95\" DF=\"%zu\" EFFECT_MEASURE=\"%s\"", n - 1,
         dich ? "RR" : "MD");
    attr_d(o, "EFFECT_SIZE", dich ? exp(est) : est);
    put(o, " ESTIMABLE=\"YES\"");
    if (dich) putf(o, " EVENTS_1=\"%ld\" EVENTS_2=\"%ld\"", ev1, ev2);
    attr_d(o, "I2", i2);
    putf(o, " I2_Q=\"0.0\" ID=\"CMP-%03ld.%02ld\"", cmp_no, slot + 1);
    if (dich) {
        attr_d(o, "LOG_CI_END", (est + z * se) / M_LN10);
        attr_d(o, "LOG_CI_START", (est - z * se) / M_LN10);
        attr_d(o, "LOG_EFFECT_SIZE", est / M_LN10);
    }
    putf(o,
         " METHOD=\"IV\" MODIFIED=\"2024-03-01 12:00:00 +0000\" MODIFIED_BY=\"whatworks "
         "bench\" NO=\"%ld\"",
         slot + 1);
    attr_d(o, "P_CHI2", pchi2);
    put(o, " P_Q=\"1.0\"");
    attr_d(o, "P_Z", pz);
    putf(o,
         " Q=\"0.0\" RANDOM=\"NO\" SCALE=\"%s\" SORT_BY=\"STUDY\" STUDIES=\"%zu\" "
         "SUBGROUPS=\"NO\" SUBGROUP_TEST=\"YES\"%s TAU2=\"0.0\" TOTALS=\"YES\" "
         "TOTAL_1=\"%ld\" TOTAL_2=\"%ld\"%s WEIGHT=\"100.0\"",
         dich ? "100.0" : "20.0", n, dich ? " SWAP_EVENTS=\"NO\"" : "", tot1, tot2,
         dich ? "" : " UNITS=\"\"");
    attr_d(o, "Z", fabs(est / se));
    put(o, ">" CRLF);
    elem(o, "", "NAME", rows[0].e.name, CRLF);
    elem(o, "", "GROUP_LABEL_1", iv->name, CRLF);
    elem(o, "", "GROUP_LABEL_2", "Services as usual", CRLF);
    if (rows[0].e.higher_is_better)
        put(o, "<GRAPH_LABEL_1>Favours control</GRAPH_LABEL_1>" CRLF
               "<GRAPH_LABEL_2>Favours experimental</GRAPH_LABEL_2>" CRLF);
    else
        put(o, "<GRAPH_LABEL_1>Favours experimental</GRAPH_LABEL_1>" CRLF
               "<GRAPH_LABEL_2>Favours control</GRAPH_LABEL_2>" CRLF);
    for (size_t k = 0; k < n; k++) {
        const revman_row *w = &rows[k];
        double s1 = sqrt(w->v), lo = w->y - z * s1, hi = w->y + z * s1;
        char date[40];
        rfc_date(date, sizeof date, &w->st);
        putf(o, "<%s_DATA", tag);
        attr_d(o, "CI_END", dich ? exp(hi) : hi);
        attr_d(o, "CI_START", dich ? exp(lo) : lo);
        attr_d(o, "EFFECT_SIZE", dich ? exp(w->y) : w->y);
        put(o, " ESTIMABLE=\"YES\"");
        if (dich) {
            putf(o, " EVENTS_1=\"%ld\" EVENTS_2=\"%ld\"", w->e.ev_t, w->e.ev_c);
            attr_d(o, "LOG_CI_END", hi / M_LN10);
            attr_d(o, "LOG_CI_START", lo / M_LN10);
            attr_d(o, "LOG_EFFECT_SIZE", w->y / M_LN10);
        } else {
            attr_d(o, "MEAN_1", w->e.mean_t);
            attr_d(o, "MEAN_2", w->e.mean_c);
        }
        putf(o, " MODIFIED=\"%s\" MODIFIED_BY=\"whatworks bench\" ORDER=\"%ld\"", date, ++*order);
        if (dich)
            put(o, " O_E=\"0.0\"");
        else {
            attr_d(o, "SD_1", w->e.sd_t);
            attr_d(o, "SD_2", w->e.sd_c);
        }
        attr_d(o, "SE", s1);
        put(o, " STUDY_ID=\"");
        put_study_id(o, &w->st);
        putf(o, "\" TOTAL_1=\"%ld\" TOTAL_2=\"%ld\"", w->e.n_t, w->e.n_c);
        if (dich) attr_d(o, "VAR", w->v);
        attr_d(o, "WEIGHT", (1 / w->v) / sw * 100);
        put(o, "/>" CRLF);
    }
    putf(o, "</%s_OUTCOME>" CRLF, tag);
}

static void revman_analyses(writer *o, const corpus *c, long s_lo, long s_hi, long *n_effects)
{
    long iv_lo = study_interv(c, s_lo), iv_hi = study_interv(c, s_hi - 1), cmp_no = 0, order = 0;
    put(o, "<ANALYSES_AND_DATA CALCULATED_DATA=\"YES\" MODIFIED=\"2024-03-01 12:00:00 +0000\" "
           "MODIFIED_BY=\"whatworks bench\">" CRLF);
    for (long i = iv_lo; i <= iv_hi; i++) {
        long a = first_study_of(c, i), b = first_study_of(c, i + 1), max_eff = 0;
        study *sts;
        revman_row *rows;
        interv iv;
        if (a < s_lo) a = s_lo;
        if (b > s_hi) b = s_hi;
        if (a >= b) continue;
        if (!(sts = calloc((size_t)(b - a), sizeof *sts)) ||
            !(rows = calloc((size_t)(b - a), sizeof *rows))) {
            fprintf(stderr, "gen: out of memory\n");
            exit(70);
        }
        make_interv(c, i, &iv);
        for (long s = a; s < b; s++) {
            make_study(c, s, &sts[s - a]);
            if (sts[s - a].n_effects > max_eff) max_eff = sts[s - a].n_effects;
        }
        cmp_no++;
        putf(o,
             "<COMPARISON ID=\"CMP-%03ld\" MODIFIED=\"2024-03-01 12:00:00 +0000\" "
             "MODIFIED_BY=\"whatworks bench\" NO=\"%ld\">" CRLF "<NAME>",
             cmp_no, cmp_no);
        put_xml(o, iv.name, 0);
        put(o, " versus services as usual</NAME>" CRLF);
        for (long slot = 0; slot < max_eff; slot++) {
            size_t n = 0;
            for (long s = a; s < b; s++) {
                revman_row *w = &rows[n];
                if (sts[s - a].n_effects <= slot) continue;
                w->st = sts[s - a];
                make_effect(c, &iv, &w->st, slot, &w->e);
                if (w->e.kind == K_CONTINUOUS) {
                    w->y = w->e.mean_t - w->e.mean_c;
                    w->v = w->e.sd_t * w->e.sd_t / w->e.n_t + w->e.sd_c * w->e.sd_c / w->e.n_c;
                } else {
                    w->y = log(((double)w->e.ev_t / w->e.n_t) / ((double)w->e.ev_c / w->e.n_c));
                    w->v = 1.0 / w->e.ev_t - 1.0 / w->e.n_t + 1.0 / w->e.ev_c - 1.0 / w->e.n_c;
                }
                n++;
            }
            if (n) revman_outcome(o, &iv, cmp_no, slot, rows, n, &order);
            *n_effects += (long)n;
        }
        put(o, "</COMPARISON>" CRLF);
        free(sts);
        free(rows);
    }
    put(o, "</ANALYSES_AND_DATA>" CRLF "<FIGURES/>" CRLF "<FEEDBACK/>" CRLF "<APPENDICES/>" CRLF
           "<EXTENSIONS/>" CRLF "</COCHRANE_REVIEW>" CRLF);
}

static void write_revman(const corpus *c, const char *path, long s_lo, long s_hi, long *n_effects,
                         size_t *bytes)
{
    writer o = out_open(path, 1);
    long pos;
    *n_effects = 0;
    revman_head(&o, c);
    revman_studies(&o, c, s_lo, s_hi);
    revman_characteristics(&o, c, s_lo, s_hi);
    revman_quality(&o, c, s_lo, s_hi);
    revman_analyses(&o, c, s_lo, s_hi, n_effects);
    pos = ftell(o.fp);
    out_close(&o);
    *bytes = pos > 0 ? (size_t)pos : 0;
}

/* ---- WWC findings CSV ------------------------------------------------------- */

/* The header of the real export, ../shared/data/wwc/wwc_Findings.csv. */
static const char wwc_header[] =
    "FindingID,ReviewID,Protocol,InterventionID,Intervention_Name,Comparison,OutcomeMeasureID,"
    "Outcome_Measure,Outcome_Domain,Period,Sample_Description,Is_Subgroup,Outcome_Sample_Size,"
    "Outcome_Measure_Intervention_Sample_Size,Outcome_Measure_Comparison_Sample_Size,"
    "Intervention_Clusters_Sample_Size,Comparison_Clusters_Sample_Size,Intervention_Mean,"
    "Comparison_Mean,Intervention_Standard_Deviation,Comparison_Standard_Deviation,"
    "Effect_Size_Study,Effect_Size_WWC,Improvement_Index,p_Value_Study,p_Value_WWC,ICC,"
    "Clusters_Total,Is_Statistically_Significant,Finding_Rating,ESSA_Rating,L1_Unit_of_Analysis";

static void write_wwc(const corpus *c, const char *path, long s_lo, long s_hi, long *rows_out,
                      size_t *bytes)
{
    writer o = out_open(path, 0);
    long finding = 0, pos;
    put(&o, wwc_header);
    put(&o, "\r\n");
    for (long s = s_lo; s < s_hi; s++) {
        study st;
        interv iv;
        make_study(c, s, &st);
        make_interv(c, st.iv, &iv);
        for (long k = 0; k < st.n_effects; k++) {
            effect e;
            double n1, n2, omega, g, se, p;
            rng r = rng_for(c->seed, S_EFFECT, (uint64_t)s, (uint64_t)k + 1000000);
            make_effect(c, &iv, &st, k, &e);
            n1 = (double)e.n_t;
            n2 = (double)e.n_c;
            omega = 1 - 3 / (4 * (n1 + n2) - 9);
            if (e.kind == K_CONTINUOUS) {
                double sp =
                    sqrt(((n1 - 1) * e.sd_t * e.sd_t + (n2 - 1) * e.sd_c * e.sd_c) / (n1 + n2 - 2));
                g = omega * (e.mean_t - e.mean_c) / sp;
            } else if (e.kind == K_BINARY) {
                /* Cox index, as WWC computes it for dichotomous outcomes */
                double pt = e.ev_t / n1, pc = e.ev_c / n2;
                g = omega * (log(pt / (1 - pt)) - log(pc / (1 - pc))) / 1.65;
            } else if (strcmp(e.metric, "OR") == 0 || strcmp(e.metric, "RR") == 0) {
                g = omega * log(e.est) / 1.65;
            } else {
                g = strcmp(e.metric, "MD") == 0 ? e.est / 10 : e.est;
            }
            se = sqrt((n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2)));
            p = 2 * gsl_cdf_ugaussian_Q(fabs(g / se));
            putf(&o, "%ld,%ld,", ++finding, 50000 + s);
            put_csv(&o, wwc_protocols[(size_t)iv.index % N_OF(wwc_protocols)]);
            putf(&o, ",%ld,", iv.index + 1);
            put_csv(&o, iv.name);
            putf(&o, ",Business as usual,%ld,", iv.index * 200 + k + 1);
            put_csv(&o, e.name);
            fputc(',', o.fp);
            put_csv(&o, e.domain);
            fputc(',', o.fp);
            put_csv(&o, e.period);
            fputc(',', o.fp);
            put_csv(&o, wwc_samples[(size_t)(iv.index + k) % N_OF(wwc_samples)]);
            putf(&o, ",False,%ld,%ld,%ld,", e.n_t + e.n_c, e.n_t, e.n_c);
            if (st.cluster)
                putf(&o, "%ld,%ld,", e.n_t / 25 + 1, e.n_c / 25 + 1);
            else
                put(&o, ",,");
            if (e.kind == K_CONTINUOUS)
                putf(&o, "%.2f,%.2f,%.2f,%.2f,", e.mean_t, e.mean_c, e.sd_t, e.sd_c);
            else if (e.kind == K_BINARY)
                putf(&o, "%.2f,%.2f,,,", 100.0 * e.ev_t / n1, 100.0 * e.ev_c / n2);
            else
                put(&o, ",,,,");
            if (e.kind == K_REPORTED || unif(&r) < 0.5) putf(&o, "%.2f", g);
            fputc(',', o.fp);
            csv_num(&o, g);
            /* WWC signs the improvement index by whether the finding favours
             * the intervention, g by intervention minus comparison */
            putf(&o, ",%ld,,", lround(100 * (phi(e.higher_is_better ? g : -g) - 0.5)));
            csv_num(&o, p);
            if (st.cluster)
                putf(&o, ",0.2,%ld,", e.n_t / 25 + e.n_c / 25 + 2);
            else
                put(&o, ",,,");
            put(&o, p < 0.05 ? "True," : "False,");
            if (st.design == 0)
                put(&o, "1,");
            else if (st.design == 4 || st.design == 5)
                put(&o, "2,");
            else
                put(&o, ",");
            if (p < 0.05 && st.design == 0)
                put(&o, "ESSA Tier 1");
            else if (p < 0.05 && (st.design == 4 || st.design == 5))
                put(&o, "ESSA Tier 2");
            put(&o, ",Student\r\n");
        }
    }
    pos = ftell(o.fp);
    out_close(&o);
    *rows_out = finding;
    *bytes = pos > 0 ? (size_t)pos : 0;
}

/* ---- main ------------------------------------------------------------------- */

static const struct scale {
    const char *name;
    long interventions, studies, effects;
} scales[] = {
    {"tiny", 50, 500, 5000},
    {"small", 500, 5000, 50000},
    {"medium", 2500, 25000, 250000},
    {"full", 10000, 100000, 1000000},
};

/* Each format's share of the studies. The RevMan share makes its file
 * about 100 MB at full scale. */
#define SHARE_SUBMISSIONS_PERMILLE 480
#define SHARE_REVMAN_PERMILLE 108

static int parse_long(const char *s, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1) return -1;
    *out = v;
    return 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
    return -1;
}

static int usage(int status)
{
    fputs(
        "usage: gen --out DIR [--scale tiny|small|medium|full] [--seed N]\n"
        "           [--issues data/issues.tsv] [--interventions N] [--studies N] [--effects N]\n\n"
        "Write the synthetic benchmark corpus into DIR: submissions/*.xml, revman.rm5,\n"
        "revman-quarter.rm5, wwc_findings.csv and corpus.txt. The same arguments always\n"
        "give the same bytes. Scales (interventions / studies / effects):\n"
        "  tiny 50 / 500 / 5,000     small 500 / 5,000 / 50,000\n"
        "  medium 2,500 / 25,000 / 250,000     full 10,000 / 100,000 / 1,000,000\n",
        status ? stderr : stdout);
    return status;
}

int main(int argc, char **argv)
{
    static corpus c;
    const char *outdir = NULL, *issues_path = "data/issues.tsv";
    long seed = 1, n_iv = 0, n_st = 0, n_ef = 0;
    char path[4096], subdir[4096];
    long eff_sub = 0, eff_rm = 0, eff_rmq = 0, wwc_rows = 0, q_hi;
    size_t bytes_sub = 0, bytes_rm = 0, bytes_rmq = 0, bytes_wwc = 0;
    FILE *manifest;

    c.scale = "small";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return usage(0);
        if (!v) return usage(64);
        if (strcmp(a, "--out") == 0)
            outdir = v;
        else if (strcmp(a, "--scale") == 0)
            c.scale = v;
        else if (strcmp(a, "--issues") == 0)
            issues_path = v;
        else if (strcmp(a, "--seed") == 0 && parse_long(v, &seed) == 0) {
        } else if (strcmp(a, "--interventions") == 0 && parse_long(v, &n_iv) == 0) {
        } else if (strcmp(a, "--studies") == 0 && parse_long(v, &n_st) == 0) {
        } else if (strcmp(a, "--effects") == 0 && parse_long(v, &n_ef) == 0) {
        } else
            return usage(64);
        i++;
    }
    if (!outdir) return usage(64);
    for (size_t k = 0; k < N_OF(scales); k++)
        if (strcmp(scales[k].name, c.scale) == 0) {
            c.n_interventions = scales[k].interventions;
            c.n_studies = scales[k].studies;
            c.n_effects = scales[k].effects;
        }
    if (!c.n_interventions) {
        fprintf(stderr, "gen: unknown scale '%s'\n", c.scale);
        return usage(64);
    }
    if (n_iv) c.n_interventions = n_iv;
    if (n_st) c.n_studies = n_st;
    if (n_ef) c.n_effects = n_ef;
    if (c.n_studies < c.n_interventions || c.n_effects < c.n_studies || c.n_studies < 8) {
        fprintf(stderr, "gen: need studies >= interventions, effects >= studies, studies >= 8\n");
        return 64;
    }
    c.seed = (uint64_t)seed;
    if (load_issues(&c, issues_path) < 0) return 66;
    c.sub_end = c.n_studies * SHARE_SUBMISSIONS_PERMILLE / 1000;
    c.rm_end = c.sub_end + c.n_studies * SHARE_REVMAN_PERMILLE / 1000;

    snprintf(subdir, sizeof subdir, "%s/submissions", outdir);
    if (make_dir(outdir) < 0 || make_dir(subdir) < 0) return 73;

    for (long s = 0; s < c.sub_end; s++) write_submission(&c, subdir, s, &eff_sub, &bytes_sub);
    snprintf(path, sizeof path, "%s/revman.rm5", outdir);
    write_revman(&c, path, c.sub_end, c.rm_end, &eff_rm, &bytes_rm);
    q_hi = c.sub_end + (c.rm_end - c.sub_end) / 4;
    snprintf(path, sizeof path, "%s/revman-quarter.rm5", outdir);
    write_revman(&c, path, c.sub_end, q_hi, &eff_rmq, &bytes_rmq);
    snprintf(path, sizeof path, "%s/wwc_findings.csv", outdir);
    write_wwc(&c, path, c.rm_end, c.n_studies, &wwc_rows, &bytes_wwc);

    snprintf(path, sizeof path, "%s/corpus.txt", outdir);
    if (!(manifest = fopen(path, "w"))) die_io(path);
    for (int pass = 0; pass < 2; pass++) {
        FILE *fp = pass ? stdout : manifest;
        fprintf(fp,
                "# whatworks synthetic benchmark corpus (bench/gen.c); not real evidence\n"
                "scale %s\nseed %ld\ninterventions %ld\nstudies %ld\neffects %ld\n"
                "submissions_files %ld\nsubmissions_effects %ld\nsubmissions_bytes %zu\n"
                "revman_studies %ld\nrevman_effects %ld\nrevman_bytes %zu\n"
                "revman_quarter_studies %ld\nrevman_quarter_effects %ld\nrevman_quarter_bytes %zu\n"
                "wwc_studies %ld\nwwc_rows %ld\nwwc_bytes %zu\n",
                c.scale, seed, c.n_interventions, c.n_studies, eff_sub + eff_rm + wwc_rows,
                c.sub_end, eff_sub, bytes_sub, c.rm_end - c.sub_end, eff_rm, bytes_rm,
                q_hi - c.sub_end, eff_rmq, bytes_rmq, c.n_studies - c.rm_end, wwc_rows, bytes_wwc);
    }
    if (fclose(manifest) != 0) die_io(path);
    return 0;
}
