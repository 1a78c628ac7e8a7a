/* Unit tests for canonical JSON paths, on hand-built node trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "klint.h"

static kl_node value(uint8_t kind)
{
    kl_node n;
    memset(&n, 0, sizeof(n));
    n.kind = kind;
    return n;
}

/* Make `members[0..n)` the children of `obj` (an object), named by `keys`. */
static void object(kl_node *obj, kl_node *members, const char *const *keys, size_t n)
{
    obj->kind = KL_JSON_OBJECT;
    obj->len = (uint32_t)n;
    obj->u.children = members;
    for (size_t i = 0; i < n; i++) {
        members[i].parent = obj;
        members[i].key = keys[i];
        members[i].key_len = (uint32_t)strlen(keys[i]);
    }
}

static void array(kl_node *arr, kl_node *items, size_t n)
{
    arr->kind = KL_JSON_ARRAY;
    arr->len = (uint32_t)n;
    arr->u.children = items;
    for (size_t i = 0; i < n; i++)
        items[i].parent = arr;
}

static void assert_path(const kl_node *node, const char *want)
{
    char buf[256];
    size_t n = kl_path_of(node, buf, sizeof(buf));
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

/* $ = {"input": {"multi_prompt": [{}, {}, {"duration": 5}]}} */
static void test_dots_and_indexes(void **state)
{
    (void)state;
    kl_node root = value(KL_JSON_OBJECT);
    kl_node input = value(KL_JSON_OBJECT);
    kl_node multi = value(KL_JSON_ARRAY);
    kl_node prompts[3] = {value(KL_JSON_OBJECT), value(KL_JSON_OBJECT), value(KL_JSON_OBJECT)};
    kl_node duration = value(KL_JSON_NUMBER);
    static const char *const root_keys[] = {"input"};
    static const char *const input_keys[] = {"multi_prompt"};
    static const char *const prompt_keys[] = {"duration"};
    object(&root, &input, root_keys, 1);
    object(&input, &multi, input_keys, 1);
    array(&multi, prompts, 3);
    object(&prompts[2], &duration, prompt_keys, 1);

    assert_path(&root, "$");
    assert_path(&input, "$.input");
    assert_path(&multi, "$.input.multi_prompt");
    assert_path(&prompts[0], "$.input.multi_prompt[0]");
    assert_path(&prompts[2], "$.input.multi_prompt[2]");
    assert_path(&duration, "$.input.multi_prompt[2].duration");
    assert_path(NULL, "$");
}

/* Which names are identifiers, and the RFC 9535 escapes of the others. */
static void test_member_names(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "odd key",    "x.y",      "1abc", "_a1",         "",    "it's", "a\\b",
        "\b\f\n\r\t", "\x01\x1f", "\x7f", "caf\xC3\xA9", "a-b", "Z9",
    };
    enum { N = sizeof(keys) / sizeof(keys[0]) };
    kl_node root = value(KL_JSON_OBJECT);
    kl_node members[N];
    for (size_t i = 0; i < N; i++)
        members[i] = value(KL_JSON_NULL);
    object(&root, members, keys, N);

    assert_path(&members[0], "$['odd key']");
    assert_path(&members[1], "$['x.y']");
    assert_path(&members[2], "$['1abc']");
    assert_path(&members[3], "$._a1");
    assert_path(&members[4], "$['']");
    assert_path(&members[5], "$['it\\'s']");
    assert_path(&members[6], "$['a\\\\b']");
    assert_path(&members[7], "$['\\b\\f\\n\\r\\t']");
    assert_path(&members[8], "$['\\u0001\\u001f']");
    assert_path(&members[9], "$['\x7f']"); /* DEL is not escaped by RFC 9535 */
    assert_path(&members[10], "$['caf\xC3\xA9']");
    assert_path(&members[11], "$['a-b']");
    assert_path(&members[12], "$.Z9");
}

/* A decoded key may hold a NUL byte: key_len, not strlen, is its length. */
static void test_member_with_nul(void **state)
{
    (void)state;
    kl_node root = value(KL_JSON_OBJECT);
    kl_node member = value(KL_JSON_NULL);
    static const char *const keys[] = {"a"};
    object(&root, &member, keys, 1);
    member.key = "a\0b";
    member.key_len = 3;
    assert_path(&member, "$['a\\u0000b']");
}

static void test_truncation_is_a_prefix(void **state)
{
    (void)state;
    kl_node root = value(KL_JSON_ARRAY);
    kl_node item = value(KL_JSON_OBJECT);
    kl_node leaf = value(KL_JSON_STRING);
    static const char *const keys[] = {"odd key"};
    array(&root, &item, 1);
    object(&item, &leaf, keys, 1);
    const char *full = "$[0]['odd key']";
    size_t len = strlen(full);

    for (size_t cap = 1; cap <= len + 2; cap++) {
        char buf[32];
        memset(buf, '#', sizeof(buf));
        size_t n = kl_path_of(&leaf, buf, cap);
        assert_int_equal(n, len);
        size_t kept = cap - 1 < len ? cap - 1 : len;
        assert_int_equal(strlen(buf), kept);
        assert_memory_equal(buf, full, kept);
        assert_int_equal(buf[cap], '#'); /* nothing written past cap */
    }
    /* cap 0: only measures */
    assert_int_equal(kl_path_of(&leaf, NULL, 0), len);
}

static void test_append(void **state)
{
    (void)state;
    char buf[64] = "$";
    size_t len = 1;
    len = kl_path_append_member(buf, sizeof(buf), len, "input", 5);
    assert_string_equal(buf, "$.input");
    assert_int_equal(len, 7);
    len = kl_path_append_index(buf, sizeof(buf), len, 12);
    assert_string_equal(buf, "$.input[12]");
    assert_int_equal(len, 11);
    len = kl_path_append_member(buf, sizeof(buf), len, "odd key", 7);
    assert_string_equal(buf, "$.input[12]['odd key']");
    assert_int_equal(len, 22);
    len = kl_path_append_member(buf, sizeof(buf), len, "q'", 2);
    assert_string_equal(buf, "$.input[12]['odd key']['q\\'']");

    /* Too small: the result is a prefix and the full length comes back. */
    char small[8] = "$";
    len = kl_path_append_member(small, sizeof(small), 1, "input", 5);
    assert_int_equal(len, 7);
    assert_string_equal(small, "$.input");
    len = kl_path_append_index(small, sizeof(small), len, 3);
    assert_int_equal(len, 10);
    assert_string_equal(small, "$.input");
    len = kl_path_append_member(small, sizeof(small), len, "more", 4);
    assert_int_equal(len, 15);
    assert_string_equal(small, "$.input");
}

/* Index steps of every width, up to SIZE_MAX, as printf would write them. */
static void test_index_digits(void **state)
{
    (void)state;
    static const size_t indexes[] = {0, 7, 9, 10, 99, 100, 12345, 4294967295u, SIZE_MAX};
    for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
        char want[64], got[64] = "$";
        int n = snprintf(want, sizeof(want), "$[%zu]", indexes[i]);
        assert_int_equal(kl_path_append_index(got, sizeof(got), 1, indexes[i]), (size_t)n);
        assert_string_equal(got, want);
    }
}

/* 100,000 nested arrays: the path is built without recursion. */
static void test_deep_nesting(void **state)
{
    (void)state;
    enum { DEPTH = 100000 };
    kl_node *nodes = calloc(DEPTH + 1, sizeof(*nodes));
    assert_non_null(nodes);
    for (size_t i = 0; i < DEPTH; i++)
        array(&nodes[i], &nodes[i + 1], 1);
    size_t want = 1 + 3 * (size_t)DEPTH;
    char *buf = malloc(want + 1);
    assert_non_null(buf);
    assert_int_equal(kl_path_of(&nodes[DEPTH], buf, want + 1), want);
    assert_int_equal(buf[0], '$');
    size_t bad = 0;
    for (size_t i = 0; i < DEPTH; i++)
        bad += memcmp(buf + 1 + 3 * i, "[0]", 3) != 0;
    assert_int_equal(bad, 0);
    assert_int_equal(buf[want], '\0');
    free(buf);
    free(nodes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dots_and_indexes), cmocka_unit_test(test_member_names),
        cmocka_unit_test(test_member_with_nul),  cmocka_unit_test(test_truncation_is_a_prefix),
        cmocka_unit_test(test_append),           cmocka_unit_test(test_index_digits),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
