/*
 * placeholder.h — names that are not one intervention. Sources file some
 * evidence under placeholders ("(Not applicable)") or umbrellas ("IES Funded
 * Studies"); ranking such a name pools unrelated studies. The rules are data
 * (data/placeholders.tsv, compiled into the library, versioned); the store
 * marks such interventions so that queries never rank them and syntheses
 * never pool them, while their studies stay searchable and shown.
 *
 * Pure: the table is parsed once from the embedded bytes; no I/O.
 */
#ifndef WW_EVIDENCE_PLACEHOLDER_H
#define WW_EVIDENCE_PLACEHOLDER_H

/* The rules' version, "whatworks-placeholders/1". */
const char *ww_placeholder_rules_version(void);

/*
 * Whether name is a placeholder or umbrella rather than an intervention.
 * @param[out] rule    the matching rule's id (static), or NULL
 * @param[out] reason  the rule's reason (static), or NULL
 * @return 1 a placeholder, 0 not, WW_ENOMEM when the rules cannot be loaded
 */
int ww_placeholder_match(const char **rule, const char **reason, const char *name);

#endif
