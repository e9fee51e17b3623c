/*
 * importers.h — the contract between input formats and the repository.
 * An importer is a parser and nothing more: it reads one input, reports every
 * problem it finds into a diagnostics list (with file, line and field), and
 * hands each complete evidence record to a sink. It never writes SQL; the
 * sink (the repository, or a collector in a test) owns storage and
 * transactions. A new format is one file in importers/ plus one line in the
 * table in importers.c.
 */
#ifndef WW_IMPORTERS_H
#define WW_IMPORTERS_H

#include <stddef.h>

#include "../evidence/record.h"
#include "../util/util.h"

/* One input, fully read into memory (the repository archives the bytes). */
typedef struct ww_input {
    const char *name;          /* as the user named it; used in diagnostics */
    const unsigned char *data;
    size_t size;
} ww_input;

/* Where records go. `record` returns 0 to continue or a negative ww_error to
 * stop the import (the importer then returns that code). The record and its
 * strings are only valid during the call. */
typedef struct ww_sink {
    void *ctx;
    int (*record)(void *ctx, const ww_record *rec);
    /* optional: full text to index with the records of this input */
    int (*text)(void *ctx, const char *title, const char *body);
} ww_sink;

typedef struct ww_importer {
    const char *name;        /* "submission", "wwc-findings", ... */
    const char *description; /* one line for --help */
    /* Confidence 0..100 that this importer reads the input (looks at the
     * first bytes and the file name only). */
    int (*sniff)(const ww_input *in);
    /* Parse and validate. Returns 0 when the input was read (diagnostics may
     * still hold errors: the caller rejects the input when any error-level
     * diagnostic was added), or a negative ww_error for failures that are not
     * about the data (out of memory, sink stop). */
    int (*parse)(const ww_input *in, ww_diags *diags, const ww_sink *sink);
} ww_importer;

/* The table of importers, NULL-terminated. */
extern const ww_importer *const ww_importers__all[];

/* Find an importer by name; NULL if none. */
const ww_importer *ww_importers__find(const char *name);
/* Pick the importer with the highest sniff score; NULL when none scores > 0. */
const ww_importer *ww_importers__sniff(const ww_input *in);

/* The individual importers. */
extern const ww_importer ww_importer_submission;

/* The submission format's XML namespace and the XSD text compiled in. */
#define WW_SUBMISSION_NS "urn:whatworks:submission:1"

#endif
