/*
 * Rule sets: the provider profiles klint checks payloads against, loaded
 * from rule files (rules/README.md describes the format). The rule files in
 * klint's source tree are built into the library; more can be loaded at run
 * time (`--rules PATH`): new profiles, or overlays that add an
 * organisation's own rows to existing profiles.
 *
 *   kl_ruleset_new(&rs);
 *   kl_ruleset_add_builtin(rs);
 *   kl_ruleset_add_path(rs, "policy.json");   // optional, any number
 *   kl_ruleset_finish(rs, report, ctx);       // compile; report problems
 *   ... kl_lint_options.rules = rs ...
 *   kl_ruleset_free(rs);                       // after every linter using it
 *
 * A finished ruleset is read-only: share it between threads and linters.
 * Diagnostics produced with it borrow its strings (rule ids, profile ids),
 * so it must outlive them.
 */
#ifndef KLINT_RULES_H
#define KLINT_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "diag.h"
#include "source.h"

/** Rule id of a problem inside a rule file. */
#define KL_RULE_RULES_INVALID "rules-invalid"

typedef struct kl_ruleset kl_ruleset;
typedef struct kl_profile kl_profile;

/** An empty ruleset. @return KL_OK or KL_ENOMEM. */
int kl_ruleset_new(kl_ruleset **out);

/** Add the rule files built into klint. @return KL_OK or KL_ENOMEM. */
int kl_ruleset_add_builtin(kl_ruleset *rs);

/**
 * Add a rule file, or every `*.json` file in a directory (sorted by name,
 * not recursive). The bytes are read now; problems in them are reported by
 * kl_ruleset_finish.
 *
 * @return KL_OK; KL_EIO when the path cannot be read (errno kept); KL_ENOMEM.
 */
int kl_ruleset_add_path(kl_ruleset *rs, const char *path);

/** Add a rule file from memory (copied). `name` is its display name. */
int kl_ruleset_add_memory(kl_ruleset *rs, const char *name, const char *data, size_t len);

/**
 * Called by kl_ruleset_finish once per rule file that has problems, with
 * the file's source (for positions) and its `rules-invalid` diagnostics.
 */
typedef void (*kl_ruleset_report_fn)(void *ctx, const kl_source *src, const kl_diags *diags);

/**
 * Compile everything added: profiles, then overlays onto them. `report`
 * may be NULL. No file can be added afterwards.
 *
 * @return KL_OK; KL_EUSAGE when some rule file has an error (it was
 *         reported; the ruleset must not be used); KL_ENOMEM.
 */
int kl_ruleset_finish(kl_ruleset *rs, kl_ruleset_report_fn report, void *ctx);

/**
 * Convenience: a finished ruleset holding the built-in rules only.
 * @return KL_OK, KL_ENOMEM, or KL_EINTERNAL when a built-in file is bad.
 */
int kl_ruleset_builtin(kl_ruleset **out);

/** NULL is a no-op. */
void kl_ruleset_free(kl_ruleset *rs);

/**
 * Number of profiles, and profile `i` (in file order). A built-in profile's
 * rows may be compiled only when it is first asked for (any thread may
 * ask): NULL when that runs out of memory, as when `i` is out of range.
 */
size_t kl_ruleset_profile_count(const kl_ruleset *rs);
const kl_profile *kl_ruleset_profile_at(const kl_ruleset *rs, size_t i);

/** The profile whose id is `id`, or NULL (none; or out of memory, as above). */
const kl_profile *kl_ruleset_find_profile(const kl_ruleset *rs, const char *id);

/** A profile's id ("provider:model"); borrowed from the ruleset. */
const char *kl_profile_id(const kl_profile *p);

#endif
