/*
 * The strict JSON loader: tree, spans, numbers, strings, duplicate keys and
 * every kind of syntax error with its exact byte, line:column, path and
 * message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_plain.h"
#include "klint.h"

/* One loaded input: the source, its document and its diagnostics. */
typedef struct loaded {
    kl_source *src;
    kl_doc *doc;
    kl_diags *diags;
} loaded;

static loaded load_opts(const char *text, size_t len, const kl_json_options *opts)
{
    loaded l;
    assert_int_equal(kl_source_from_memory(&l.src, "t.json", text, len), KL_OK);
    assert_int_equal(kl_diags_new(&l.diags), KL_OK);
    assert_int_equal(kl_json_load(&l.doc, l.src, opts, l.diags), KL_OK);
    assert_non_null(l.doc);
    assert_ptr_equal(kl_doc_source(l.doc), l.src);
    return l;
}

static loaded load(const char *text)
{
    return load_opts(text, strlen(text), NULL);
}

static void unload(loaded *l)
{
    kl_doc_free(l->doc);
    kl_diags_free(l->diags);
    kl_source_free(l->src);
}

/* Load `text`, expect it valid with no diagnostic at all. */
static loaded load_ok(const char *text)
{
    loaded l = load(text);
    if (kl_diags_count(l.diags) != 0)
        fail_msg("unexpected diagnostic for %s: %s", text, kl_diags_at(l.diags, 0)->message);
    assert_non_null(kl_doc_root(l.doc));
    return l;
}

/* ---- Syntax errors: one table, every kind ---- */

typedef struct error_case {
    const char *text;
    size_t len; /* bytes of text; 0 means strlen */
    uint32_t start, end;
    uint32_t line, column; /* of `start`, column in code points */
    const char *path;
    const char *message;
} error_case;

#define E(text, start, end, line, col, path, msg)                                                  \
    {                                                                                              \
        text, 0, start, end, line, col, path, msg                                                  \
    }
/* For inputs holding a NUL byte. */
#define EN(text, start, end, line, col, path, msg)                                                 \
    {                                                                                              \
        text, sizeof(text) - 1, start, end, line, col, path, msg                                   \
    }

static const error_case error_cases[] = {
    /* Empty and trailing input. */
    E("", 0, 0, 1, 1, "$", "empty input: expected a JSON value"),
    E(" \n\t ", 4, 4, 2, 3, "$",
      "expected a JSON value, found end of input (the input is whitespace)"),
    /*          ^ x at byte 5, line 2 col 2 */
    E("[1]\n x", 5, 6, 2, 2, "$", "unexpected 'x' after the JSON value"),
    E("{}{}", 2, 3, 1, 3, "$", "unexpected '{' after the JSON value"),

    /* A value expected. */
    E("{\"a\": }", 6, 7, 1, 7, "$", "expected a value after ':', found '}'"),
    E("{\"a\":", 5, 5, 1, 6, "$", "expected a value after ':', found end of input"),
    E("[}", 1, 2, 1, 2, "$", "expected a value or ']' after '[', found '}'"),
    E("[1,}", 3, 4, 1, 4, "$", "expected a value after ',', found '}'"),
    E("[1,", 3, 3, 1, 4, "$", "expected a value after ',', found end of input"),
    E("]", 0, 1, 1, 1, "$", "expected a JSON value, found ']'"),
    E("[True]", 1, 2, 1, 2, "$",
      "expected a value or ']' after '[', found 'T': JSON literals are lowercase: true, false, "
      "null"),
    E("[+1]", 1, 2, 1, 2, "$",
      "expected a value or ']' after '[', found '+': a number cannot start with '+'"),
    E("[.5]", 1, 2, 1, 2, "$",
      "expected a value or ']' after '[', found '.': a number needs a digit before '.'"),
    E("['a']", 1, 2, 1, 2, "$",
      "expected a value or ']' after '[', found a single quote ('): JSON strings use straight "
      "double quotes"),
    E("[\xe2\x80\x9c"
      "a\xe2\x80\x9d]",
      1, 2, 1, 2, "$",
      "expected a value or ']' after '[', found '\xe2\x80\x9c' (U+201C): JSON strings use "
      "straight double quotes"),
    EN("[\0]", 1, 2, 1, 2, "$", "expected a value or ']' after '[', found U+0000"),
    E("[1,\v2]", 3, 4, 1, 4, "$", "expected a value after ',', found U+000B"),
    E("\xc2\xa0[]", 0, 1, 1, 1, "$", "expected a JSON value, found '\xc2\xa0' (U+00A0)"),
    E("[1]\xef\xbb\xbf", 3, 4, 1, 4, "$",
      "unexpected '\xef\xbb\xbf' (U+FEFF) after the JSON value"),

    /* Commas and closers. */
    E("[1,\n]", 2, 3, 1, 3, "$", "trailing comma before ']'"),
    E("{\"a\":1,\n  }", 6, 7, 1, 7, "$", "trailing comma before '}'"),
    E("[1 2]", 3, 4, 1, 4, "$", "expected ',' or ']' after array item, found '2'"),
    E("[1}", 2, 3, 1, 3, "$", "expected ',' or ']' after array item, found '}'"),
    E("[1", 2, 2, 1, 3, "$", "expected ',' or ']' after array item, found end of input"),
    E("{\"a\":1 ]", 7, 8, 1, 8, "$", "expected ',' or '}' after object member, found ']'"),
    E("{\"a\":1", 6, 6, 1, 7, "$", "expected ',' or '}' after object member, found end of input"),

    /* Keys. */
    E("{1:2}", 1, 2, 1, 2, "$", "expected a string key or '}' after '{', found '1'"),
    E("{a:1}", 1, 2, 1, 2, "$",
      "expected a string key or '}' after '{', found 'a': object keys must be double-quoted "
      "strings"),
    E("{", 1, 1, 1, 2, "$", "expected a string key or '}' after '{', found end of input"),
    E("{\"a\":1,2}", 7, 8, 1, 8, "$", "expected a string key after ',', found '2'"),
    E("{\"a\" 1}", 5, 6, 1, 6, "$", "expected ':' after object key, found '1'"),
    E("{\"a\"", 4, 4, 1, 5, "$", "expected ':' after object key, found end of input"),

    /* Strings. */
    E("\"abc", 4, 4, 1, 5, "$", "expected '\"' to close the string, found end of input"),
    E("[\"a\nb\"]", 3, 4, 1, 4, "$", "control character U+000A in string: escape it as \\n"),
    E("\"\t\"", 1, 2, 1, 2, "$", "control character U+0009 in string: escape it as \\t"),
    E("\"\x01\"", 1, 2, 1, 2, "$", "control character U+0001 in string: escape it as \\u0001"),
    E("\"\x1f\"", 1, 2, 1, 2, "$", "control character U+001F in string: escape it as \\u001f"),
    E("\"\xff\"", 1, 2, 1, 2, "$", "invalid UTF-8 byte 0xff in string"),
    E("\"ab\xe9t\"", 3, 4, 1, 4, "$", "invalid UTF-8 byte 0xe9 in string"),          /* truncated */
    E("\"\xc0\x80\"", 1, 2, 1, 2, "$", "invalid UTF-8 byte 0xc0 in string"),         /* overlong */
    E("\"\xed\xa0\x80\"", 1, 2, 1, 2, "$", "invalid UTF-8 byte 0xed in string"),     /* surrogate */
    E("\"\xf4\x90\x80\x80\"", 1, 2, 1, 2, "$", "invalid UTF-8 byte 0xf4 in string"), /* > max */
    E("\"\xe9", 1, 2, 1, 2, "$", "invalid UTF-8 byte 0xe9 in string"), /* cut by the end */
    /* A bad byte in a run of non-ASCII characters, reported where it is. */
    E("\"\xc3\xa9\xe4\xb8\xad\xff\"", 6, 7, 1, 4, "$", "invalid UTF-8 byte 0xff in string"),
    E("\"\xc3\xa9\xe4\xb8\"", 3, 4, 1, 3, "$", "invalid UTF-8 byte 0xe4 in string"),
    E("[\xff]", 1, 2, 1, 2, "$",
      "expected a value or ']' after '[', found byte 0xff (invalid UTF-8)"),
    E("\"\\x\"", 2, 3, 1, 3, "$",
      "invalid escape: expected one of \" \\ / b f n r t u after '\\', found 'x'"),
    E("\"\\", 2, 2, 1, 3, "$",
      "invalid escape: expected one of \" \\ / b f n r t u after '\\', found end of input"),
    E("\"\\u12G4\"", 5, 6, 1, 6, "$", "expected 4 hex digits after '\\u', found 'G'"),
    E("\"\\u12", 5, 5, 1, 6, "$", "expected 4 hex digits after '\\u', found end of input"),
    E("\"\\ud800\"", 1, 2, 1, 2, "$", "lone surrogate \\ud800 in string escape"),
    E("\"\\uD800\\u0041\"", 1, 2, 1, 2, "$", "lone surrogate \\uD800 in string escape"),
    E("\"\\udc00x\"", 1, 2, 1, 2, "$", "lone surrogate \\udc00 in string escape"),
    E("\"x\\ud83d\"", 2, 3, 1, 3, "$", "lone surrogate \\ud83d in string escape"),
    E("\"\\ud800\\u00zz\"", 11, 12, 1, 12, "$", "expected 4 hex digits after '\\u', found 'z'"),

    /* Numbers. */
    E("01", 1, 2, 1, 2, "$", "leading zeros are not allowed in numbers"),
    E("[-01]", 3, 4, 1, 4, "$", "leading zeros are not allowed in numbers"),
    E("-a", 1, 2, 1, 2, "$", "expected a digit after '-', found 'a'"),
    E("[-]", 2, 3, 1, 3, "$", "expected a digit after '-', found ']'"),
    E("1.", 2, 2, 1, 3, "$", "expected a digit after '.' in number, found end of input"),
    E("1.e5", 2, 3, 1, 3, "$", "expected a digit after '.' in number, found 'e'"),
    E("[1e]", 3, 4, 1, 4, "$", "expected a digit in the number's exponent, found ']'"),
    E("1e+", 3, 3, 1, 4, "$", "expected a digit in the number's exponent, found end of input"),
    E("[1x]", 2, 3, 1, 3, "$", "expected ',' or ']' after array item, found 'x'"),
    E("NaN", 0, 1, 1, 1, "$", "NaN is not valid JSON"),
    E("[Infinity]", 1, 2, 1, 2, "$", "Infinity is not valid JSON"),
    E("{\"a\":-Infinity}", 6, 7, 1, 7, "$", "-Infinity is not valid JSON"),

    /* Literals. */
    E("tru", 3, 3, 1, 4, "$", "invalid literal: expected 'true', found end of input"),
    E("[nul]", 4, 5, 1, 5, "$", "invalid literal: expected 'null', found ']'"),
    E("falsy", 4, 5, 1, 5, "$", "invalid literal: expected 'false', found 'y'"),

    /* Comments, wherever a token is expected. */
    E("// note\n{}", 0, 1, 1, 1, "$", "comments are not allowed in JSON"),
    E("[1, /* two */ 2]", 4, 5, 1, 5, "$", "comments are not allowed in JSON"),
    E("[1 // x\n]", 3, 4, 1, 4, "$", "comments are not allowed in JSON"),
    E("{ // c\n\"a\":1}", 2, 3, 1, 3, "$", "comments are not allowed in JSON"),
    E("{\"a\" /*c*/ : 1}", 5, 6, 1, 6, "$", "comments are not allowed in JSON"),
    E("{\"a\":1, /*c*/ \"b\":2}", 8, 9, 1, 9, "$", "comments are not allowed in JSON"),
    E("{} /* end */", 3, 4, 1, 4, "$", "comments are not allowed in JSON"),

    /* Paths name the container being parsed. */
    E("{\"input\":{\"multi_prompt\":[{},{},{\"d\":tru}]}}", 40, 41, 1, 41,
      "$.input.multi_prompt[2]", "invalid literal: expected 'true', found '}'"),
    E("{\"odd key\":[1 2]}", 14, 15, 1, 15, "$['odd key']",
      "expected ',' or ']' after array item, found '2'"),
    E("[[1],[2,]]", 7, 8, 1, 8, "$[1]", "trailing comma before ']'"),
    E("{\"a\":{\"b\":[]}\n,\"c\":{\"x\" 1}}", 24, 25, 2, 11, "$.c",
      "expected ':' after object key, found '1'"),

    /* Lines and columns in code points: é is 2 bytes, U+1F600 is 4. */
    /*  {"ü": "é😀", "x" 1}  on line 2: the '1' is byte 22, column 17 */
    E("\n{\"\xc3\xbc\": \"\xc3\xa9\xf0\x9f\x98\x80\", \"x\" 1}", 22, 23, 2, 17, "$",
      "expected ':' after object key, found '1'"),
    E("[\n  \"\xc3\xa9\",\n  \"\xc3\xa9\xff\"]", 15, 16, 3, 5, "$",
      "invalid UTF-8 byte 0xff in string"),
};

static void check_error_case(const error_case *c, const kl_json_options *opts)
{
    size_t len = c->len ? c->len : strlen(c->text);
    loaded l = load_opts(c->text, len, opts);
    if (kl_diags_count(l.diags) != 1)
        fail_msg("%zu diagnostics for input `%s` (want 1)", kl_diags_count(l.diags), c->text);
    const kl_diag *d = kl_diags_at(l.diags, 0);
    if (strcmp(d->message, c->message) != 0)
        fail_msg("input `%s`:\n  got  %s\n  want %s", c->text, d->message, c->message);
    assert_string_equal(d->rule, KL_RULE_JSON_SYNTAX);
    assert_int_equal(d->severity, KL_SEV_ERROR);
    assert_null(d->profile);
    assert_int_equal(d->n_related, 0);
    if (d->span.start != c->start || d->span.end != c->end)
        fail_msg("input `%s`: span [%u,%u) want [%u,%u)", c->text, d->span.start, d->span.end,
                 c->start, c->end);
    kl_pos pos = kl_source_pos(l.src, d->span.start);
    if (pos.line != c->line || pos.column != c->column)
        fail_msg("input `%s`: %u:%u want %u:%u", c->text, pos.line, pos.column, c->line, c->column);
    assert_string_equal(d->path, c->path);
    assert_null(kl_doc_root(l.doc));
    unload(&l);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++)
        check_error_case(&error_cases[i], NULL);
}

/* no_tree validates exactly the same way. */
static void test_syntax_errors_no_tree(void **state)
{
    (void)state;
    kl_json_options opts = {0};
    opts.no_tree = true;
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++)
        check_error_case(&error_cases[i], &opts);
}

/* ---- Depth ---- */

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_depth_100000_brackets(void **state)
{
    (void)state;
    char *text = repeat('[', 100000);
    loaded l = load(text);
    assert_int_equal(kl_diags_count(l.diags), 1);
    const kl_diag *d = kl_diags_at(l.diags, 0);
    assert_string_equal(d->rule, KL_RULE_JSON_DEPTH);
    assert_int_equal(d->severity, KL_SEV_ERROR);
    assert_string_equal(d->message, "nesting too deep: more than 512 levels of arrays and objects");
    /* The 513th '[' is byte 512. */
    assert_int_equal(d->span.start, 512);
    assert_int_equal(d->span.end, 513);
    kl_pos pos = kl_source_pos(l.src, d->span.start);
    assert_int_equal(pos.line, 1);
    assert_int_equal(pos.column, 513);
    /* The path of the 512th array: "$" and 511 steps of "[0]". */
    assert_int_equal(strlen(d->path), 1 + 511 * 3);
    assert_memory_equal(d->path, "$[0][0]", 7);
    assert_string_equal(d->path + strlen(d->path) - 3, "[0]");
    assert_null(kl_doc_root(l.doc));
    unload(&l);
    free(text);
}

/* Exactly the limit loads; one more level does not. Mixed objects count too. */
static void test_depth_limit_exact(void **state)
{
    (void)state;
    static char text[2 * 513 + 1];
    memset(text, '[', 512);
    memset(text + 512, ']', 512);
    text[1024] = '\0';
    loaded l = load_ok(text);
    const kl_node *n = kl_doc_root(l.doc);
    size_t depth = 0;
    while (n != NULL) {
        depth++;
        n = kl_node_at(n, 0);
    }
    assert_int_equal(depth, 512);
    unload(&l);

    memset(text, '[', 513);
    memset(text + 513, ']', 513);
    text[1026] = '\0';
    l = load(text);
    assert_int_equal(kl_diags_count(l.diags), 1);
    assert_string_equal(kl_diags_at(l.diags, 0)->rule, KL_RULE_JSON_DEPTH);
    assert_int_equal(kl_diags_at(l.diags, 0)->span.start, 512);
    unload(&l);

    kl_json_options opts = {0};
    opts.max_depth = 2;
    const char *nested = "{\"a\":[{\"b\":1}]}";
    /*                          ^ byte 6, the third level */
    l = load_opts(nested, strlen(nested), &opts);
    assert_int_equal(kl_diags_count(l.diags), 1);
    const kl_diag *d = kl_diags_at(l.diags, 0);
    assert_string_equal(d->rule, KL_RULE_JSON_DEPTH);
    assert_string_equal(d->message, "nesting too deep: more than 2 levels of arrays and objects");
    assert_int_equal(d->span.start, 6);
    assert_string_equal(d->path, "$.a");
    unload(&l);
}

/* ---- Tree, spans, keys ---- */

static void test_tree_and_spans(void **state)
{
    (void)state;
    const char *text = "{\"a\": [1, \"x\", true],\n \"b\\n\" : null, \"c\":{}}";
    loaded l = load_ok(text);
    const kl_node *root = kl_doc_root(l.doc);
    assert_int_equal(root->kind, KL_JSON_OBJECT);
    assert_int_equal(root->len, 3);
    assert_int_equal(root->span.start, 0);
    assert_int_equal(root->span.end, strlen(text));
    assert_null(root->parent);
    assert_null(root->key);
    assert_int_equal(root->key_span.start, 0);
    assert_int_equal(root->key_span.end, 0);

    const kl_node *a = kl_node_at(root, 0);
    assert_int_equal(a->key_len, 1);
    assert_memory_equal(a->key, "a", 1);
    assert_int_equal(a->key_span.start, 1); /* "a" with its quotes */
    assert_int_equal(a->key_span.end, 4);
    assert_int_equal(a->kind, KL_JSON_ARRAY);
    assert_int_equal(a->span.start, 6); /* [1, "x", true] */
    assert_int_equal(a->span.end, 20);
    assert_ptr_equal(a->parent, root);
    assert_int_equal(a->len, 3);

    const kl_node *x = kl_node_at(a, 1);
    assert_int_equal(x->kind, KL_JSON_STRING);
    assert_int_equal(x->span.start, 10); /* "x" quotes included */
    assert_int_equal(x->span.end, 13);
    assert_null(x->key);
    assert_ptr_equal(x->parent, a);
    assert_int_equal(kl_node_index(x), 1);
    assert_ptr_equal(kl_node_at(a, 2)->parent, a);
    assert_int_equal(kl_node_at(a, 2)->kind, KL_JSON_TRUE);
    assert_int_equal(kl_node_at(a, 2)->span.start, 15);
    assert_int_equal(kl_node_at(a, 2)->span.end, 19);
    assert_null(kl_node_at(a, 3));

    /* An escaped key is decoded; its span still covers the source text. */
    const kl_node *b = kl_node_at(root, 1);
    assert_int_equal(b->key_len, 2);
    assert_memory_equal(b->key, "b\n", 2);
    assert_int_equal(b->key_span.start, 23);
    assert_int_equal(b->key_span.end, 28);
    assert_int_equal(b->kind, KL_JSON_NULL);
    assert_int_equal(b->span.start, 31);
    assert_int_equal(b->span.end, 35);
    assert_ptr_equal(kl_node_get(root, "b\n", 2), b);
    assert_int_equal(kl_node_index(b), 1);

    const kl_node *c = kl_node_getz(root, "c");
    assert_non_null(c);
    assert_int_equal(c->kind, KL_JSON_OBJECT);
    assert_int_equal(c->len, 0);
    assert_int_equal(c->span.start, 41);
    assert_int_equal(c->span.end, 43);
    assert_null(kl_node_at(c, 0));
    assert_null(kl_node_getz(root, "missing"));
    assert_null(kl_node_getz(a, "a")); /* not an object */

    /* Children are stored contiguously, in source order. */
    assert_ptr_equal(kl_node_at(root, 1), kl_node_at(root, 0) + 1);
    assert_ptr_equal(kl_node_at(root, 2), kl_node_at(root, 0) + 2);
    unload(&l);
}

/* Deep trees get correct parent pointers at every level. */
static void test_parents_deep(void **state)
{
    (void)state;
    loaded l = load_ok("[[[1,[2]],{\"k\":[3,{\"z\":4}]}],5]");
    const kl_node *root = kl_doc_root(l.doc);
    const kl_node *four =
        kl_node_getz(kl_node_at(kl_node_getz(kl_node_at(kl_node_at(root, 0), 1), "k"), 1), "z");
    assert_non_null(four);
    assert_int_equal(four->len, 1);
    assert_memory_equal(four->u.str, "4", 1);
    assert_ptr_equal(four->u.str, l.src->data + 23); /* the lexeme points into the source */
    char path[64];
    assert_int_equal(kl_path_of(four, path, sizeof(path)), strlen("$[0][1].k[1].z"));
    assert_string_equal(path, "$[0][1].k[1].z");
    const kl_node *two = kl_node_at(kl_node_at(kl_node_at(kl_node_at(root, 0), 0), 1), 0);
    assert_int_equal(kl_path_of(two, path, sizeof(path)), strlen("$[0][0][1][0]"));
    assert_string_equal(path, "$[0][0][1][0]");
    size_t steps = 0;
    for (const kl_node *n = two; n->parent != NULL; n = n->parent)
        steps++;
    assert_int_equal(steps, 4);
    unload(&l);
}

static void test_scalar_roots_and_whitespace(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        kl_json_kind kind;
        uint32_t start, end;
    } cases[] = {
        {"null", KL_JSON_NULL, 0, 4},         {" true ", KL_JSON_TRUE, 1, 5},
        {"\tfalse\r\n", KL_JSON_FALSE, 1, 6}, {"\n\n-1.5e3 ", KL_JSON_NUMBER, 2, 8},
        {"\"s\"", KL_JSON_STRING, 0, 3},      {" \r\n\t[ ] ", KL_JSON_ARRAY, 4, 7},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        loaded l = load_ok(cases[i].text);
        const kl_node *root = kl_doc_root(l.doc);
        assert_int_equal(root->kind, cases[i].kind);
        assert_int_equal(root->span.start, cases[i].start);
        assert_int_equal(root->span.end, cases[i].end);
        unload(&l);
    }
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(kl_json_kind_name(KL_JSON_NULL), "null");
    assert_string_equal(kl_json_kind_name(KL_JSON_TRUE), "boolean");
    assert_string_equal(kl_json_kind_name(KL_JSON_FALSE), "boolean");
    assert_string_equal(kl_json_kind_name(KL_JSON_NUMBER), "number");
    assert_string_equal(kl_json_kind_name(KL_JSON_STRING), "string");
    assert_string_equal(kl_json_kind_name(KL_JSON_ARRAY), "array");
    assert_string_equal(kl_json_kind_name(KL_JSON_OBJECT), "object");
}

static void test_null_safe_accessors(void **state)
{
    (void)state;
    int64_t i = 7;
    double d = 7;
    assert_null(kl_node_get(NULL, "a", 1));
    assert_null(kl_node_getz(NULL, "a"));
    assert_null(kl_node_at(NULL, 0));
    assert_int_equal(kl_node_index(NULL), 0);
    assert_false(kl_node_is_string(NULL, "a"));
    assert_false(kl_node_int64(NULL, &i));
    assert_false(kl_node_double(NULL, &d));
    assert_int_equal(i, 7);
    assert_int_equal(kl_node_strlen_chars(NULL), 0);
    assert_int_equal(kl_node_string_source_offset(NULL, NULL, 0), 0);
    assert_null(kl_doc_root(NULL));
    assert_null(kl_doc_source(NULL));
    kl_doc_free(NULL);
}

/* ---- Numbers ---- */

static void test_number_lexemes(void **state)
{
    (void)state;
    loaded l = load_ok("[5, 5.0, 5e0, 829836802793406551, -0, -1.5E+3, 0.25e-2, 1E5]");
    static const struct {
        const char *lexeme;
        uint8_t flags;
    } want[] = {
        {"5", KL_NODE_NUM_INTEGER},
        {"5.0", 0},
        {"5e0", 0},
        {"829836802793406551", KL_NODE_NUM_INTEGER},
        {"-0", KL_NODE_NUM_INTEGER | KL_NODE_NUM_NEGATIVE},
        {"-1.5E+3", KL_NODE_NUM_NEGATIVE},
        {"0.25e-2", 0},
        {"1E5", 0},
    };
    const kl_node *root = kl_doc_root(l.doc);
    assert_int_equal(root->len, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < root->len; i++) {
        const kl_node *n = kl_node_at(root, i);
        assert_int_equal(n->kind, KL_JSON_NUMBER);
        assert_int_equal(n->len, strlen(want[i].lexeme));
        assert_memory_equal(n->u.str, want[i].lexeme, n->len);
        assert_int_equal(n->flags, want[i].flags);
        assert_int_equal(n->span.end - n->span.start, n->len);
    }
    unload(&l);
}

static bool int64_of(const char *text, int64_t *out)
{
    loaded l = load_ok(text);
    bool ok = kl_node_int64(kl_doc_root(l.doc), out);
    unload(&l);
    return ok;
}

static void test_int64(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(int64_of("829836802793406551", &v));
    assert_true(v == INT64_C(829836802793406551));
    assert_true(int64_of("9223372036854775807", &v));
    assert_true(v == INT64_MAX);
    assert_true(int64_of("-9223372036854775808", &v));
    assert_true(v == INT64_MIN);
    assert_true(int64_of("-42", &v));
    assert_true(v == -42);
    /* -0 is an integer lexeme whose value, 0, fits. */
    v = 1;
    assert_true(int64_of("-0", &v));
    assert_true(v == 0);

    v = 99;
    assert_false(int64_of("9223372036854775808", &v));
    assert_false(int64_of("-9223372036854775809", &v));
    assert_false(int64_of("100000000000000000000", &v));
    assert_false(int64_of("5.0", &v));
    assert_false(int64_of("5e0", &v));
    assert_false(int64_of("\"5\"", &v));
    assert_false(int64_of("true", &v));
    assert_true(v == 99); /* untouched on failure */
}

static void test_double(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double want;
    } cases[] = {
        {"5", 5.0},
        {"5.0", 5.0},
        {"5e0", 5.0},
        {"-1.5E+3", -1500.0},
        {"0.25", 0.25},
        {"1e-2", 0.01},
        {"-0", -0.0},
        /* Longer than any fixed buffer: 70 digits. */
        {"1000000000000000000000000000000000000000000000000000000000000000000000", 1e69},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        loaded l = load_ok(cases[i].text);
        double d = 0;
        assert_true(kl_node_double(kl_doc_root(l.doc), &d));
        assert_true(d == cases[i].want);
        unload(&l);
    }
    loaded l = load_ok("\"1\"");
    double d = 3;
    assert_false(kl_node_double(kl_doc_root(l.doc), &d));
    assert_true(d == 3);
    unload(&l);
}

/* ---- Strings ---- */

static void test_string_decoding(void **state)
{
    (void)state;
    const char *text =
        "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\u0000z\"";
    loaded l = load_ok(text);
    const kl_node *s = kl_doc_root(l.doc);
    static const char want[] = "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z";
    assert_int_equal(s->kind, KL_JSON_STRING);
    assert_int_equal(s->flags, KL_NODE_STR_ESCAPED);
    assert_int_equal(s->len, sizeof(want) - 1);
    assert_memory_equal(s->u.str, want, sizeof(want) - 1);
    assert_int_equal(s->span.start, 0);
    assert_int_equal(s->span.end, strlen(text));
    /* a " b \ c / d BS FF LF CR TAB A é € 😀 NUL z */
    assert_int_equal(kl_node_strlen_chars(s), 18);
    unload(&l);

    /* Without escapes the text is the source's own bytes. */
    l = load_ok("[\"plain \xc3\xa9t\xc3\xa9\"]");
    s = kl_node_at(kl_doc_root(l.doc), 0);
    assert_int_equal(s->flags, 0);
    assert_ptr_equal(s->u.str, l.src->data + 2);
    assert_int_equal(s->len, 11);
    assert_int_equal(kl_node_strlen_chars(s), 9);
    assert_true(kl_node_is_string(s, "plain \xc3\xa9t\xc3\xa9"));
    assert_false(kl_node_is_string(s, "plain"));
    unload(&l);

    /* Long strings cross the 8-byte fast path at every alignment. */
    for (size_t n = 0; n < 40; n++) {
        char buf[64];
        buf[0] = '"';
        for (size_t i = 0; i < n; i++)
            buf[1 + i] = (char)('a' + i % 26);
        buf[1 + n] = '"';
        buf[2 + n] = '\0';
        l = load_ok(buf);
        assert_int_equal(kl_doc_root(l.doc)->len, n);
        unload(&l);
        /* ... and a control character is found at every position. */
        buf[1 + n] = '\x02';
        buf[2 + n] = '"';
        buf[3 + n] = '\0';
        l = load(buf);
        assert_int_equal(kl_diags_count(l.diags), 1);
        assert_int_equal(kl_diags_at(l.diags, 0)->span.start, 1 + n);
        unload(&l);
    }

    /* The empty string, and a string that is only an escape. */
    l = load_ok("[\"\", \"\\n\"]");
    assert_int_equal(kl_node_at(kl_doc_root(l.doc), 0)->len, 0);
    assert_true(kl_node_is_string(kl_node_at(kl_doc_root(l.doc), 0), ""));
    assert_true(kl_node_is_string(kl_node_at(kl_doc_root(l.doc), 1), "\n"));
    unload(&l);
}

static void test_string_source_offsets(void **state)
{
    (void)state;
    /* Bytes: '[' 0, '"' 1, 'a' 2, "\n" 3-4, raw é 5-6, \u00e9 7-12, the surrogate pair
     * \ud83d\ude00 13-24, 'b' 25, the closing quote 26. */
    const char *text = "[\"a\\n\xc3\xa9\\u00e9\\ud83d\\ude00b\"]";
    loaded l = load_ok(text);
    const kl_node *s = kl_node_at(kl_doc_root(l.doc), 0);
    /* Decoded: a(0) LF(1) é(2,3) é(4,5) 😀(6..9) b(10) */
    static const uint32_t want[] = {2, 3, 5, 5, 7, 7, 13, 13, 13, 13, 25, 26, 26};
    assert_int_equal(s->len, 11);
    for (uint32_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        uint32_t got = kl_node_string_source_offset(s, l.src, i);
        if (got != want[i])
            fail_msg("decoded offset %u maps to %u, want %u", i, got, want[i]);
    }
    assert_int_equal((unsigned char)text[26], '"');
    unload(&l);

    /* Unescaped: decoded offsets are source offsets, rounded to the character. */
    l = load_ok("{\"k\": \"x\xc3\xa9y\"}");
    s = kl_node_getz(kl_doc_root(l.doc), "k");
    assert_int_equal(kl_node_string_source_offset(s, l.src, 0), 7);
    assert_int_equal(kl_node_string_source_offset(s, l.src, 1), 8);
    assert_int_equal(kl_node_string_source_offset(s, l.src, 2), 8);
    assert_int_equal(kl_node_string_source_offset(s, l.src, 3), 10);
    assert_int_equal(kl_node_string_source_offset(s, l.src, 4), 11); /* the closing quote */
    unload(&l);
}

/* ---- Duplicate keys ---- */

static void test_duplicate_key(void **state)
{
    (void)state;
    loaded l = load("{\"a\": 1,\n \"b\": 2,\n \"a\": 3}");
    /* The second "a" is bytes 19-21, on line 3. */
    assert_int_equal(kl_diags_count(l.diags), 1);
    const kl_diag *d = kl_diags_at(l.diags, 0);
    assert_string_equal(d->rule, KL_RULE_JSON_DUPLICATE_KEY);
    assert_int_equal(d->severity, KL_SEV_WARNING);
    assert_string_equal(d->message, "duplicate key \"a\" on line 3 (first defined on line 1); "
                                    "most JSON parsers keep only the last value");
    assert_string_equal(d->path, "$.a");
    assert_int_equal(d->span.start, 19);
    assert_int_equal(d->span.end, 22);
    assert_int_equal(d->n_related, 1);
    assert_int_equal(d->related[0].span.start, 1);
    assert_int_equal(d->related[0].span.end, 4);
    assert_string_equal(d->related[0].path, "$.a");
    assert_string_equal(d->related[0].message, "first defined here");
    /* Both members stay, in order; lookups see the last one. */
    const kl_node *root = kl_doc_root(l.doc);
    assert_non_null(root);
    assert_int_equal(root->len, 3);
    const kl_node *a = kl_node_getz(root, "a");
    assert_ptr_equal(a, kl_node_at(root, 2));
    int64_t v = 0;
    assert_true(kl_node_int64(a, &v));
    assert_true(v == 3);
    unload(&l);
}

static void test_duplicate_keys_nested_and_repeated(void **state)
{
    (void)state;
    /* Three times the same key: both later ones point at the first.
     * Keys compare decoded: "\u0061" is "a". */
    loaded l = load("{\"x\":{\"odd key\":1,\"odd key\":2,\"odd key\":3},\"a\":1,\"\\u0061\":2}");
    assert_int_equal(kl_diags_count(l.diags), 3);
    const kl_diag *d0 = kl_diags_at(l.diags, 0);
    const kl_diag *d1 = kl_diags_at(l.diags, 1);
    const kl_diag *d2 = kl_diags_at(l.diags, 2);
    assert_string_equal(d0->path, "$.x['odd key']");
    assert_int_equal(d0->span.start, 18);
    assert_int_equal(d0->related[0].span.start, 6);
    assert_int_equal(d1->span.start, 30);
    assert_int_equal(d1->related[0].span.start, 6);
    assert_string_equal(d2->path, "$.a");
    assert_int_equal(d2->span.start, 49);
    assert_int_equal(d2->span.end, 57);
    assert_int_equal(d2->related[0].span.start, 43);
    unload(&l);

    /* Equal prefixes and empty keys are told apart correctly. */
    l = load_ok("{\"\":1,\"a\":2,\"ab\":3,\"a\\u0000\":4,\"b\":5}");
    unload(&l);
    l = load("{\"\":1,\"\":2}");
    assert_int_equal(kl_diags_count(l.diags), 1);
    assert_string_equal(kl_diags_at(l.diags, 0)->path, "$['']");
    unload(&l);
}

/* A 100,000-member object: the hash table finds the duplicates, in linear time. */
static void test_duplicate_keys_large_object(void **state)
{
    (void)state;
    enum { N = 100000 };
    size_t cap = (size_t)N * 16 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = 0;
    text[len++] = '{';
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s\"k%d\":%d", i ? "," : "", i, i);
    size_t dup_at = len + 1;
    len += (size_t)snprintf(text + len, cap - len, ",\"k777\":0,\"k99999\":1}");
    loaded l = load(text);
    assert_int_equal(kl_diags_count(l.diags), 2);
    const kl_diag *d = kl_diags_at(l.diags, 0);
    assert_string_equal(d->rule, KL_RULE_JSON_DUPLICATE_KEY);
    assert_string_equal(d->path, "$.k777");
    assert_int_equal(d->span.start, dup_at);
    /* The first "k777" sits after 777 members. */
    assert_memory_equal(text + d->related[0].span.start, "\"k777\":777", 10);
    assert_string_equal(kl_diags_at(l.diags, 1)->path, "$.k99999");
    assert_int_equal(kl_doc_root(l.doc)->len, N + 2);
    unload(&l);

    /* Without duplicates: no diagnostic. */
    text[dup_at - 1] = '}';
    text[dup_at] = '\0';
    l = load_ok(text);
    assert_int_equal(kl_doc_root(l.doc)->len, N);
    unload(&l);
    free(text);
}

/* 100,000 members with one key: every later one is reported, fast, on the right lines. */
static void test_duplicate_keys_all_same(void **state)
{
    (void)state;
    enum { N = 100000 };
    size_t cap = (size_t)N * 16 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = 0;
    text[len++] = '{';
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s\"a\":%d", i ? ",\n" : "", i);
    text[len++] = '}';
    text[len] = '\0';
    loaded l = load(text);
    assert_int_equal(kl_diags_count(l.diags), N - 1);
    const kl_diag *last = kl_diags_at(l.diags, N - 2);
    assert_string_equal(last->path, "$.a");
    assert_int_equal(last->related[0].span.start, 1);
    assert_int_equal(kl_source_pos(l.src, last->span.start).line, N);
    char want[128];
    snprintf(want, sizeof(want),
             "duplicate key \"a\" on line %d (first defined on line 1); most JSON parsers keep "
             "only the last value",
             N);
    assert_string_equal(last->message, want);
    unload(&l);
    free(text);
}

/* Lines in the message are lines of the file a record came from. */
static void test_duplicate_key_in_record(void **state)
{
    (void)state;
    const char *text = "{\"k\":1,\"k\":2}";
    kl_source src;
    kl_source_init_line(&src, "batch.jsonl", text, (uint32_t)strlen(text), 42);
    kl_diags *diags;
    kl_doc *doc;
    assert_int_equal(kl_diags_new(&diags), KL_OK);
    assert_int_equal(kl_json_load(&doc, &src, NULL, diags), KL_OK);
    assert_int_equal(kl_diags_count(diags), 1);
    assert_string_equal(kl_diags_at(diags, 0)->message,
                        "duplicate key \"k\" on line 42 (first defined on line 42); most JSON "
                        "parsers keep only the last value");
    kl_doc_free(doc);
    kl_diags_free(diags);
}

/* Keys are shown escaped, and cut when long. */
static void test_duplicate_key_display(void **state)
{
    (void)state;
    loaded l = load("{\"a\\\"b\\n\":1,\"a\\\"b\\n\":2}");
    assert_int_equal(kl_diags_count(l.diags), 1);
    assert_string_equal(kl_diags_at(l.diags, 0)->message,
                        "duplicate key \"a\\\"b\\n\" on line 1 (first defined on line 1); most "
                        "JSON parsers keep only the last value");
    assert_string_equal(kl_diags_at(l.diags, 0)->path, "$['a\"b\\n']");
    unload(&l);

    char text[300];
    char key[101];
    memset(key, 'x', 100);
    key[100] = '\0';
    snprintf(text, sizeof(text), "{\"%s\":1,\"%s\":2}", key, key);
    l = load(text);
    assert_int_equal(kl_diags_count(l.diags), 1);
    char want[300];
    snprintf(want, sizeof(want),
             "duplicate key \"%.60s...\" on line 1 (first defined on line 1); most JSON "
             "parsers keep only the last value",
             key);
    assert_string_equal(kl_diags_at(l.diags, 0)->message, want);
    unload(&l);
}

/* no_tree still reports duplicates (documented in json_parse.c), and has no root. */
static void test_no_tree(void **state)
{
    (void)state;
    kl_json_options opts = {0};
    opts.no_tree = true;
    const char *text = "{\"a\":[1,{\"b\":2,\"b\":3}],\"a\":0}";
    loaded l = load_opts(text, strlen(text), &opts);
    assert_null(kl_doc_root(l.doc));
    assert_int_equal(kl_diags_count(l.diags), 2);
    assert_string_equal(kl_diags_at(l.diags, 0)->path, "$.a[1].b");
    assert_string_equal(kl_diags_at(l.diags, 1)->path, "$.a");
    unload(&l);
}

/* ---- BOM ---- */

static void test_bom(void **state)
{
    (void)state;
    loaded l = load("\xef\xbb\xbf{\"a\":1}");
    assert_int_equal(kl_diags_count(l.diags), 1);
    const kl_diag *d = kl_diags_at(l.diags, 0);
    assert_string_equal(d->rule, KL_RULE_JSON_BOM);
    assert_int_equal(d->severity, KL_SEV_WARNING);
    assert_int_equal(d->span.start, 0);
    assert_int_equal(d->span.end, 3);
    assert_string_equal(d->path, "$");
    const kl_node *root = kl_doc_root(l.doc);
    assert_non_null(root);
    assert_int_equal(root->span.start, 3); /* spans stay byte offsets of the whole input */
    assert_int_equal(kl_node_getz(root, "a")->span.start, 8);
    unload(&l);

    /* A BOM and nothing else is empty input. */
    l = load("\xef\xbb\xbf");
    assert_int_equal(kl_diags_count(l.diags), 2);
    assert_string_equal(kl_diags_at(l.diags, 0)->rule, KL_RULE_JSON_BOM);
    d = kl_diags_at(l.diags, 1);
    assert_string_equal(d->message, "empty input: expected a JSON value");
    assert_int_equal(d->span.start, 3);
    assert_int_equal(d->span.end, 3);
    assert_null(kl_doc_root(l.doc));
    unload(&l);

    /* Part of a BOM is just invalid UTF-8. */
    l = load("\xef\xbb[]");
    assert_int_equal(kl_diags_count(l.diags), 1);
    assert_string_equal(kl_diags_at(l.diags, 0)->message,
                        "expected a JSON value, found byte 0xef (invalid UTF-8)");
    unload(&l);
}

/* ---- Reuse ---- */

static void test_doc_reuse(void **state)
{
    (void)state;
    kl_doc *doc;
    kl_diags *diags;
    assert_int_equal(kl_doc_new(&doc, NULL), KL_OK);
    assert_int_equal(kl_diags_new(&diags), KL_OK);
    kl_source a, b, c;
    const char *ta = "{\"first\":[1,2,3]}";
    const char *tb = "[1,";
    const char *tc = "{\"third\":\"ok\"}";
    kl_source_init_line(&a, "a", ta, (uint32_t)strlen(ta), 1);
    kl_source_init_line(&b, "b", tb, (uint32_t)strlen(tb), 2);
    kl_source_init_line(&c, "c", tc, (uint32_t)strlen(tc), 3);

    assert_int_equal(kl_doc_parse(doc, &a, diags), KL_OK);
    assert_non_null(kl_node_getz(kl_doc_root(doc), "first"));
    assert_ptr_equal(kl_doc_source(doc), &a);

    assert_int_equal(kl_doc_parse(doc, &b, diags), KL_OK);
    assert_null(kl_doc_root(doc));
    assert_int_equal(kl_diags_count(diags), 1);
    /* A record's positions are lines of its file. */
    assert_int_equal(kl_source_pos(&b, kl_diags_at(diags, 0)->span.start).line, 2);
    kl_diags_clear(diags);

    assert_int_equal(kl_doc_parse(doc, &c, diags), KL_OK);
    assert_true(kl_node_is_string(kl_node_getz(kl_doc_root(doc), "third"), "ok"));
    assert_null(kl_node_getz(kl_doc_root(doc), "first"));
    assert_int_equal(kl_diags_count(diags), 0);

    kl_diags_free(diags);
    kl_doc_free(doc);
}

/* A NULL diagnostics list is allowed: the verdict is still in the root. */
static void test_null_diags(void **state)
{
    (void)state;
    kl_source src;
    kl_source_init_line(&src, "x", "[1,]", 4, 1);
    kl_doc *doc;
    assert_int_equal(kl_json_load(&doc, &src, NULL, NULL), KL_OK);
    assert_null(kl_doc_root(doc));
    kl_source_init_line(&src, "x", "{\"a\":1,\"a\":2}", 13, 1);
    assert_int_equal(kl_doc_parse(doc, &src, NULL), KL_OK);
    assert_non_null(kl_doc_root(doc));
    kl_doc_free(doc);
}

/* ---- Fast paths ---- */

/* The first byte of p[0..n) that is not plain string content, one byte at a time. */
static size_t slow_plain_len(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
        i++;
    return i;
}

/* Every version of kl_json_skip_plain agrees with the byte-by-byte definition, for a stop
 * byte of each kind at every position and alignment, and for runs without one. */
static void test_skip_plain_versions(void **state)
{
    (void)state;
    static const unsigned char stops[] = {'"', '\\', 0x00, 0x1f, 0x80, 0xc3, 0xff, 0};
    unsigned char buf[96];
    for (size_t k = 0; k < sizeof(stops); k++) {
        for (size_t start = 0; start < 16; start++) {
            for (size_t len = 0; start + len <= sizeof(buf); len += 1 + len / 8) {
                for (size_t at = 0; at <= len; at++) {
                    for (size_t i = 0; i < sizeof(buf); i++)
                        buf[i] = (unsigned char)(0x20 + (i * 7 + 0x5f) % 0x60); /* plain */
                    for (size_t i = 0; i < sizeof(buf); i++)
                        if (buf[i] == '"' || buf[i] == '\\')
                            buf[i] = 'x';
                    bool none = k == sizeof(stops) - 1; /* the last round: no stop byte */
                    if (!none && at < len)
                        buf[start + at] = stops[k];
                    const unsigned char *p = buf + start, *end = p + len;
                    size_t want = slow_plain_len(p, len);
                    assert_int_equal(kl_json_skip_plain(p, end) - p, want);
                    assert_int_equal(kl_json_skip_plain_swar(p, end) - p, want);
#ifdef KL_JSON_PLAIN_SSE2
                    assert_int_equal(kl_json_skip_plain_sse2(p, end) - p, want);
#endif
                }
            }
        }
    }
}

/* Strings with long runs of non-ASCII text, at every alignment: decoded as they are. */
static void test_non_ascii_runs(void **state)
{
    (void)state;
    char buf[256];
    for (size_t pad = 0; pad < 20; pad++) {
        size_t n = 0;
        buf[n++] = '"';
        for (size_t i = 0; i < pad; i++)
            buf[n++] = 'a';
        for (size_t i = 0; i < 12; i++) {
            memcpy(buf + n, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", 9);
            n += 9;
        }
        buf[n++] = '"';
        buf[n] = '\0';
        loaded l = load_ok(buf);
        const kl_node *s = kl_doc_root(l.doc);
        assert_int_equal(s->len, n - 2);
        assert_memory_equal(s->u.str, buf + 1, n - 2);
        assert_int_equal(kl_node_strlen_chars(s), pad + 36);
        unload(&l);
    }
}

/* A small deterministic generator (xorshift). */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* A random JSON number of 1 to 17 digits, maybe negative, maybe with a point anywhere. */
static void random_decimal(uint32_t *rnd, char *out)
{
    size_t n = 0;
    uint32_t r = next_random(rnd);
    if (r & 1)
        out[n++] = '-';
    size_t digits = 1 + (r >> 1) % 17;
    size_t point = (r >> 8) % (digits + 1); /* before digit `point`; 0: no point */
    for (size_t i = 0; i < digits; i++) {
        if (i == point && i > 0)
            out[n++] = '.';
        uint32_t d = next_random(rnd) % 10;
        if (i == 0 && d == 0 && digits > 1 && point != 1)
            d = 1; /* no leading zero */
        out[n++] = (char)('0' + d);
    }
    out[n] = '\0';
}

/* kl_node_double gives the very double strtod gives, bit for bit, for short decimals (read
 * without strtod) as for the rest: both sides of the 15-digit limit. */
static void test_double_matches_strtod(void **state)
{
    (void)state;
    static const char *const fixed[] = {
        "0",
        "-0",
        "0.0",
        "-0.0",
        "1",
        "0.1",
        "0.3",
        "-0.7",
        "2.675",
        "0.1234567890123",
        "123456789012345",
        "999999999999999",
        "1234567890123456",
        "9007199254740993",
        "0.000000000000001",
        "0.0000000000000001",
        "1e5",
        "-2.5E-3",
        "12345.678901234",
    };
    enum { N_FIXED = sizeof(fixed) / sizeof(fixed[0]) };
    uint32_t rnd = 88172645u;
    char text[40];
    for (size_t round = 0; round < N_FIXED + 20000; round++) {
        if (round < N_FIXED)
            strcpy(text, fixed[round]);
        else
            random_decimal(&rnd, text);
        loaded l = load_ok(text);
        double got = 1, want = strtod(text, NULL);
        assert_true(kl_node_double(kl_doc_root(l.doc), &got));
        if (memcmp(&got, &want, sizeof(got)) != 0)
            fail_msg("%s: %.17g, strtod gives %.17g", text, got, want);
        unload(&l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_syntax_errors_no_tree),
        cmocka_unit_test(test_depth_100000_brackets),
        cmocka_unit_test(test_depth_limit_exact),
        cmocka_unit_test(test_tree_and_spans),
        cmocka_unit_test(test_parents_deep),
        cmocka_unit_test(test_scalar_roots_and_whitespace),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_null_safe_accessors),
        cmocka_unit_test(test_number_lexemes),
        cmocka_unit_test(test_int64),
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_string_decoding),
        cmocka_unit_test(test_string_source_offsets),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_duplicate_keys_nested_and_repeated),
        cmocka_unit_test(test_duplicate_keys_large_object),
        cmocka_unit_test(test_duplicate_keys_all_same),
        cmocka_unit_test(test_duplicate_key_in_record),
        cmocka_unit_test(test_duplicate_key_display),
        cmocka_unit_test(test_no_tree),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_doc_reuse),
        cmocka_unit_test(test_null_diags),
        cmocka_unit_test(test_skip_plain_versions),
        cmocka_unit_test(test_non_ascii_runs),
        cmocka_unit_test(test_double_matches_strtod),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
