/*
 * direction.h — whether higher is better for an outcome, decided from what
 * the measure means (DESIGN.md 6.2a). Sources that do not state direction
 * (WWC findings, text extracted from reports, coded effect-size tables) give
 * only a name and a domain; the lexicon in data/direction.tsv (compiled into
 * the library, versioned) maps terms and phrases to a direction, each with a
 * reason. A source's own statement always wins over the lexicon: importers
 * call this only when the source is silent. A name the lexicon cannot decide
 * is unknown, and unknown outcomes are kept out of pooling.
 *
 * Pure: the lexicon is parsed once from the embedded bytes; no I/O.
 */
#ifndef WW_EVIDENCE_DIRECTION_H
#define WW_EVIDENCE_DIRECTION_H

/* The lexicon's version, e.g. "whatworks-direction/1"; stored beside every
 * direction the lexicon decided. NULL (and the last error set) only when the
 * lexicon cannot be loaded. */
const char *ww_direction_lexicon_version(void);

typedef struct ww_direction_verdict {
    int higher_is_better; /* 1 higher is better, 0 lower is better, -1 unknown */
    const char *rule;     /* the lexicon rule's id (e.g. "lower:arrest"); static; NULL if none */
    const char *reason;   /* the rule's reason, one sentence; static; NULL if none */
} ww_direction_verdict;

/*
 * Decide the direction of an outcome from its name and (optional) domain.
 * @param[out] out  the verdict; rule and reason point into the lexicon
 * @param name      the outcome measure's name as the source gives it
 * @param domain    the outcome domain as the source gives it, or NULL
 * @return 0 (out->higher_is_better may be -1: undecided); WW_EUSAGE for a
 *         NULL out or name; WW_ENOMEM when the lexicon cannot be loaded
 *         (or the name's words cannot be held); WW_EDATA if the compiled-in
 *         lexicon were malformed, which tests/test_direction.c rules out
 *
 * An undecided verdict has rule NULL, except when the most specific cue is a
 * rule that marks a measure as known-ambiguous ("unknown:number-line"): then
 * rule and reason say why. docs/direction.md gives the precedence.
 */
int ww_direction_classify(ww_direction_verdict *out, const char *name, const char *domain);

#endif
