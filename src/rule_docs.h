/*
 * Where a rule is documented: the provider page its row cites. The one
 * derivation behind every link from a finding to its documentation (the
 * SARIF report's helpUri, the LSP diagnostic's codeDescription.href), so
 * that the two always agree.
 *
 * A rule's address is the first source key of a row with that id, resolved
 * through the row's profile (its `sources`), when the text it resolves to
 * is an https:// address without spaces or quotes. A rule has one address
 * per profile (its first such row there); asked without a profile, or for
 * a profile that has none, the answer is the first in any profile (profile
 * order, then row order).
 */
#ifndef KL_RULE_DOCS_H
#define KL_RULE_DOCS_H

#include <stddef.h>

#include "klint/rules.h"

/* The addresses of every rule of a finished ruleset, indexed for lookups. */
typedef struct kl_rule_docs kl_rule_docs;

/*
 * Index `rs` (borrowed: it must outlive the index; every string the index
 * gives back is owned by it). @return KL_OK or KL_ENOMEM.
 */
int kl_rule_docs_new(kl_rule_docs **out, const kl_ruleset *rs);

/* NULL is a no-op. */
void kl_rule_docs_free(kl_rule_docs *docs);

/*
 * The documentation address of rule id `rule` in profile `profile` (may be
 * NULL: any profile), as described above. O(log n).
 *
 * @return the address, `*len` bytes and not NUL-terminated; NULL (and
 *         `*len` 0) when no row of `rule` cites one, or `docs` or `rule`
 *         is NULL.
 */
const char *kl_rule_docs_url(const kl_rule_docs *docs, const char *rule, const char *profile,
                             size_t *len);

#endif
