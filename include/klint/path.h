/*
 * Canonical JSON paths (RFC 9535 normalized-path style, with dot notation
 * where it is unambiguous), used in every diagnostic and output format:
 *
 *   $                           the root
 *   $.input.shots[2]            member names that are identifiers use dots
 *   $['odd key']['x.y']         any other name uses brackets and single quotes
 *
 * An identifier is [A-Za-z_][A-Za-z0-9_]*. Inside brackets, `'` and `\`
 * are escaped with a backslash and control characters as \b \f \n \r \t
 * or \u00XX, as RFC 9535 specifies for normalized paths.
 *
 * Every function writes snprintf-style: at most `cap` bytes including the
 * terminating NUL, and returns the length the full path needs (without the
 * NUL). Pass a larger buffer again when the return value is >= cap.
 */
#ifndef KLINT_PATH_H
#define KLINT_PATH_H

#include <stddef.h>

#include "json.h"

/** The canonical path of `node` (walking up through parents). */
size_t kl_path_of(const kl_node *node, char *buf, size_t cap);

/**
 * Append one member-name step to the path already in `buf` (of length
 * `len`): ".name" or "['name']". Use this for the path of a member that is
 * missing.
 */
size_t kl_path_append_member(char *buf, size_t cap, size_t len, const char *name,
                             size_t name_len);

/** Append one index step "[i]" to the path already in `buf` (of length `len`). */
size_t kl_path_append_index(char *buf, size_t cap, size_t len, size_t index);

#endif
