/*
 * Media references offline: URI schemes, URL extensions, data: URIs
 * (MIME, decoded size, Base64 validity) and image sizes from PNG and JPEG
 * headers, on hand-made bytes; and the decoded-size limits the built-in
 * rules declare, at their boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"
#include "klint.h"
#include "media.h"
#include "rules.h"

static void test_uri_scheme(void **state)
{
    (void)state;
    assert_int_equal(kl_uri_scheme("https://x.test/a.png", 20), 5);
    assert_int_equal(kl_uri_scheme("asset://asset_1", 15), 5);
    assert_int_equal(kl_uri_scheme("data:image/png;base64,AA==", 26), 4);
    assert_int_equal(kl_uri_scheme("images/a.png", 12), 0);   /* relative path */
    assert_int_equal(kl_uri_scheme("iVBORw0KGgo=", 12), 0);   /* bare Base64 */
    assert_int_equal(kl_uri_scheme("1http://x", 9), 0);       /* must start with a letter */
    assert_int_equal(kl_uri_scheme("", 0), 0);
}

static void test_url_extension(void **state)
{
    (void)state;
    const char *ext;
    size_t n;
    const char *u = "https://cdn.test/a/b.clip.MP4?sig=a.b#t=1.5";
    assert_true(kl_url_extension(u, strlen(u), &ext, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(ext, ".MP4", 4);
    u = "https://cdn.test.example/video"; /* the host's dots are not an extension */
    assert_false(kl_url_extension(u, strlen(u), &ext, &n));
    u = "https://x.test/.hidden";
    assert_false(kl_url_extension(u, strlen(u), &ext, &n));
}

static void test_data_uri(void **state)
{
    (void)state;
    kl_data_uri d;
    const char *s = "data:image/png;base64,AAAA";
    assert_true(kl_data_uri_parse(s, strlen(s), &d));
    assert_int_equal(d.mime_len, 9);
    assert_memory_equal(d.mime, "image/png", 9);
    assert_true(d.base64);
    uint64_t size;
    assert_true(kl_data_uri_size(&d, &size));
    assert_int_equal(size, 3);

    static const struct {
        const char *payload;
        bool ok;
        uint64_t size;
    } cases[] = {
        {"QQ==", true, 1}, {"QUI=", true, 2}, {"QUJD", true, 3}, {"QQ", true, 1},
        {"QUI", true, 2},  {"Q", false, 0},   {"QQ=", false, 0}, {"Q*JD", false, 0},
        {"", true, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        snprintf(buf, sizeof(buf), "data:text/plain;base64,%s", cases[i].payload);
        assert_true(kl_data_uri_parse(buf, strlen(buf), &d));
        bool ok = kl_data_uri_size(&d, &size);
        assert_int_equal(ok, cases[i].ok);
        if (ok)
            assert_int_equal(size, cases[i].size);
    }
    /* Percent-encoded: each %XX is one byte. */
    s = "data:,a%20b";
    assert_true(kl_data_uri_parse(s, strlen(s), &d));
    assert_false(d.base64);
    assert_int_equal(d.mime_len, 0);
    assert_true(kl_data_uri_size(&d, &size));
    assert_int_equal(size, 3);
    s = "data:,a%2";
    assert_true(kl_data_uri_parse(s, strlen(s), &d));
    assert_false(kl_data_uri_size(&d, &size));
    /* Not data: URIs. */
    assert_false(kl_data_uri_parse("https://x", 9, &d));
    assert_false(kl_data_uri_parse("data:image/png", 14, &d)); /* no comma */
}

static void test_image_size(void **state)
{
    (void)state;
    /* PNG: signature, IHDR length and type, width 640, height 480. */
    const unsigned char png[] = {0x89, 'P',  'N',  'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
                                 'I',  'H',  'D',  'R', 0,    0,    2,    0x80, 0, 0, 1, 0xE0};
    uint32_t w, h;
    assert_true(kl_image_size(png, sizeof(png), &w, &h));
    assert_int_equal(w, 640);
    assert_int_equal(h, 480);
    assert_false(kl_image_size(png, 20, &w, &h)); /* cut short */

    /* JPEG: SOI, an APP0 segment of 16 bytes, then SOF0 with height 300, width 1000. */
    unsigned char jpg[64] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10};
    size_t n = 4 + 16;
    unsigned char sof[] = {0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C, 0x03, 0xE8, 0x03};
    memcpy(jpg + n, sof, sizeof(sof));
    n += sizeof(sof);
    assert_true(kl_image_size(jpg, n, &w, &h));
    assert_int_equal(w, 1000);
    assert_int_equal(h, 300);
    /* A DHT segment (0xC4) is not a frame header. */
    unsigned char dht[] = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xD9};
    assert_false(kl_image_size(dht, sizeof(dht), &w, &h));

    /* Decoding only the head of a data: URI. */
    kl_data_uri d;
    const char *s = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAoAAAAHg";
    assert_true(kl_data_uri_parse(s, strlen(s), &d));
    unsigned char head[32];
    size_t got = kl_data_uri_head(&d, head, sizeof(head));
    assert_int_equal(got, 24);
    assert_true(kl_image_size(head, got, &w, &h));
    assert_int_equal(w, 640);
    assert_int_equal(h, 480);
}

/* ---- Decoded-size limits of the built-in rules ------------------------------ */

/* One `data-uri-size` row of the built-in rules: its profile, place and limit. */
typedef struct size_rule {
    const kl_profile *profile;
    const kl_row *row;
    uint64_t limit;
} size_rule;

/* Every data-uri-size row with a literal limit (in rule order); returns how many. */
static size_t size_rules(const kl_ruleset *rs, size_rule *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        const kl_profile *p = kl_ruleset_profile_at(rs, i);
        for (uint32_t k = 0; k < p->n_rows; k++) {
            const kl_row *r = &p->rows[k];
            double max;
            if (strcmp(r->check->name, "data-uri-size") != 0 || r->p.max.kind != KL_OP_LIT ||
                !kl_node_double(r->p.max.lit, &max) || n == cap)
                continue;
            out[n].profile = p;
            out[n].row = r;
            out[n].limit = (uint64_t)max;
            n++;
        }
    }
    return n;
}

/* Base64 length of `size` bytes: padded to groups of 4, or not. */
static size_t b64_len(uint64_t size, bool padded, size_t *pad)
{
    uint64_t rest = size % 3;
    *pad = padded && rest ? (size_t)(3 - rest) : 0;
    if (padded)
        return (size_t)((size + 2) / 3 * 4);
    return (size_t)(size / 3 * 4 + (rest ? rest + 1 : 0));
}

static void test_base64_size_at_the_rules_limits(void **state)
{
    (void)state;
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_builtin(&rs), KL_OK);
    size_rule found[64];
    size_t n = size_rules(rs, found, 64);
    /* The rules declare both limits the constraints doc gives (10 MB images, 200 MB videos);
     * whatever they are, each is checked just under, at and just over. */
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = found[i].limit < lo ? found[i].limit : lo;
        hi = found[i].limit > hi ? found[i].limit : hi;
    }
    assert_true(n >= 2);
    assert_true(lo < hi);
    for (size_t i = 0; i < n; i++) {
        for (int64_t delta = -1; delta <= 1; delta++) {
            uint64_t size = found[i].limit + (uint64_t)delta;
            for (int padded = 0; padded <= 1; padded++) {
                size_t pad, len = b64_len(size, padded, &pad);
                uint64_t got = 0;
                assert_true(kl_base64_size(len, pad, &got));
                assert_int_equal(got, size);
            }
        }
    }
    /* Lengths that no Base64 text has, near the limits too. */
    uint64_t got;
    size_t pad, len = b64_len(hi, false, &pad);
    assert_false(kl_base64_size(len / 4 * 4 + 1, 0, &got)); /* one character past a group */
    assert_false(kl_base64_size(len / 4 * 4 + 3, 1, &got)); /* padding short of a group */
    assert_false(kl_base64_size(8, 3, &got));               /* three '=' */
    kl_ruleset_free(rs);
}

/* A payload for profile `p` holding `value` at field `f`: objects and arrays down the
 * field's chain, e.g. {"input": {"images": ["<value>"]}}. False for a field reached
 * through JSON held in a string. */
static bool payload_for(const kl_profile *p, uint16_t f, kl_buf *pre, kl_buf *post)
{
    const kl_field *x = &p->fields[f];
    for (uint16_t i = 0; i < x->depth; i++) {
        const kl_field *s = &p->fields[x->chain[i]];
        switch (s->step) {
        case KL_STEP_MEMBER:
            kl_buf_printf(pre, "{\"%.*s\": ", (int)s->name_len, s->name);
            break;
        case KL_STEP_ITEM:
            kl_buf_putc(pre, '[');
            break;
        default:
            return false;
        }
    }
    for (uint16_t i = x->depth; i > 0; i--)
        kl_buf_putc(post, p->fields[x->chain[i - 1]].step == KL_STEP_ITEM ? ']' : '}');
    return true;
}

static const kl_diag *size_finding(const kl_diags *d)
{
    const kl_diag *hit = NULL;
    for (size_t i = 0; i < kl_diags_count(d); i++) {
        if (strcmp(kl_diags_at(d, i)->rule, "data-uri-size") == 0) {
            assert_null(hit); /* one value, one size finding */
            hit = kl_diags_at(d, i);
        }
    }
    return hit;
}

/* Lint a payload holding a data: URI of `size` decoded bytes at the row's place; the one
 * data-uri-size finding it gets, checked against the row, or none when within the limit. */
static void lint_at_limit(const size_rule *sr, kl_linter *l, uint64_t size, bool padded)
{
    kl_buf pre = KL_BUF_INIT, post = KL_BUF_INIT;
    assert_true(payload_for(sr->profile, sr->row->at, &pre, &post));
    const char *head = "\"data:image/png;base64,";
    size_t pad, len = b64_len(size, padded, &pad);
    size_t cap = pre.len + strlen(head) + len + 1 + post.len + 1;
    char *doc = malloc(cap);
    assert_non_null(doc);
    size_t end = 0;
    memcpy(doc, kl_buf_cstr(&pre), pre.len);
    end += pre.len;
    memcpy(doc + end, head, strlen(head));
    end += strlen(head);
    memset(doc + end, 'A', len - pad); /* 'A' decodes to zero bytes */
    memset(doc + end + len - pad, '=', pad);
    end += len;
    doc[end++] = '"';
    memcpy(doc + end, kl_buf_cstr(&post), post.len);
    end += post.len;
    doc[end] = '\0';

    kl_source *src;
    kl_diags *diags;
    assert_int_equal(kl_source_from_memory(&src, "big.json", doc, end), KL_OK);
    free(doc);
    assert_int_equal(kl_diags_new(&diags), KL_OK);
    assert_int_equal(kl_linter_lint_as(l, src, sr->profile->id, diags), KL_OK);
    const kl_diag *d = size_finding(diags);
    if (size <= sr->limit) {
        assert_null(d);
    } else {
        assert_non_null(d);
        assert_int_equal(d->severity, sr->row->severity);
        /* The message says the size found and the limit (the row's words, or the default). */
        char want[64];
        snprintf(want, sizeof(want), " %llu bytes", (unsigned long long)size);
        assert_non_null(strstr(d->message, want));
        snprintf(want, sizeof(want), " %llu", (unsigned long long)sr->limit);
        assert_non_null(strstr(d->message, want));
    }
    kl_diags_free(diags);
    kl_source_free(src);
    kl_buf_dispose(&pre);
    kl_buf_dispose(&post);
}

static void test_data_uri_size_rule_at_its_limits(void **state)
{
    (void)state;
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_builtin(&rs), KL_OK);
    size_rule found[64];
    size_t n = size_rules(rs, found, 64);
    kl_linter *l;
    kl_lint_options o = {0};
    o.rules = rs;
    assert_int_equal(kl_linter_new(&l, &o), KL_OK);
    /* End to end, a real data: URI in a real payload, for each distinct limit up to 16 MiB
     * (its first row): a few MB of text each. The larger limits (200 MB, 267 MB of Base64)
     * are the same comparison, checked above by length only, to keep this quick under the
     * sanitizers. */
    uint64_t done[64];
    size_t n_done = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < n_done; k++)
            seen = seen || done[k] == found[i].limit;
        if (seen || found[i].limit > 16u * 1024 * 1024)
            continue;
        done[n_done++] = found[i].limit;
        for (int64_t delta = -1; delta <= 1; delta++)
            lint_at_limit(&found[i], l, found[i].limit + (uint64_t)delta, delta != 0);
    }
    /* At least the 10 MB image limit of the constraints doc was checked end to end. */
    bool ten = false;
    for (size_t k = 0; k < n_done; k++)
        ten = ten || done[k] == 10u * 1024 * 1024;
    assert_true(ten);
    kl_linter_free(l);
    kl_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_scheme),
        cmocka_unit_test(test_url_extension),
        cmocka_unit_test(test_data_uri),
        cmocka_unit_test(test_image_size),
        cmocka_unit_test(test_base64_size_at_the_rules_limits),
        cmocka_unit_test(test_data_uri_size_rule_at_its_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
