/*
 * Printers: turn diagnostics into one output format on an injected stream.
 *
 * Every format is one kl_printer_ops table (name, begin, diag, file, end, dispose);
 * the registry is a static array the code walks, so adding a format is
 * adding a table. A printer is driven as:
 *
 *   kl_printer_new(&p, "json", stdout, &opts);
 *   for each input file:
 *       for each of its diagnostics, in order: kl_printer_diag(p, src, d);
 *       kl_printer_file(p, name, n_diags);
 *   kl_printer_end(p, &summary);
 *   kl_printer_free(p);
 *
 * The kl_source passed with a diagnostic must be the one its spans refer
 * to (for a JSON Lines record, the record's source), and alive for the call.
 * Printers never close the stream.
 */
#ifndef KLINT_PRINT_H
#define KLINT_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"
#include "diag.h"
#include "source.h"

/** Width at which the text format clips long source lines around the span. */
#define KL_PRINT_CLIP_WIDTH 100

/** Totals printed at the end of a run. */
typedef struct kl_summary {
    size_t files;    /**< input files (a JSON Lines file counts once) */
    size_t records;  /**< documents linted: files, plus one per JSON Lines record */
    size_t errors;
    size_t warnings;
    size_t infos;
} kl_summary;

struct kl_ruleset;

typedef struct kl_print_options {
    bool color; /**< ANSI colours (text format only) */
} kl_print_options;

typedef struct kl_printer kl_printer;

/** One output format. Any hook may be NULL. Hooks return KL_OK or KL_EIO. */
typedef struct kl_printer_ops {
    const char *name;        /**< the --format value */
    const char *description; /**< one line for --help */
    int (*begin)(kl_printer *p);
    int (*diag)(kl_printer *p, const kl_source *src, const kl_diag *d);
    int (*file)(kl_printer *p, const char *name, size_t n_diags);
    int (*end)(kl_printer *p, const kl_summary *summary);
    size_t state_size; /**< bytes of zeroed private state allocated per printer */
    /** Release what the hooks allocated inside `state` (not `state` itself);
     *  called by kl_printer_free, whether or not end ran. */
    void (*dispose)(kl_printer *p);
} kl_printer_ops;

/** The printer state every hook receives. */
struct kl_printer {
    const kl_printer_ops *ops;
    FILE *out;
    kl_print_options opts;
    void *state; /**< `ops->state_size` zeroed bytes, or NULL */
    const struct kl_ruleset *rules; /**< set by kl_printer_set_rules, or NULL */
};

/** The registered formats, terminated by a NULL entry. */
extern const kl_printer_ops *const kl_printer_formats[];

/** The format named `name`, or NULL. */
const kl_printer_ops *kl_printer_find(const char *name);

/**
 * Create a printer for format `name` writing to `out` (borrowed).
 * `opts` may be NULL. Calls the format's begin hook.
 *
 * @return KL_OK; KL_EUSAGE for an unknown format; KL_ENOMEM; KL_EIO.
 */
int kl_printer_new(kl_printer **out_printer, const char *name, FILE *out,
                   const kl_print_options *opts);

/**
 * Tell the printer which rules the run uses (borrowed; must outlive the
 * printer; NULL: none). Formats that describe rules (sarif) list them.
 */
void kl_printer_set_rules(kl_printer *p, const struct kl_ruleset *rules);

int kl_printer_diag(kl_printer *p, const kl_source *src, const kl_diag *d);
int kl_printer_file(kl_printer *p, const char *name, size_t n_diags);
int kl_printer_end(kl_printer *p, const kl_summary *summary);

/** Free the printer (does not call end, does not close the stream). NULL is a no-op. */
void kl_printer_free(kl_printer *p);

#endif
