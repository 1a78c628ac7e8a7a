/*
 * What can be known offline about a media reference: its URI scheme, its
 * URL path's extension, and for a `data:` URI its MIME type, its decoded
 * size and (for PNG and JPEG) the image size in its header.
 */
#ifndef KL_MEDIA_H
#define KL_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kl_data_uri {
    const char *mime; /* "image/png"; empty when the URI gives none */
    size_t mime_len;
    bool base64;
    const char *payload; /* after the comma */
    size_t payload_len;
} kl_data_uri;

/* Length of the URI scheme before ':' (RFC 3986 syntax), or 0 when there is none. */
size_t kl_uri_scheme(const char *s, size_t len);

/* Parse "data:[<mime>][;param...][;base64],<payload>"; false when `s` is not one. */
bool kl_data_uri_parse(const char *s, size_t len, kl_data_uri *out);

/* Decoded size of the payload; false when its Base64 (or percent-encoding) is invalid. */
bool kl_data_uri_size(const kl_data_uri *u, uint64_t *out);

/*
 * Decoded size of a Base64 text `n` characters long whose last `pad` (0 to 2) are '='
 * padding; false when no Base64 text has that length (n - pad leaves 1 after groups of 4,
 * or the padding does not complete a group of 4). Whether the characters are Base64 is
 * the caller's business (kl_data_uri_size checks them).
 */
bool kl_base64_size(size_t n, size_t pad, uint64_t *out);

/* Decode at most `cap` leading bytes of the payload into `buf`; returns how many. */
size_t kl_data_uri_head(const kl_data_uri *u, unsigned char *buf, size_t cap);

/* Width and height from PNG or JPEG header bytes; false when not found in `n` bytes. */
bool kl_image_size(const unsigned char *b, size_t n, uint32_t *w, uint32_t *h);

/* The extension of an http(s)-style URL's path (".mp4", lowercase compare is the
 * caller's), query and fragment excluded; false when the last segment has none. */
bool kl_url_extension(const char *s, size_t len, const char **ext, size_t *ext_len);

#endif
