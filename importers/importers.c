/*
 * importers.c — the table of input formats and format sniffing. Adding a
 * format means adding its importer to this table, once.
 */
#include <string.h>

#include "importers.h"

const ww_importer *const ww_importers__all[] = {
    &ww_importer_submission,
    &ww_importer_revman,
    &ww_importer_wwc,
    &ww_importer_wwc_studies,
    &ww_importer_wwc_reports,
    &ww_importer_pilot_csv,
    &ww_importer_report,
    &ww_importer_gmca_unit_costs,
    NULL,
};

const ww_importer *ww_importers__find(const char *name)
{
    for (size_t i = 0; ww_importers__all[i]; i++)
        if (strcmp(ww_importers__all[i]->name, name) == 0) return ww_importers__all[i];
    return NULL;
}

const ww_importer *ww_importers__sniff(const ww_input *in)
{
    const ww_importer *best = NULL;
    int best_score = 0;
    for (size_t i = 0; ww_importers__all[i]; i++) {
        int score = ww_importers__all[i]->sniff(in);
        if (score > best_score) {
            best = ww_importers__all[i];
            best_score = score;
        }
    }
    return best;
}

int ww_import_format_check(const char *name)
{
    char names[256];
    size_t used = 0;
    if (name && ww_importers__find(name)) return 0;
    names[0] = '\0';
    for (size_t i = 0; ww_importers__all[i] && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                 ww_importers__all[i]->name);
    return ww__error(WW_EUSAGE, "unknown format '%s' (%s)", name ? name : "", names);
}
