/*
 * The rule-related part of the command line: the `rules` and `explain`
 * subcommands, and the ruleset a lint run uses (built-in rules plus
 * `--rules PATH` files, with `--profile ID` checked against it).
 */
#ifndef KL_CLI_RULES_H
#define KL_CLI_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "klint/rules.h"
#include "rules.h"

/* True when argv[1] names a subcommand: subcommands take precedence over paths. */
bool kl_cli_is_subcommand(int argc, char **argv);

/* Run the subcommand named by argv[1]; returns the exit status. */
int kl_cli_subcommand(int argc, char **argv, FILE *out, FILE *err);

/*
 * The ruleset for a lint run: the built-in rules plus every file or folder
 * in `paths`. Problems in a rule file are printed to `err` as diagnostics
 * pointing into it; an unknown `profile` (NULL: none forced) is reported
 * with the list of known ids. Returns an exit status: KL_EXIT_CLEAN with
 * `*out` set (free it with kl_ruleset_free), or KL_EXIT_USAGE /
 * KL_EXIT_INTERNAL with `*out` NULL.
 */
int kl_cli_ruleset(const char *const *paths, size_t n_paths, const char *profile, FILE *err,
                   kl_ruleset **out);

/* What row `r` of profile `p` allows, in the few words `klint rules` prints
 * ("one of \"std\", \"pro\"", "3–15"); also used by the LSP hover. */
void kl_rules_describe_row(kl_buf *b, const kl_profile *p, const kl_row *r);

/* Condition `cond` of profile `p`, in the notation `klint rules` prints
 * ("present(input.x)"). */
void kl_rules_describe_cond(kl_buf *b, const kl_profile *p, int32_t cond);

#endif
