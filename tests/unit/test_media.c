/*
 * Media references offline: URI schemes, URL extensions, data: URIs
 * (MIME, decoded size, Base64 validity) and image sizes from PNG and JPEG
 * headers, on hand-made bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "media.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_scheme),
        cmocka_unit_test(test_url_extension),
        cmocka_unit_test(test_data_uri),
        cmocka_unit_test(test_image_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
