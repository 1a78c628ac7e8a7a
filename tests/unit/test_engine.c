/*
 * The rule engine, driven by small rule files written here (not the
 * built-in ones, which the fixtures cover): conditions (sent vs in
 * effect), every check primitive, JSON inside strings, profile selection,
 * unknown-key hints, fixes, overlays, and bad rule files reported with
 * positions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "klint.h"
#include "rules.h"

/* ---- Harness ------------------------------------------------------------ */

static const char *const ids =
    "\"rule_ids\": ["
    "{\"id\": \"type\", \"summary\": \"t\"}, {\"id\": \"enum\", \"summary\": \"t\"},"
    "{\"id\": \"range\", \"summary\": \"t\"}, {\"id\": \"length\", \"summary\": \"t\"},"
    "{\"id\": \"item-count\", \"summary\": \"t\"}, {\"id\": \"required\", \"summary\": \"t\"},"
    "{\"id\": \"uri-scheme\", \"summary\": \"t\"}, {\"id\": \"media-type\", \"summary\": \"t\"},"
    "{\"id\": \"data-uri-size\", \"summary\": \"t\"},"
    "{\"id\": \"image-dimensions\", \"summary\": \"t\"}, {\"id\": \"x\", \"summary\": \"t\"},"
    "{\"id\": \"y\", \"summary\": \"t\"}, {\"id\": \"z\", \"summary\": \"t\"}]";

/* A ruleset from rule-file texts (the first gets the rule ids). */
static kl_ruleset *rules_v(int *rc, const char *first, va_list ap)
{
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_new(&rs), KL_OK);
    char name[32];
    int i = 0;
    for (const char *text = first; text != NULL; text = va_arg(ap, const char *), i++) {
        char *full = malloc(strlen(text) + strlen(ids) + 64);
        if (i == 0)
            sprintf(full, "{\"klint_rules\": 1, %s, %s}", ids, text);
        else
            sprintf(full, "{\"klint_rules\": 1, %s}", text);
        snprintf(name, sizeof(name), "r%d.json", i);
        assert_int_equal(kl_ruleset_add_memory(rs, name, full, strlen(full)), KL_OK);
        free(full);
    }
    *rc = kl_ruleset_finish(rs, NULL, NULL);
    return rs;
}

static kl_ruleset *rules(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    int rc;
    kl_ruleset *rs = rules_v(&rc, first, ap);
    va_end(ap);
    assert_int_equal(rc, KL_OK);
    return rs;
}

typedef struct run {
    kl_source *src;
    kl_diags *diags;
} run;

static run lint(const kl_ruleset *rs, const char *profile, const char *json)
{
    run r;
    kl_lint_options o = {0};
    o.rules = rs;
    o.profile = profile;
    kl_linter *l;
    assert_int_equal(kl_linter_new(&l, &o), KL_OK);
    assert_int_equal(kl_source_from_memory(&r.src, "t.json", json, strlen(json)), KL_OK);
    assert_int_equal(kl_diags_new(&r.diags), KL_OK);
    assert_int_equal(kl_linter_lint(l, r.src, r.diags), KL_OK);
    kl_linter_free(l);
    return r;
}

static void done(run *r)
{
    kl_diags_free(r->diags);
    kl_source_free(r->src);
}

/* The finding with this rule and path, or NULL. */
static const kl_diag *find(const run *r, const char *rule, const char *path)
{
    for (size_t i = 0; i < kl_diags_count(r->diags); i++) {
        const kl_diag *d = kl_diags_at(r->diags, i);
        if (strcmp(d->rule, rule) == 0 && strcmp(d->path, path) == 0)
            return d;
    }
    return NULL;
}

static void print_all(const run *r)
{
    for (size_t i = 0; i < kl_diags_count(r->diags); i++) {
        const kl_diag *d = kl_diags_at(r->diags, i);
        print_message("  [%s] %s: %s\n", d->rule, d->path, d->message);
    }
}

static const kl_diag *must(const run *r, const char *rule, const char *path)
{
    const kl_diag *d = find(r, rule, path);
    if (d == NULL) {
        print_message("no %s at %s; found:\n", rule, path);
        print_all(r);
    }
    assert_non_null(d);
    return d;
}

static void count_is(const run *r, size_t n)
{
    if (kl_diags_count(r->diags) != n)
        print_all(r);
    assert_int_equal(kl_diags_count(r->diags), n);
}

/* The source text a span covers. */
static char *text_of(const run *r, kl_span s)
{
    static char buf[256];
    size_t n = s.end - s.start;
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    memcpy(buf, r->src->data + s.start, n);
    buf[n] = '\0';
    return buf;
}

/* A small profile: `p:one`, identified by "kind": "one". */
#define PROFILE_ONE                                                                            \
    "\"profile\": {\"id\": \"p:one\", \"provider\": \"Prov\", \"model\": \"one\","             \
    "\"detect\": {\"identify\": {\"eq\": [\"kind\", \"one\"]}},"                               \
    "\"fields\": ["                                                                            \
    "{\"path\": \"kind\", \"type\": \"string\"},"                                              \
    "{\"path\": \"body\", \"type\": \"object\"},"                                              \
    "{\"path\": \"body.secs\", \"type\": \"integer\", \"concept\": \"duration\", \"default\": 5," \
    " \"min\": 3, \"max\": 15, \"doc\": \"T-1\"},"                                             \
    "{\"path\": \"body.video\", \"type\": \"string\", \"concept\": \"video\"},"                 \
    "{\"path\": \"body.audio\", \"type\": \"boolean\", \"concept\": \"audio\", \"default\": true},"\
    "{\"path\": \"body.ratio\", \"type\": \"string\", \"concept\": \"ratio\","                 \
    " \"default_when\": [{\"when\": {\"present\": \"body.video\"}, \"value\": \"auto\"}],"      \
    " \"default\": \"16:9\", \"enum\": [\"16:9\", \"auto\"], \"doc\": \"T-2\"},"                \
    "{\"path\": \"body.items\", \"type\": \"array\"},"                                         \
    "{\"path\": \"body.items[*]\", \"type\": \"object\"},"                                     \
    "{\"path\": \"body.items[*].role\", \"type\": \"string\"},"                                \
    "{\"path\": \"body.items[*].url\", \"type\": \"string\"},"                                 \
    "{\"path\": \"body.shots\", \"type\": \"json-string\"},"                                   \
    "{\"path\": \"body.shots[*]\", \"type\": \"object\"},"                                     \
    "{\"path\": \"body.shots[*].secs\", \"type\": \"integer\", \"min\": 1, \"doc\": \"T-3\"}"   \
    "]"

/* ---- Conditions: sent vs in effect ----------------------------------------- */

static void test_default_counts_as_in_effect(void **state)
{
    (void)state;
    /* audio defaults to true: with a video, the default itself is the violation. */
    kl_ruleset *rs = rules(PROFILE_ONE ", \"rows\": ["
                                       "{\"id\": \"x\", \"doc\": \"T-4\", \"severity\": \"error\","
                                       " \"when\": {\"present\": \"body.video\"},"
                                       " \"check\": \"enum\", \"at\": \"body.audio\", \"values\": [false],"
                                       " \"related\": [\"body.video\"], \"fix\": {\"set\": false}}]}",
                           NULL);
    run r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"video\": \"v\"}}");
    const kl_diag *d = must(&r, "x", "$.body.audio");
    /* Reported at the object that should hold it (its key), related at the video. */
    assert_string_equal(text_of(&r, d->span), "\"body\"");
    assert_int_equal(d->n_related, 1);
    assert_string_equal(text_of(&r, d->related[0].span), "\"v\"");
    assert_non_null(strstr(d->message, "true (the default)"));
    /* The fix inserts the member. */
    assert_int_equal(d->n_fixes, 1);
    assert_int_equal(d->fixes[0].n_edits, 1);
    assert_string_equal(d->fixes[0].edits[0].text, ", \"audio\": false");
    assert_int_equal(d->fixes[0].edits[0].span.start, strstr(r.src->data, "\"v\"") - r.src->data + 3);
    done(&r);

    r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"video\": \"v\", \"audio\": false}}");
    count_is(&r, 0);
    done(&r);
    r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {}}");
    count_is(&r, 0);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_default_when_depends_on_other_field(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(PROFILE_ONE ", \"rows\": ["
                                       "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"warning\","
                                       " \"when\": {\"eq\": [\"body.ratio\", \"auto\"]},"
                                       " \"check\": \"assert\", \"that\": false}]}",
                           NULL);
    run r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"video\": \"v\"}}");
    must(&r, "x", "$"); /* ratio is "auto" because a video is present */
    done(&r);
    r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {}}");
    count_is(&r, 0); /* ... and "16:9" otherwise */
    done(&r);
    r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"video\": \"v\", \"ratio\": \"16:9\"}}");
    count_is(&r, 0); /* a sent value beats the default */
    done(&r);
    kl_ruleset_free(rs);
}

static void test_present_is_not_in_effect(void **state)
{
    (void)state;
    /* An info about an ignored field fires only when it was sent, default or not. */
    kl_ruleset *rs = rules(PROFILE_ONE ", \"rows\": ["
                                       "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"info\","
                                       " \"when\": {\"absent\": \"body.video\"},"
                                       " \"check\": \"forbidden\", \"at\": \"body.audio\"},"
                                       "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"info\","
                                       " \"when\": {\"ne\": [{\"sent\": \"body.secs\"}, 5]},"
                                       " \"check\": \"assert\", \"that\": false}]}",
                           NULL);
    run r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {}}");
    count_is(&r, 0); /* audio not sent; secs not sent: `ne` with an unknown side is false */
    done(&r);
    r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"audio\": true, \"secs\": 6}}");
    const kl_diag *d = must(&r, "x", "$.body.audio");
    assert_int_equal(d->severity, KL_SEV_INFO);
    assert_string_equal(text_of(&r, d->span), "\"audio\""); /* the key */
    must(&r, "y", "$");
    done(&r);
    kl_ruleset_free(rs);
}

static void test_any_all_count_with_item_in_scope(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(
        PROFILE_ONE ", \"rows\": ["
                    "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
                    " \"when\": {\"any\": \"body.items\", \"where\": {\"eq\": [\"@.role\", \"end\"]}},"
                    " \"check\": \"count\", \"at\": \"body.items\", \"where\": {\"eq\": [\"@.role\", \"first\"]},"
                    " \"min\": 1, \"message\": \"{count} first items\"},"
                    "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\","
                    " \"when\": {\"not\": {\"all\": \"body.items\", \"where\": {\"present\": \"@.url\"}}},"
                    " \"check\": \"assert\", \"that\": false},"
                    "{\"id\": \"z\", \"doc\": \"T\", \"severity\": \"warning\","
                    " \"when\": {\"in\": [\"@.role\", [\"end\"]]},"
                    " \"check\": \"required\", \"at\": \"body.items[*].url\"}]}",
        NULL);
    run r = lint(rs, NULL,
                 "{\"kind\": \"one\", \"body\": {\"items\": [{\"role\": \"end\", \"url\": \"u\"}]}}");
    const kl_diag *d = must(&r, "x", "$.body.items");
    assert_string_equal(d->message, "0 first items");
    count_is(&r, 1);
    done(&r);
    r = lint(rs, NULL,
             "{\"kind\": \"one\", \"body\": {\"items\": [{\"role\": \"first\", \"url\": \"u\"},"
             " {\"role\": \"end\"}]}}");
    must(&r, "y", "$");
    d = must(&r, "z", "$.body.items[1].url");
    assert_string_equal(text_of(&r, d->span), "{"); /* the item has no key: its first byte */
    count_is(&r, 2);
    done(&r);
    kl_ruleset_free(rs);
}

/* ---- Checks ---------------------------------------------------------------- */

static void test_field_attributes(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(PROFILE_ONE "}", NULL);
    run r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"secs\": 16, \"ratio\": \"4:3\"}}");
    const kl_diag *d = must(&r, "range", "$.body.secs");
    assert_string_equal(d->message, "secs 16 is out of range: 3\xe2\x80\x93" "15 allowed");
    assert_string_equal(text_of(&r, d->span), "16");
    d = must(&r, "enum", "$.body.ratio");
    assert_string_equal(d->message, "ratio \"4:3\" is not allowed: \"16:9\", \"auto\"");
    count_is(&r, 2);
    done(&r);
    r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"secs\": 5.0}}");
    d = must(&r, "type", "$.body.secs");
    assert_string_equal(d->message,
                        "secs 5.0 is a number written with a fraction or exponent: expected an "
                        "integer");
    done(&r);
    kl_ruleset_free(rs);
}

static void test_enum_case_and_suggest(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(
        "\"profile\": {\"id\": \"p:e\", \"provider\": \"P\", \"model\": \"e\","
        "\"detect\": {\"shape\": true}, \"fields\": ["
        "{\"path\": \"res\", \"type\": \"string\", \"doc\": \"T\","
        " \"enum\": {\"value\": [\"720p\", \"4k\"], \"case_mismatch\": \"warning\","
        "  \"suggest\": {\"uhd\": \"4k\"}}}]}",
        NULL);
    run r = lint(rs, NULL, "{\"res\": \"4K\"}");
    const kl_diag *d = must(&r, "enum", "$.res");
    assert_int_equal(d->severity, KL_SEV_WARNING);
    assert_int_equal(d->n_fixes, 1);
    assert_string_equal(d->fixes[0].edits[0].text, "\"4k\"");
    done(&r);
    r = lint(rs, NULL, "{\"res\": \"uhd\"}");
    d = must(&r, "enum", "$.res");
    assert_int_equal(d->severity, KL_SEV_ERROR);
    assert_non_null(strstr(d->message, "did you mean \"4k\"?"));
    done(&r);
    r = lint(rs, NULL, "{\"res\": \"1080p\"}");
    d = must(&r, "enum", "$.res");
    assert_int_equal(d->n_fixes, 0);
    done(&r);
    kl_ruleset_free(rs);
}

#define PROFILE_FLAT(rows)                                                                    \
    "\"profile\": {\"id\": \"p:f\", \"provider\": \"P\", \"model\": \"f\","                    \
    "\"detect\": {\"shape\": true}, \"fields\": ["                                             \
    "{\"path\": \"a\", \"type\": \"string\"}, {\"path\": \"b\", \"type\": \"string\"},"        \
    "{\"path\": \"n\", \"type\": [\"integer\", \"numeric-string\"]},"                          \
    "{\"path\": \"list\", \"type\": \"array\"}, {\"path\": \"list[*]\", \"type\": \"object\"}," \
    "{\"path\": \"list[*].d\", \"type\": \"numeric-string\"},"                                 \
    "{\"path\": \"imgs\", \"type\": \"array\"}, {\"path\": \"imgs[*]\", \"type\": \"string\"}," \
    "{\"path\": \"els\", \"type\": \"array\"}, {\"path\": \"els[*]\", \"type\": \"object\"},"   \
    "{\"path\": \"idx\", \"type\": \"integer\"}], \"rows\": [" rows "]}"

static void test_one_of_requires_excludes(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(PROFILE_FLAT(
                               "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
                               " \"check\": \"exactly-one-of\", \"paths\": [\"a\", \"list\"]},"
                               "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\","
                               " \"check\": \"requires\", \"at\": \"b\", \"needs\": \"a\"},"
                               "{\"id\": \"z\", \"doc\": \"T\", \"severity\": \"error\","
                               " \"check\": \"excludes\", \"at\": \"n\", \"with\": [\"list\"]}"),
                           NULL);
    run r = lint(rs, NULL, "{\"a\": \"p\", \"b\": \"q\"}");
    count_is(&r, 0);
    done(&r);
    /* An empty list is present (sent, not null, not ""): two of them. */
    r = lint(rs, NULL, "{\"a\": \"p\", \"list\": []}");
    assert_string_equal(must(&r, "x", "$.list")->message,
                        "exactly one of `a`, `list` is allowed: 2 sent");
    done(&r);
    r = lint(rs, NULL, "{\"a\": \"p\", \"list\": [{\"d\": \"3\"}], \"n\": 1}");
    const kl_diag *d = must(&r, "x", "$.list");
    assert_string_equal(text_of(&r, d->span), "\"list\"");
    assert_int_equal(d->n_related, 1);
    d = must(&r, "z", "$.n");
    count_is(&r, 2);
    done(&r);
    r = lint(rs, NULL, "{\"b\": \"q\"}");
    must(&r, "x", "$.a"); /* neither: reported where the first belongs */
    d = must(&r, "y", "$.a");
    assert_int_equal(d->n_related, 1);
    assert_string_equal(text_of(&r, d->related[0].span), "\"q\"");
    count_is(&r, 2);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_count_across_and_sum(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(PROFILE_FLAT(
                               "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
                               " \"check\": \"count\", \"paths\": [\"imgs\", \"els\"], \"max\": 3},"
                               "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\","
                               " \"check\": \"sum\", \"at\": \"list[*].d\", \"min\": 3, \"max\": 15},"
                               "{\"id\": \"z\", \"doc\": \"T\", \"severity\": \"error\","
                               " \"check\": \"sum\", \"at\": \"list[*].d\", \"equals\": {\"path\": \"n\"}}"),
                           NULL);
    run r = lint(rs, NULL,
                 "{\"imgs\": [\"1\", \"2\"], \"els\": [{}, {}], \"n\": \"16\","
                 " \"list\": [{\"d\": \"8\"}, {\"d\": \"8\"}]}");
    const kl_diag *d = must(&r, "x", "$.imgs");
    assert_int_equal(d->n_related, 1); /* the other array */
    d = must(&r, "y", "$.list");
    assert_non_null(strstr(d->message, "16"));
    count_is(&r, 2); /* 8 + 8 = 16 = n (a numeric string) */
    done(&r);
    r = lint(rs, NULL,
             "{\"imgs\": [\"1\"], \"els\": [{}, {}], \"n\": 5, \"list\": [{\"d\": \"2\"}, {\"d\": \"2\"}]}");
    must(&r, "z", "$.list");
    count_is(&r, 1);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_index_and_references(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(
        PROFILE_FLAT("{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
                     " \"check\": \"index-within\", \"at\": \"idx\", \"list\": \"imgs\"},"
                     "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"warning\","
                     " \"check\": \"references\", \"at\": \"a\", \"tokens\": ["
                     "  {\"pattern\": \"@Image{N}\", \"list\": \"imgs\"},"
                     "  {\"pattern\": \"@element_{N}\", \"list\": [\"els\"]},"
                     "  {\"pattern\": \"<<<voice_{N}>>>\", \"list\": null}]}"),
        NULL);
    run r = lint(rs, NULL,
                 "{\"imgs\": [\"u1\", \"u2\"], \"idx\": 3,"
                 " \"a\": \"\\u00e9 @Image2 and @Image3, @element_1 <<<voice_1>>> @Image12\"}");
    must(&r, "x", "$.idx");
    size_t tokens = 0;
    /* In the order of the token table, then of the text. */
    const char *want[] = {"@Image3", "@Image12", "@element_1", "<<<voice_1>>>"};
    for (size_t i = 0; i < kl_diags_count(r.diags); i++) {
        const kl_diag *d = kl_diags_at(r.diags, i);
        if (strcmp(d->rule, "y") != 0)
            continue;
        /* Each points at the token's own characters, after an escape. */
        assert_string_equal(text_of(&r, d->span), want[tokens]);
        tokens++;
    }
    assert_int_equal(tokens, 4);
    done(&r);
    r = lint(rs, NULL, "{\"imgs\": [\"u1\", \"u2\"], \"idx\": 2, \"a\": \"@Image1 @Image2\"}");
    count_is(&r, 0);
    done(&r);
    kl_ruleset_free(rs);
}

/* ---- JSON inside strings -------------------------------------------------------- */

static void test_json_in_string_paths_and_spans(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(PROFILE_ONE "}", NULL);
    /* An escaped quote and a \u escape before the bad value. */
    run r = lint(rs, NULL,
                 "{\"kind\": \"one\", \"body\": {\"shots\": "
                 "\"[{\\\"secs\\\": 2, \\\"n\\\": \\\"\\\\\\\"\\u00e9\\\"}, {\\\"secs\\\": 0}]\"}}");
    const kl_diag *d = must(&r, "range", "$.body.shots[1].secs");
    assert_string_equal(text_of(&r, d->span), "0");
    done(&r);
    r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"shots\": \"[{\\\"secs\\\": 2},\"}}");
    d = must(&r, "type", "$.body.shots");
    assert_non_null(strstr(d->message, "does not hold valid JSON"));
    /* At the end of the text inside the string: the closing quote. */
    assert_string_equal(text_of(&r, d->span), "\"");
    done(&r);
    kl_ruleset_free(rs);
}

/* ---- Selection ------------------------------------------------------------------- */

static void test_profile_selection(void **state)
{
    (void)state;
    const char *two = "\"profile\": {\"id\": \"p:two\", \"provider\": \"Q\", \"model\": \"two\","
                      "\"detect\": {\"identify\": {\"eq\": [\"kind\", \"two\"]},"
                      " \"shape\": {\"keys_in\": [\"$\", [\"body\"]]}},"
                      "\"fields\": [{\"path\": \"kind\", \"type\": \"string\"},"
                      "{\"path\": \"body\", \"type\": \"object\"},"
                      "{\"path\": \"body.length\", \"type\": \"integer\", \"concept\": \"duration\"}]}";
    const char *twin = "\"profile\": {\"id\": \"p:twin\", \"provider\": \"Q\", \"model\": \"twin\","
                       "\"detect\": {\"identify\": {\"eq\": [\"kind\", \"two\"]}},"
                       "\"fields\": [{\"path\": \"kind\", \"type\": \"string\"}]}";
    kl_ruleset *rs = rules(PROFILE_ONE "}", two, NULL);
    run r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {}}");
    count_is(&r, 0);
    done(&r);
    r = lint(rs, NULL, "{\"body\": {\"length\": 1.5}}"); /* shape: p:two */
    const kl_diag *d = must(&r, "type", "$.body.length");
    assert_string_equal(d->profile, "p:two");
    done(&r);
    r = lint(rs, NULL, "{\"kind\": \"three\", \"body\": {\"secs\": 4}, \"x\": 1}");
    d = must(&r, "profile-unknown", "$");
    assert_non_null(strstr(d->message, "`kind` \"three\""));
    assert_non_null(strstr(d->message, "closest is `p:one`"));
    done(&r);
    /* Forced: every document is checked against it. */
    r = lint(rs, "p:two", "{\"kind\": \"one\", \"body\": {\"secs\": 4}}");
    d = must(&r, "unknown-field", "$.body.secs");
    /* The other profile spells the concept `secs`; this one says how it spells it. */
    assert_non_null(strstr(d->message, "Q spells this `length`"));
    assert_string_equal(d->fixes[0].edits[0].text, "\"length\"");
    done(&r);
    kl_ruleset_free(rs);

    rs = rules(PROFILE_ONE "}", two, twin, NULL);
    r = lint(rs, NULL, "{\"kind\": \"two\"}");
    d = must(&r, "profile-ambiguous", "$");
    assert_non_null(strstr(d->message, "`p:two`, `p:twin`"));
    done(&r);
    kl_ruleset_free(rs);
}

static void test_unknown_key_hints(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(
        "\"profile\": {\"id\": \"p:u\", \"provider\": \"P\", \"model\": \"u\","
        "\"detect\": {\"shape\": true},"
        "\"fields\": [{\"path\": \"$\", \"unknown\": {\"severity\": \"error\", \"doc\": \"T\"}},"
        "{\"path\": \"input\", \"type\": \"object\"},"
        "{\"path\": \"input.prompt\", \"type\": \"string\"},"
        "{\"path\": \"input.duration\", \"type\": \"integer\"}],"
        "\"aliases\": [{\"at\": \"input\", \"name\": \"count\", \"hint\": \"`count` is legacy\","
        " \"severity\": \"info\"}]}",
        NULL);
    run r = lint(rs, NULL,
                 "{\"input\": {\"durtion\": 5, \"count\": 2, \"zzz\": 0}, \"prompt\": \"p\"}");
    const kl_diag *d = must(&r, "unknown-field", "$.prompt");
    assert_int_equal(d->severity, KL_SEV_ERROR);
    assert_string_equal(d->message, "unknown field `prompt`; move it into `input`");
    assert_int_equal(d->fixes[0].n_edits, 2);
    d = must(&r, "unknown-field", "$.input.durtion");
    assert_int_equal(d->severity, KL_SEV_WARNING);
    assert_string_equal(d->message, "unknown field `durtion`; did you mean `duration`?");
    d = must(&r, "unknown-field", "$.input.count");
    assert_int_equal(d->severity, KL_SEV_INFO);
    assert_int_equal(d->n_fixes, 0);
    d = must(&r, "unknown-field", "$.input.zzz");
    assert_string_equal(d->message, "unknown field `zzz`");
    count_is(&r, 4);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_misplaced_member_is_checked_where_it_belongs(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(
        "\"profile\": {\"id\": \"p:m\", \"provider\": \"P\", \"model\": \"m\","
        "\"detect\": {\"shape\": true},"
        "\"fields\": [{\"path\": \"$\", \"unknown\": {\"severity\": \"error\", \"doc\": \"T\"}},"
        "{\"path\": \"input\", \"type\": \"object\"},"
        "{\"path\": \"input.video\", \"type\": \"string\"},"
        "{\"path\": \"input.secs\", \"type\": \"integer\", \"default\": 5, \"min\": 3,"
        " \"max\": 15, \"doc\": \"T\"},"
        "{\"path\": \"input.mode\", \"type\": \"string\", \"doc\": \"T\","
        " \"enum\": {\"value\": [\"std\", \"pro\"], \"suggest\": {\"standard\": \"std\"}}},"
        "{\"path\": \"input.extra\", \"type\": \"integer\"},"
        "{\"path\": \"input.items\", \"type\": \"array\", \"max_items\": 2, \"doc\": \"T\"},"
        "{\"path\": \"input.items[*]\", \"type\": \"object\"},"
        "{\"path\": \"input.items[*].role\", \"type\": \"string\"},"
        "{\"path\": \"input.items[*].url\", \"type\": \"string\", \"schemes\": [\"https\"],"
        " \"severity\": \"warning\", \"doc\": \"T\"}],"
        "\"rows\": ["
        /* Cross-field: reads input.video too, so it says nothing about a misplaced secs. */
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
        " \"when\": {\"present\": \"input.video\"}, \"check\": \"range\", \"at\": \"input.secs\","
        " \"max\": 10},"
        /* Reads only inside one item: it runs on the items of a misplaced list. */
        "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\", \"check\": \"requires\","
        " \"at\": \"input.items[*].role\", \"needs\": \"@.url\"},"
        /* Its message names another field: not within input.secs either. */
        "{\"id\": \"z\", \"doc\": \"T\", \"severity\": \"info\", \"check\": \"forbidden\","
        " \"at\": \"input.secs\", \"message\": \"{value:input.mode}\"}]}",
        NULL);
    const char *doc = "{\"input\": {\"video\": \"v\"}, \"secs\": 12, \"mode\": \"standard\","
                      " \"items\": [{\"role\": \"a\"}, {\"url\": \"ftp://x\"}, {}],"
                      " \"extra\": null, \"zzz\": 1}";
    run r = lint(rs, NULL, doc);
    const char *unknown[] = {"$.secs", "$.mode", "$.items", "$.extra", "$.zzz"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        must(&r, "unknown-field", unknown[i]);
    /* The field's own checks, at the real place, saying where it is checked as. */
    const kl_diag *d = must(&r, "enum", "$.mode");
    assert_int_equal(d->severity, KL_SEV_ERROR);
    assert_string_equal(d->message, "mode \"standard\" is not allowed: \"std\", \"pro\"; did you "
                                    "mean \"std\"? (checked as `$.input.mode` would be)");
    assert_string_equal(text_of(&r, d->span), "\"standard\"");
    assert_int_equal(d->n_fixes, 1);
    assert_string_equal(d->fixes[0].edits[0].text, "\"std\"");
    d = must(&r, "item-count", "$.items");
    assert_non_null(strstr(d->message, "(checked as `$.input.items` would be)"));
    d = must(&r, "uri-scheme", "$.items[1].url");
    assert_int_equal(d->severity, KL_SEV_WARNING);
    assert_non_null(strstr(d->message, "(checked as `$.input.items[1].url` would be)"));
    d = must(&r, "y", "$.items[0].url"); /* reported where the missing one belongs */
    assert_non_null(strstr(d->message, "(checked as `$.input.items[0].url` would be)"));
    /* secs 12 is an integer within 3-15: nothing of its own. Rows x and z read other fields
     * (the video, the mode) and do not run on it; null (extra) is not sent; zzz belongs
     * nowhere. The real input.secs (absent, default 5) passes x. */
    count_is(&r, 9);
    done(&r);

    /* The same values where they belong: the same checks, plus the cross-field rows. */
    r = lint(rs, NULL,
             "{\"input\": {\"video\": \"v\", \"secs\": 12, \"mode\": \"standard\","
             " \"items\": [{\"role\": \"a\"}, {\"url\": \"ftp://x\"}, {}]}}");
    must(&r, "enum", "$.input.mode");
    must(&r, "item-count", "$.input.items");
    must(&r, "uri-scheme", "$.input.items[1].url");
    must(&r, "y", "$.input.items[0].url");
    must(&r, "x", "$.input.secs");
    must(&r, "z", "$.input.secs");
    assert_null(strstr(kl_diags_at(r.diags, 0)->message, "checked as"));
    count_is(&r, 6);
    done(&r);

    /* Without an `input` at all the values are checked all the same. */
    r = lint(rs, NULL, "{\"secs\": \"12\"}");
    must(&r, "unknown-field", "$.secs");
    d = must(&r, "type", "$.secs");
    assert_string_equal(d->message, "secs \"12\" is a string of digits: expected an integer "
                                    "(checked as `$.input.secs` would be)");
    count_is(&r, 2);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_remove_fix_keeps_json_valid(void **state)
{
    (void)state;
    kl_ruleset *rs = rules(PROFILE_FLAT("{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"info\","
                                        " \"check\": \"forbidden\", \"at\": [\"a\", \"b\"],"
                                        " \"fix\": {\"remove\": true}}"),
                           NULL);
    const char *in[] = {"{\"a\": \"1\", \"n\": 2}", "{\"n\": 2, \"a\": \"1\"}", "{\"a\": \"1\"}"};
    const char *out[] = {"{\"n\": 2}", "{\"n\": 2}", "{}"};
    for (size_t i = 0; i < 3; i++) {
        run r = lint(rs, NULL, in[i]);
        const kl_diag *d = must(&r, "x", "$.a");
        assert_int_equal(d->fixes[0].n_edits, 1);
        kl_span s = d->fixes[0].edits[0].span;
        char buf[64];
        snprintf(buf, sizeof(buf), "%.*s%s", (int)s.start, in[i], in[i] + s.end);
        assert_string_equal(buf, out[i]);
        done(&r);
    }
    kl_ruleset_free(rs);
}

/* ---- Reported engine bugs (one test each; see the commit) ------------------------------ */

/* Apply a diagnostic's first fix to `in` (edits are sorted and do not overlap). */
static char *apply_fix(const char *in, const kl_diag *d)
{
    static char buf[1024];
    size_t n = 0, at = 0;
    const kl_fix *fx = &d->fixes[0];
    for (size_t i = 0; i < fx->n_edits; i++) {
        kl_span s = fx->edits[i].span;
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%.*s%s", (int)(s.start - at), in + at,
                              fx->edits[i].text);
        at = s.end;
    }
    snprintf(buf + n, sizeof(buf) - n, "%s", in + at);
    return buf;
}

/* The fixed text must load without a duplicate key (or any other finding of the loader). */
static void assert_loads_clean(const char *json)
{
    kl_source *src;
    kl_diags *diags;
    kl_doc *doc;
    assert_int_equal(kl_source_from_memory(&src, "fixed.json", json, strlen(json)), KL_OK);
    assert_int_equal(kl_diags_new(&diags), KL_OK);
    assert_int_equal(kl_json_load(&doc, src, NULL, diags), KL_OK);
    if (kl_diags_count(diags) != 0)
        print_message("%s: %s\n", json, kl_diags_at(diags, 0)->message);
    assert_int_equal(kl_diags_count(diags), 0);
    kl_doc_free(doc);
    kl_diags_free(diags);
    kl_source_free(src);
}

static void test_sent_null_takes_the_default(void **state)
{
    (void)state;
    /* 1. `null` is not sent: the default is the value in effect, and the finding sits on the
     * null itself, whose fix replaces it (inserting a second member would be a duplicate). */
    kl_ruleset *rs =
        rules(PROFILE_ONE ", \"rows\": ["
                          "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
                          " \"when\": {\"present\": \"body.video\"},"
                          " \"check\": \"enum\", \"at\": \"body.audio\", \"values\": [false],"
                          " \"fix\": {\"set\": false}},"
                          "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\","
                          " \"check\": \"range\", \"at\": \"body.secs\", \"max\": 4}]}",
              NULL);
    const char *in =
        "{\"kind\": \"one\", \"body\": {\"video\": \"v\", \"audio\": null, \"secs\": null}}";
    run r = lint(rs, NULL, in);
    const kl_diag *d = must(&r, "x", "$.body.audio");
    assert_string_equal(text_of(&r, d->span), "null");
    assert_non_null(strstr(d->message, "true (the default)"));
    assert_int_equal(d->n_fixes, 1);
    char *fixed = apply_fix(in, d);
    assert_string_equal(
        fixed,
        "{\"kind\": \"one\", \"body\": {\"video\": \"v\", \"audio\": false, \"secs\": null}}");
    assert_loads_clean(fixed);
    d = must(&r, "y", "$.body.secs"); /* the default 5 is in effect, and above 4 */
    assert_non_null(strstr(d->message, "5 (the default)"));
    count_is(&r, 2); /* no `type` finding for the nulls */
    done(&r);
    kl_ruleset_free(rs);
}

static void test_row_message_wins_over_builtin_messages(void **state)
{
    (void)state;
    /* 2. A row's own message is used for every finding it can describe; the check's special
     * messages are only defaults. */
    kl_ruleset *rs = rules(
        "\"profile\": {\"id\": \"p:m\", \"provider\": \"P\", \"model\": \"m\","
        "\"detect\": {\"shape\": true}, \"fields\": ["
        "{\"path\": \"d\", \"type\": \"integer\"}, {\"path\": \"p\", \"type\": \"string\"},"
        "{\"path\": \"q\", \"type\": \"string\"}, {\"path\": \"j\", \"type\": \"json-string\"},"
        "{\"path\": \"u\", \"type\": \"string\"}, {\"path\": \"v\", \"type\": \"string\"},"
        "{\"path\": \"w\", \"type\": \"integer\"}],"
        "\"rows\": ["
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
        " \"check\": \"range\", \"at\": \"d\", \"min\": 5, \"max\": 10, \"step\": 5,"
        " \"message\": \"{field} {value}: only 5 or 10\"},"
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
        " \"check\": \"required\", \"at\": \"p\","
        " \"message\": \"p is missing or empty: send one\"},"
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
        " \"check\": \"exactly-one-of\", \"paths\": [\"q\", \"w\"],"
        " \"message\": \"send q or w: {count} sent\"},"
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
        " \"check\": \"references\", \"at\": \"p\","
        " \"tokens\": [{\"pattern\": \"@v{N}\", \"list\": null}],"
        " \"message\": \"{token}: no videos here\"},"
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
        " \"check\": \"type\", \"at\": \"j\", \"type\": \"json-string\","
        " \"message\": \"j must hold JSON ({found})\"},"
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
        " \"check\": \"data-uri-size\", \"at\": \"u\", \"max\": 100,"
        " \"message\": \"{field}: keep data URIs to {max} bytes\"},"
        /* This one names the decoded size, which an undecodable URI does not have. */
        "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\","
        " \"check\": \"data-uri-size\", \"at\": \"v\", \"max\": 100,"
        " \"message\": \"{field} is {count} bytes\"},"
        "{\"id\": \"z\", \"doc\": \"T\", \"severity\": \"error\","
        " \"check\": \"range\", \"at\": \"w\", \"step\": 5}]}",
        NULL);
    run r = lint(rs, NULL,
                 "{\"d\": 7, \"p\": \"@v1\", \"j\": \"[1,\", \"u\": \"data:,%zz\","
                 " \"v\": \"data:;base64,*\", \"q\": \"s\", \"w\": 7}");
    assert_string_equal(must(&r, "x", "$.d")->message, "d 7: only 5 or 10");
    assert_string_equal(must(&r, "x", "$.p")->message, "@v1: no videos here");
    assert_true(strncmp(must(&r, "x", "$.j")->message, "j must hold JSON (", 18) == 0);
    assert_string_equal(must(&r, "x", "$.u")->message, "u: keep data URIs to 100 bytes");
    /* A template naming a fact this case lacks falls back to the check's own words... */
    assert_string_equal(must(&r, "y", "$.v")->message,
                        "v is a data: URI whose payload is not valid Base64 (or percent-encoding)");
    /* ... as does a row without a message. */
    assert_string_equal(must(&r, "z", "$.w")->message, "w 7 is not a multiple of 5");
    assert_string_equal(must(&r, "x", "$.w")->message, "send q or w: 2 sent");
    /* The implied `type` check of `j` has no message of its own: the built-in one. */
    assert_non_null(strstr(must(&r, "type", "$.j")->message, "j does not hold valid JSON: "));
    count_is(&r, 8);
    done(&r);
    r = lint(rs, NULL, "{\"p\": \"\"}");
    assert_string_equal(must(&r, "x", "$.p")->message, "p is missing or empty: send one");
    assert_string_equal(must(&r, "x", "$.q")->message, "send q or w: 0 sent");
    count_is(&r, 2);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_items_of_another_type(void **state)
{
    (void)state;
    /* 4. A row anchored at list items runs only on items of the declared type (the `type`
     * check reports the others), and a string item has no members, so no defaults. */
    kl_ruleset *rs = rules(
        "\"profile\": {\"id\": \"p:i\", \"provider\": \"P\", \"model\": \"i\","
        "\"detect\": {\"shape\": true}, \"fields\": ["
        "{\"path\": \"d\", \"type\": \"integer\"},"
        "{\"path\": \"els\", \"type\": \"array\"}, {\"path\": \"els[*]\", \"type\": \"object\"},"
        "{\"path\": \"els[*].a\", \"type\": \"string\"},"
        "{\"path\": \"els[*].b\", \"type\": \"string\"},"
        "{\"path\": \"els[*].mode\", \"type\": \"string\", \"default\": \"base\"}],"
        "\"rows\": ["
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\", \"check\": \"assert\","
        " \"at\": \"els[*]\", \"that\": {\"present\": \"@.a\"}},"
        "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\", \"check\": \"enum\","
        " \"at\": \"els[*].mode\", \"values\": [\"feature\"]},"
        "{\"id\": \"z\", \"doc\": \"T\", \"severity\": \"info\","
        " \"check\": \"forbidden\", \"at\": \"d\","
        " \"when\": {\"any\": \"els\", \"where\": {\"eq\": [\"@.mode\", \"base\"]}}}]}",
        NULL);
    run r = lint(rs, NULL, "{\"d\": 5, \"els\": [\"https://x.test/e.jpg\"]}");
    must(&r, "type", "$.els[0]");
    count_is(&r, 1);
    done(&r);
    /* The same rows on an object item: all three apply. */
    r = lint(rs, NULL, "{\"d\": 5, \"els\": [{\"b\": \"q\"}]}");
    must(&r, "x", "$.els[0]");
    assert_non_null(strstr(must(&r, "y", "$.els[0].mode")->message, "\"base\" (the default)"));
    must(&r, "z", "$.d");
    count_is(&r, 3);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_count_where_and_in_with_values(void **state)
{
    (void)state;
    /* 5. `count` with `where` and no `paths` counts the matching items of `at`;
     * 6. `in` takes a count, length or sum as its first operand. */
    kl_ruleset *rs = rules(PROFILE_FLAT("{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
                                        " \"check\": \"count\", \"at\": \"list\","
                                        " \"where\": {\"eq\": [\"@.d\", \"1\"]}, \"max\": 1},"
                                        "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\","
                                        " \"when\": {\"in\": [{\"len\": \"list\"}, [2, 3]]},"
                                        " \"check\": \"assert\", \"that\": false},"
                                        "{\"id\": \"z\", \"doc\": \"T\", \"severity\": \"error\","
                                        " \"when\": {\"in\": [{\"sum\": \"list[*].d\"}, [6]]},"
                                        " \"check\": \"assert\", \"that\": false}"),
                           NULL);
    run r = lint(rs, NULL, "{\"list\": [{\"d\": \"1\"}, {\"d\": \"5\"}]}");
    must(&r, "y", "$");
    must(&r, "z", "$");
    count_is(&r, 2); /* one item has d "1": within the count */
    done(&r);
    r = lint(rs, NULL,
             "{\"list\": [{\"d\": \"1\"}, {\"d\": \"1\"}, {\"d\": \"1\"}, {\"d\": \"1\"}]}");
    assert_string_equal(must(&r, "x", "$.list")->message, "list has 4 items: at most 1 allowed");
    count_is(&r, 1); /* 4 items: not in [2, 3]; sum 4: not in [6] */
    done(&r);
    r = lint(rs, NULL,
             "{\"list\": [{\"d\": \"2\"}, {\"d\": \"2\"}, {\"d\": \"3\"}, {\"d\": \"3\"}]}");
    count_is(&r, 0); /* no item has d "1" */
    done(&r);
    kl_ruleset_free(rs);
}

static void test_invalid_base64_is_a_size_finding(void **state)
{
    (void)state;
    /* 7. Base64 that does not decode is `data-uri-size`'s finding (the size is unknowable),
     * not `media-type`'s, whose MIME type is fine. */
    kl_ruleset *rs =
        rules("\"profile\": {\"id\": \"p:b\", \"provider\": \"P\", \"model\": \"b\","
              "\"detect\": {\"shape\": true}, \"fields\": ["
              "{\"path\": \"img\", \"type\": \"string\", \"max_bytes\": 1000, \"doc\": \"T\","
              " \"media\": {\"extensions\": [\".png\"], \"mime\": [\"image/png\"]},"
              " \"image\": {\"min_side\": 300}}]}",
              NULL);
    run r = lint(rs, NULL, "{\"img\": \"data:image/png;base64,iVBORw0KGgo*\"}");
    must(&r, "data-uri-size", "$.img");
    count_is(&r, 1);
    done(&r);
    r = lint(rs, NULL, "{\"img\": \"data:image/gif;base64,R0lGODlh\"}");
    must(&r, "media-type", "$.img");
    count_is(&r, 1);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_fixes_never_duplicate_a_key(void **state)
{
    (void)state;
    /* 8. A rename or move onto a name the object already has is not offered. */
    kl_ruleset *rs =
        rules("\"profile\": {\"id\": \"p:k\", \"provider\": \"P\", \"model\": \"k\","
              "\"detect\": {\"shape\": true},"
              "\"fields\": [{\"path\": \"$\", \"unknown\": \"error\"},"
              "{\"path\": \"model\", \"type\": \"string\"},"
              "{\"path\": \"input\", \"type\": \"object\"},"
              "{\"path\": \"input.prompt\", \"type\": \"string\"},"
              "{\"path\": \"input.duration\", \"type\": \"integer\"},"
              "{\"path\": \"input.old\", \"type\": \"string\"}],"
              "\"aliases\": [{\"at\": \"$\", \"name\": \"model_name\", \"rename\": \"model\","
              " \"hint\": \"the model field is `model`\"}],"
              "\"rows\": [{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"warning\","
              " \"check\": \"forbidden\", \"at\": \"input.old\","
              " \"fix\": {\"rename\": \"prompt\"}}]}",
              NULL);
    const char *ok = "{\"model_name\": \"m\", \"prompt\": \"p\","
                     " \"input\": {\"durtion\": 5, \"old\": \"o\"}}";
    run r = lint(rs, NULL, ok);
    const char *paths[] = {"$.model_name", "$.prompt", "$.input.durtion", "$.input.old"};
    for (size_t i = 0; i < 4; i++) {
        const kl_diag *d = must(&r, i == 3 ? "x" : "unknown-field", paths[i]);
        assert_int_equal(d->n_fixes, 1); /* nothing in the way: each is fixed */
        assert_loads_clean(apply_fix(ok, d));
    }
    done(&r);
    const char *clash =
        "{\"model_name\": \"m\", \"model\": \"m\", \"prompt\": \"p\","
        " \"input\": {\"durtion\": 5, \"duration\": 6, \"old\": \"o\", \"prompt\": \"q\"}}";
    r = lint(rs, NULL, clash);
    const kl_diag *d = must(&r, "unknown-field", "$.model_name");
    assert_int_equal(d->n_fixes, 0);
    assert_string_equal(d->message, "unknown field `model_name`; the model field is `model`; "
                                    "`model` is already sent: remove `model_name`");
    d = must(&r, "unknown-field", "$.prompt");
    assert_int_equal(d->n_fixes, 0);
    assert_string_equal(d->message, "unknown field `prompt`; it belongs in `input`, which has it "
                                    "already: remove this one");
    d = must(&r, "unknown-field", "$.input.durtion");
    assert_int_equal(d->n_fixes, 0);
    assert_string_equal(d->message, "unknown field `durtion`; did you mean `duration`? "
                                    "`duration` is already sent: remove `durtion`");
    assert_int_equal(must(&r, "x", "$.input.old")->n_fixes, 0); /* a row's rename too */
    count_is(&r, 4);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_concept_hint_does_not_depend_on_load_order(void **state)
{
    (void)state;
    /* 9. Two other profiles spell `dim` for two different concepts this profile has: the
     * hint names this profile's first field (declaration order) whichever loads first. */
    const char *self = "\"profile\": {\"id\": \"p:s\", \"provider\": \"S\", \"model\": \"s\","
                       "\"detect\": {\"identify\": {\"eq\": [\"kind\", \"s\"]}},"
                       "\"fields\": [{\"path\": \"kind\", \"type\": \"string\"},"
                       "{\"path\": \"ratio\", \"type\": \"string\", \"concept\": \"aspect_ratio\"},"
                       "{\"path\": \"length\", \"type\": \"integer\", \"concept\": \"duration\"}]}";
    const char *a = "\"profile\": {\"id\": \"p:a\", \"provider\": \"A\", \"model\": \"a\","
                    "\"detect\": {\"identify\": {\"eq\": [\"kind\", \"a\"]}},"
                    "\"fields\": [{\"path\": \"kind\", \"type\": \"string\"},"
                    "{\"path\": \"dim\", \"type\": \"integer\", \"concept\": \"duration\"}]}";
    const char *b = "\"profile\": {\"id\": \"p:b\", \"provider\": \"B\", \"model\": \"b\","
                    "\"detect\": {\"identify\": {\"eq\": [\"kind\", \"b\"]}},"
                    "\"fields\": [{\"path\": \"kind\", \"type\": \"string\"},"
                    "{\"path\": \"dim\", \"type\": \"string\", \"concept\": \"aspect_ratio\"}]}";
    const char *orders[2][2] = {{a, b}, {b, a}};
    for (size_t k = 0; k < 2; k++) {
        kl_ruleset *rs = rules(self, orders[k][0], orders[k][1], NULL);
        run r = lint(rs, NULL, "{\"kind\": \"s\", \"dim\": 5}");
        assert_string_equal(must(&r, "unknown-field", "$.dim")->message,
                            "unknown field `dim`; S spells this `ratio`");
        done(&r);
        kl_ruleset_free(rs);
    }
}

/* ---- Overlays ---------------------------------------------------------------------- */

static void test_overlay_by_concept_and_id(void **state)
{
    (void)state;
    const char *policy =
        "\"rule_ids\": [{\"id\": \"policy-secs\", \"summary\": \"ours\"}],"
        "\"overlay\": {\"id\": \"acme\", \"profiles\": [\"*\"], \"rows\": ["
        "{\"id\": \"policy-secs\", \"doc\": \"acme\", \"severity\": \"error\","
        " \"check\": \"range\", \"at\": \"concept:duration\", \"max\": 10},"
        "{\"id\": \"policy-secs\", \"doc\": \"acme\", \"severity\": \"error\","
        " \"check\": \"not-enum\", \"at\": \"concept:no-such-concept\", \"values\": [1]}]}";
    const char *by_id = "\"overlay\": {\"id\": \"one-only\", \"profiles\": [\"p:one\"], \"rows\": ["
                        "{\"id\": \"x\", \"doc\": \"o\", \"severity\": \"warning\","
                        " \"check\": \"forbidden\", \"at\": \"body.video\"}]}";
    kl_ruleset *rs = rules(PROFILE_ONE "}", policy, by_id, NULL);
    run r = lint(rs, NULL, "{\"kind\": \"one\", \"body\": {\"secs\": 11, \"video\": \"v\"}}");
    const kl_diag *d = must(&r, "policy-secs", "$.body.secs");
    assert_string_equal(d->message, "secs 11 is out of range: at most 10 allowed");
    must(&r, "x", "$.body.video");
    count_is(&r, 2);
    done(&r);
    kl_ruleset_free(rs);
}

/* ---- Bad rule files ------------------------------------------------------------------ */

typedef struct problems {
    char text[2048];
    size_t n;
} problems;

static void collect(void *ctx, const kl_source *src, const kl_diags *diags)
{
    problems *p = ctx;
    for (size_t i = 0; i < kl_diags_count(diags); i++) {
        const kl_diag *d = kl_diags_at(diags, i);
        kl_pos pos = kl_source_pos(src, d->span.start);
        size_t len = strlen(p->text);
        snprintf(p->text + len, sizeof(p->text) - len, "%u:%u %s %s|", pos.line, pos.column,
                 d->path, d->message);
        p->n++;
    }
}

static void expect_problem(const char *file, const char *want)
{
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_new(&rs), KL_OK);
    assert_int_equal(kl_ruleset_add_memory(rs, "bad.json", file, strlen(file)), KL_OK);
    problems p;
    memset(&p, 0, sizeof(p));
    assert_int_equal(kl_ruleset_finish(rs, collect, &p), KL_EUSAGE);
    if (strstr(p.text, want) == NULL)
        print_message("want \"%s\" in \"%s\"\n", want, p.text);
    assert_non_null(strstr(p.text, want));
    assert_int_equal(kl_ruleset_profile_count(rs), 0);
    kl_ruleset_free(rs);
}

static void test_bad_rule_files_are_diagnostics(void **state)
{
    (void)state;
    expect_problem("{\"klint_rules\": 2}", "1:17 $.klint_rules `klint_rules` must be 1");
    expect_problem("{\"klint_rules\": 1,\n \"profil\": {}}", "2:2 $.profil unknown key `profil`");
    expect_problem("{\"klint_rules\": 1, \"profile\": {\"id\": \"a:b\", \"provider\": \"P\","
                   " \"model\": \"m\", \"detect\": {\"shape\": true},\n"
                   " \"fields\": [{\"path\": \"x.y\"}]}}",
                   "2:22 $.profile.fields[0].path `x`: no field `x` is declared there");
    expect_problem("{\"klint_rules\": 1, \"profile\": {\"id\": \"a:b\", \"provider\": \"P\","
                   " \"model\": \"m\", \"detect\": {\"shape\": true}, \"fields\": [],\n"
                   " \"rows\": [{\"id\": \"nope\", \"doc\": \"d\", \"severity\": \"error\","
                   " \"check\": \"assert\", \"that\": true}]}}",
                   "rule id `nope` is not declared");
    expect_problem("{\"klint_rules\": 1, \"profile\": {\"id\": \"a:b\", \"provider\": \"P\","
                   " \"model\": \"m\", \"detect\": {\"shape\": {\"maybe\": \"x\"}}, \"fields\": []}}",
                   "unknown condition `maybe`");
    expect_problem("{\"klint_rules\": 1, \"profile\": {\"id\": \"a:b\", \"provider\": \"P\","
                   " \"model\": \"m\", \"detect\": {\"shape\": true}, \"fields\": [],"
                   " \"rows\": [{\"check\": \"frobnicate\"}]}}",
                   "unknown check `frobnicate`");
    expect_problem("{\"klint_rules\": 1, \"profile\": {\"id\": \"a:b\", \"provider\": \"P\","
                   " \"model\": \"m\", \"detect\": {\"shape\": true},"
                   " \"fields\": [{\"path\": \"l\", \"type\": \"array\"},"
                   " {\"path\": \"l[*]\", \"type\": \"integer\"}],"
                   " \"rows\": [{\"id\": \"x\", \"doc\": \"d\", \"severity\": \"error\","
                   " \"check\": \"assert\", \"that\": {\"present\": \"l[*]\"}}]}, \"rule_ids\":"
                   " [{\"id\": \"x\", \"summary\": \"s\"}]}",
                   "names every item of a list");
    expect_problem("{\"klint_rules\": 1, \"profile\": {\"id\": \"a:b\", \"provider\": \"P\","
                   " \"model\": \"m\", \"detect\": {\"shape\": true}, \"fields\": [],"
                   " \"rows\": [{\"id\": \"x\", \"doc\": \"d\", \"severity\": \"error\","
                   " \"check\": \"assert\", \"that\": true, \"message\": \"{nope}\"}]},"
                   " \"rule_ids\": [{\"id\": \"x\", \"summary\": \"s\"}]}",
                   "unknown placeholder `{nope}`");
    expect_problem("{\"klint_rules\": 1, \"profile\": [}", "1:32 $.profile expected a value");

    /* A part left out is reported, never silently dropped with its row or hint. */
#define BAD_PROFILE(rows_and_more)                                                             \
    "{\"klint_rules\": 1, \"rule_ids\": [{\"id\": \"x\", \"summary\": \"s\"}],"                    \
    " \"profile\": {\"id\": \"a:b\", \"provider\": \"P\", \"model\": \"m\","                    \
    " \"detect\": {\"shape\": true}, \"fields\": [{\"path\": \"s\", \"type\": \"string\"}],"    \
    rows_and_more "}}"
    expect_problem(BAD_PROFILE("\"rows\": [{\"doc\": \"d\", \"severity\": \"error\","
                               " \"check\": \"assert\", \"that\": true}]"),
                   "$.profile.rows[0] a row needs `id`");
    expect_problem(BAD_PROFILE("\"rows\": [{\"id\": \"x\", \"doc\": \"d\","
                               " \"severity\": \"error\"}]"),
                   "$.profile.rows[0] a row needs `check`");
    expect_problem(BAD_PROFILE("\"rows\": [{\"id\": \"x\", \"doc\": \"d\", \"severity\": \"error\","
                               " \"check\": \"forbidden\", \"at\": []}]"),
                   "$.profile.rows[0].at `at` is a path or a non-empty list of paths");
    expect_problem(BAD_PROFILE("\"aliases\": [{\"at\": \"$\", \"name\": \"t\"}]"),
                   "$.profile.aliases[0] an alias needs `name` and `hint`");
    expect_problem(BAD_PROFILE("\"rows\": [{\"id\": \"x\", \"doc\": \"d\", \"severity\": \"error\","
                               " \"check\": \"references\", \"at\": \"s\","
                               " \"tokens\": [\"@i{N}\"]}]"),
                   "$.profile.rows[0].tokens[0] a token is {\"pattern\", \"list\"}");
    expect_problem(BAD_PROFILE("\"rows\": [{\"id\": \"x\", \"doc\": \"d\", \"severity\": \"error\","
                               " \"check\": \"references\", \"at\": \"s\","
                               " \"tokens\": [{\"list\": null}]}]"),
                   "$.profile.rows[0].tokens[0] a token needs `pattern` and `list`");
    expect_problem(BAD_PROFILE("\"not_applicable\": [{\"doc\": \"X\"}]"),
                   "$.profile.not_applicable[0] a not-applicable entry needs `doc` and `reason`");
    expect_problem(BAD_PROFILE("\"rows\": [{\"id\": \"x\", \"doc\": \"d\", \"severity\": \"error\","
                               " \"check\": \"assert\", \"that\": {\"is\": [\"s\", []]}}]"),
                   "expected a type name or a non-empty list of them");
    expect_problem("{\"klint_rules\": 1, \"rule_ids\": [{\"id\": \"x\"}]}",
                   "$.rule_ids[0] a rule id needs `id` and `summary`");
#undef BAD_PROFILE
}

/* ---- Safe and unsafe fixes (rules/README.md §8) ----------------------------------- */

static void test_fix_applicability(void **state)
{
    (void)state;
    kl_ruleset *rs =
        rules("\"profile\": {\"id\": \"p:a\", \"provider\": \"P\", \"model\": \"a\","
              "\"detect\": {\"shape\": true},"
              "\"fields\": [{\"path\": \"$\", \"unknown\": \"warning\"},"
              "{\"path\": \"input\", \"type\": \"object\"},"
              "{\"path\": \"input.res\", \"type\": \"string\", \"doc\": \"T\","
              " \"enum\": {\"value\": [\"720p\", \"4k\"], \"suggest\": {\"uhd\": \"4k\"}}},"
              "{\"path\": \"input.audio\", \"type\": \"boolean\"},"
              "{\"path\": \"input.mode\", \"type\": \"string\"},"
              "{\"path\": \"input.duration\", \"type\": \"integer\"},"
              "{\"path\": \"input.prompt\", \"type\": \"string\"},"
              "{\"path\": \"input.tone\", \"type\": \"string\"}],"
              "\"rows\": ["
              "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\", \"check\": \"enum\","
              " \"at\": \"input.audio\", \"values\": [false], \"fix\": {\"set\": false}},"
              "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\", \"check\": \"enum\","
              " \"at\": \"input.tone\", \"values\": [\"warm\", \"cold\"],"
              " \"fix\": {\"set\": \"warm\", \"description\": \"use warm\"}},"
              "{\"id\": \"y\", \"doc\": \"T\", \"severity\": \"error\", \"check\": \"enum\","
              " \"at\": \"input.mode\", \"values\": [\"a\"],"
              " \"fix\": {\"set\": \"a\", \"unsafe\": true}},"
              "{\"id\": \"z\", \"doc\": \"T\", \"severity\": \"info\", \"check\": \"forbidden\","
              " \"at\": \"input.duration\", \"fix\": {\"remove\": true, \"unsafe\": false}}]}",
              NULL);
    static const struct {
        const char *res; /* the value sent */
        const char *fix; /* the value the fix sets */
        bool unsafe;
    } enums[] = {
        {"4K", "\"4k\"", false},  /* case only: the same value */
        {"uhd", "\"4k\"", false}, /* the rule file's `suggest`: a declared synonym */
        {"8k", "\"4k\"", true},   /* the nearest value: a guess */
        {"720", "\"720p\"", true},
    };
    for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
        char doc[128];
        snprintf(doc, sizeof(doc), "{\"input\": {\"res\": \"%s\"}}", enums[i].res);
        run r = lint(rs, NULL, doc);
        const kl_diag *d = must(&r, "enum", "$.input.res");
        assert_int_equal(d->n_fixes, 1);
        assert_string_equal(d->fixes[0].edits[0].text, enums[i].fix);
        if (d->fixes[0].unsafe != enums[i].unsafe)
            print_message("%s: unsafe should be %d\n", enums[i].res, enums[i].unsafe);
        assert_int_equal(d->fixes[0].unsafe, enums[i].unsafe);
        done(&r);
    }
    /* Templates: safe unless marked; unknown keys: renames and moves are safe. */
    run r =
        lint(rs, NULL,
             "{\"input\": {\"audio\": true, \"mode\": \"b\", \"duration\": 5, \"promt\": \"p\"},"
             " \"res\": \"720p\"}");
    const struct {
        const char *rule, *path;
        bool unsafe;
    } want[] = {
        {"x", "$.input.audio", false},     {"y", "$.input.mode", true},
        {"z", "$.input.duration", false},  {"unknown-field", "$.input.promt", false},
        {"unknown-field", "$.res", false},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const kl_diag *d = must(&r, want[i].rule, want[i].path);
        assert_int_equal(d->n_fixes, 1);
        assert_int_equal(d->fixes[0].unsafe, want[i].unsafe);
    }
    done(&r);

    /* A guess that is what the row's template sets is the template's fix (safe, its words);
     * another guess stays a guess. */
    r = lint(rs, NULL, "{\"input\": {\"tone\": \"warn\"}}");
    const kl_diag *d = must(&r, "x", "$.input.tone");
    assert_string_equal(d->fixes[0].description, "use warm");
    assert_false(d->fixes[0].unsafe);
    done(&r);
    r = lint(rs, NULL, "{\"input\": {\"tone\": \"colt\"}}");
    d = must(&r, "x", "$.input.tone");
    assert_string_equal(d->fixes[0].edits[0].text, "\"cold\"");
    assert_string_equal(d->fixes[0].description, "set `tone` to \"cold\"");
    assert_true(d->fixes[0].unsafe);
    done(&r);
    kl_ruleset_free(rs);

    expect_problem("{\"klint_rules\": 1, \"rule_ids\": [{\"id\": \"x\", \"summary\": \"s\"}],"
                   " \"profile\": {\"id\": \"a:b\", \"provider\": \"P\", \"model\": \"m\","
                   " \"detect\": {\"shape\": true}, \"fields\": [{\"path\": \"s\"}],"
                   " \"rows\": [{\"id\": \"x\", \"doc\": \"d\", \"severity\": \"error\","
                   " \"check\": \"forbidden\", \"at\": \"s\","
                   " \"fix\": {\"remove\": true, \"unsafe\": \"yes\"}}]}}",
                   "$.profile.rows[0].fix.unsafe `unsafe` takes true or false");
}

/* ---- A renamed member is checked as its new name ------------------------------------- */

static void test_renamed_member_is_checked_as_its_new_name(void **state)
{
    (void)state;
    const char *self =
        "\"profile\": {\"id\": \"p:r\", \"provider\": \"R\", \"model\": \"r\","
        "\"detect\": {\"identify\": {\"eq\": [\"kind\", \"r\"]}},"
        "\"fields\": [{\"path\": \"kind\", \"type\": \"string\"},"
        "{\"path\": \"input\", \"type\": \"object\"},"
        "{\"path\": \"input.video\", \"type\": \"string\"},"
        "{\"path\": \"input.ratio\", \"type\": \"string\", \"concept\": \"aspect_ratio\","
        " \"enum\": [\"16:9\", \"1:1\"], \"doc\": \"T\"},"
        "{\"path\": \"input.secs\", \"type\": \"integer\", \"min\": 3, \"max\": 15,"
        " \"doc\": \"T\"},"
        "{\"path\": \"input.multi\", \"type\": \"array\", \"max_items\": 2, \"doc\": \"T\"},"
        "{\"path\": \"input.multi[*]\", \"type\": \"object\"},"
        "{\"path\": \"input.multi[*].secs\", \"type\": \"integer\", \"max\": 5, \"doc\": \"T\"}],"
        "\"aliases\": [{\"at\": \"input\", \"name\": \"multi_old\", \"rename\": \"multi\","
        " \"hint\": \"`multi_old` is the legacy name\"}],"
        "\"rows\": ["
        /* Reads input.video too: it runs on a renamed secs (the rename leaves the video). */
        "{\"id\": \"x\", \"doc\": \"T\", \"severity\": \"error\","
        " \"when\": {\"present\": \"input.video\"}, \"check\": \"range\", \"at\": \"input.secs\","
        " \"max\": 10}]}";
    const char *other = "\"profile\": {\"id\": \"p:o\", \"provider\": \"O\", \"model\": \"o\","
                        "\"detect\": {\"identify\": {\"eq\": [\"kind\", \"o\"]}},"
                        "\"fields\": [{\"path\": \"kind\", \"type\": \"string\"},"
                        "{\"path\": \"aspect\", \"type\": \"string\","
                        " \"concept\": \"aspect_ratio\"}]}";
    kl_ruleset *rs = rules(self, other, NULL);

    /* Another provider's spelling, a typo, a legacy alias: each value is checked as the
     * field the rename makes it, at its real place. */
    run r = lint(rs, NULL,
                 "{\"kind\": \"r\", \"input\": {\"video\": \"v\", \"aspect\": \"4:3\","
                 " \"secz\": 12, \"multi_old\": [{\"secs\": 9}, {}, {}]}}");
    assert_string_equal(must(&r, "unknown-field", "$.input.aspect")->message,
                        "unknown field `aspect`; R spells this `ratio`");
    const kl_diag *d = must(&r, "enum", "$.input.aspect");
    assert_string_equal(d->message, "aspect \"4:3\" is not allowed: \"16:9\", \"1:1\" "
                                    "(checked as `$.input.ratio` would be)");
    assert_string_equal(text_of(&r, d->span), "\"4:3\"");
    must(&r, "unknown-field", "$.input.secz");
    /* 12 is within 3-15, but not within row x's 10 with a video: the rename would bring it. */
    d = must(&r, "x", "$.input.secz");
    assert_non_null(strstr(d->message, "(checked as `$.input.secs` would be)"));
    must(&r, "unknown-field", "$.input.multi_old");
    d = must(&r, "item-count", "$.input.multi_old");
    assert_non_null(strstr(d->message, "(checked as `$.input.multi` would be)"));
    d = must(&r, "range", "$.input.multi_old[0].secs");
    assert_non_null(strstr(d->message, "(checked as `$.input.multi[0].secs` would be)"));
    count_is(&r, 7);
    done(&r);

    /* Fixed, the same findings, now about the fields themselves. */
    r = lint(rs, NULL,
             "{\"kind\": \"r\", \"input\": {\"video\": \"v\", \"ratio\": \"4:3\","
             " \"secs\": 12, \"multi\": [{\"secs\": 9}, {}, {}]}}");
    must(&r, "enum", "$.input.ratio");
    must(&r, "x", "$.input.secs");
    must(&r, "item-count", "$.input.multi");
    must(&r, "range", "$.input.multi[0].secs");
    count_is(&r, 4);
    done(&r);

    /* Not checked: a rename onto a name that is sent (no fix; the hint says remove it), a
     * null (not sent), and a member of a list item (found through its item). */
    r = lint(rs, NULL,
             "{\"kind\": \"r\", \"input\": {\"ratio\": \"1:1\", \"aspect\": \"4:3\","
             " \"secz\": null, \"multi\": [{\"secz\": 9}]}}");
    assert_int_equal(must(&r, "unknown-field", "$.input.aspect")->n_fixes, 0);
    must(&r, "unknown-field", "$.input.secz");
    assert_int_equal(must(&r, "unknown-field", "$.input.multi[0].secz")->n_fixes, 1);
    count_is(&r, 3);
    done(&r);
    kl_ruleset_free(rs);
}

static void test_builtin_rules_load(void **state)
{
    (void)state;
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_builtin(&rs), KL_OK);
    assert_true(kl_ruleset_profile_count(rs) >= 1);
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++)
        assert_non_null(strchr(kl_profile_id(kl_ruleset_profile_at(rs, i)), ':'));
    kl_ruleset_free(rs);
}

/* Run the CLI in-process; returns stdout (caller frees). */
static char *cli(int *status, int argc, const char *const *args)
{
    char *argv[16];
    char store[16][128];
    for (int i = 0; i < argc; i++) {
        snprintf(store[i], sizeof(store[i]), "%s", args[i]);
        argv[i] = store[i];
    }
    argv[argc] = NULL;
    char *out = NULL, *err = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *fo = open_memstream(&out, &out_len);
    FILE *fe = open_memstream(&err, &err_len);
    *status = kl_cli_main(argc, argv, fo, fe);
    fclose(fo);
    fclose(fe);
    free(err);
    return out;
}

static void test_cli_subcommands(void **state)
{
    (void)state;
    int status;
    const char *rules_args[] = {"klint", "rules", "--profile",
                                "replicate:kwaivgi/kling-v3-omni-video"};
    char *out = cli(&status, 4, rules_args);
    assert_int_equal(status, 0);
    /* One line per row: severity, id, constraints-doc id, place, what is allowed. */
    assert_non_null(strstr(out, "error    shot-sum"));
    assert_non_null(strstr(out, "B-R09"));
    assert_null(strstr(out, "givon:")); /* only the profile asked for */
    free(out);

    const char *explain_args[] = {"klint", "explain", "shot-sum"};
    out = cli(&status, 3, explain_args);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "shot-sum: "));
    assert_non_null(strstr(out, "[B-R09]"));
    assert_non_null(strstr(out, "source R1: https://replicate.com/"));
    free(out);

    const char *typo_args[] = {"klint", "explain", "shot-summ"};
    out = cli(&status, 3, typo_args);
    assert_int_equal(status, 2);
    free(out);

    /* Subcommands take precedence over paths; a path that looks like one is linted. */
    const char *path_args[] = {"klint", "--format", "json", "./rules"};
    out = cli(&status, 4, path_args);
    assert_int_equal(status, 1); /* rule files are not payloads: profile-unknown */
    assert_non_null(strstr(out, "\"rule\": \"profile-unknown\""));
    free(out);

    const char *bad_profile[] = {"klint", "--profile", "no:such", "fixtures/examples"};
    out = cli(&status, 4, bad_profile);
    assert_int_equal(status, 2);
    free(out);
    /* With --syntax-only too: no rule runs, but the profile must exist. */
    const char *syntax_bad[] = {"klint", "--syntax-only", "--profile", "no:such",
                                "fixtures/examples"};
    out = cli(&status, 5, syntax_bad);
    assert_int_equal(status, 2);
    free(out);
    const char *syntax_good[] = {"klint", "--syntax-only", "--profile", "givon:kling-3.0",
                                 "fixtures/examples/givon-kling-3.0-omni.json"};
    out = cli(&status, 5, syntax_good);
    assert_int_equal(status, 0);
    free(out);
}

/* Every id klint reports by itself (the loader's, the rule and configuration files', the
 * baseline's, profile selection's, unknown keys) is in rules/rule-ids.json: `klint explain`
 * knows it, with its summary, as SARIF's rules[] and the configuration checks do. */
static void test_explain_klints_own_ids(void **state)
{
    (void)state;
    static const char *const own[] = {
        KL_RULE_JSON_SYNTAX,    KL_RULE_JSON_DUPLICATE_KEY, KL_RULE_JSON_BOM,
        KL_RULE_JSON_DEPTH,     KL_RULE_RULES_INVALID,      "config-invalid",
        "config-unused-ignore", "baseline-invalid",         "baseline-unmatched",
        "profile-unknown",      "profile-ambiguous",        "unknown-field",
    };
    kl_ruleset *rs;
    assert_int_equal(kl_ruleset_builtin(&rs), KL_OK);
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        const kl_rule_id *id = kl_ruleset_rule_id_find(rs, own[i]);
        if (id == NULL)
            print_message("%s is not in rules/rule-ids.json\n", own[i]);
        assert_non_null(id);
        const char *summary = id->summary;
        const char *args[] = {"klint", "explain", own[i]};
        int status;
        char *out = cli(&status, 3, args);
        if (status != 0)
            print_message("klint explain %s: status %d\n", own[i], status);
        assert_int_equal(status, 0);
        char head[256];
        snprintf(head, sizeof(head), "%s: %s\n", own[i], summary);
        assert_true(strncmp(out, head, strlen(head)) == 0);
        free(out);
    }
    /* The loader's ids say more than their summary. */
    const char *args[] = {"klint", "explain", "json-syntax"};
    int status;
    char *out = cli(&status, 3, args);
    assert_non_null(strstr(out, "trailing commas"));
    free(out);
    kl_ruleset_free(rs);
}

static void test_explain_prints_only_the_source_text(void **state)
{
    (void)state;
    /* 3. A source's text ends where its JSON string ends, not at the end of the rule file. */
    char path[] = "/tmp/klint-explain-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *file =
        "{\"klint_rules\": 1, \"rule_ids\": [{\"id\": \"t-explained\", \"summary\": \"s\"}],\n"
        " \"profile\": {\"id\": \"p:x\", \"provider\": \"P\", \"model\": \"x\",\n"
        "  \"sources\": {\"S1\": \"the first source\", \"S2\": \"https://example.test/s2\"},\n"
        "  \"comment\": \"AFTER-THE-SOURCES\",\n"
        "  \"detect\": {\"identify\": {\"eq\": [\"kind\", \"x\"]}},\n"
        "  \"fields\": [{\"path\": \"kind\", \"type\": \"string\"}],\n"
        "  \"rows\": [{\"id\": \"t-explained\", \"doc\": \"T\", \"severity\": \"info\",\n"
        "    \"check\": \"assert\", \"that\": true, \"source\": [\"S2\", \"S1\"]}]}}\n";
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(file, f);
    fclose(f);
    int status;
    const char *args[] = {"klint", "explain", "t-explained", "--rules", path};
    char *out = cli(&status, 5, args);
    remove(path);
    assert_int_equal(status, 0);
    assert_non_null(strstr(out, "\n    source S2: https://example.test/s2\n"
                                "    source S1: the first source\n"));
    assert_null(strstr(out, "AFTER-THE-SOURCES"));
    assert_null(strstr(out, "klint_rules"));
    free(out);

    /* The built-in rules the report was about: every line is the explanation's own. */
    const char *builtin[] = {"klint", "explain", "duration-with-video"};
    out = cli(&status, 3, builtin);
    assert_int_equal(status, 0);
    assert_null(strstr(out, "\"klint_rules\""));
    assert_null(strstr(out, "\"rows\""));
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    assert_true(lines < 200);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_counts_as_in_effect),
        cmocka_unit_test(test_default_when_depends_on_other_field),
        cmocka_unit_test(test_present_is_not_in_effect),
        cmocka_unit_test(test_any_all_count_with_item_in_scope),
        cmocka_unit_test(test_field_attributes),
        cmocka_unit_test(test_enum_case_and_suggest),
        cmocka_unit_test(test_one_of_requires_excludes),
        cmocka_unit_test(test_count_across_and_sum),
        cmocka_unit_test(test_index_and_references),
        cmocka_unit_test(test_json_in_string_paths_and_spans),
        cmocka_unit_test(test_profile_selection),
        cmocka_unit_test(test_unknown_key_hints),
        cmocka_unit_test(test_misplaced_member_is_checked_where_it_belongs),
        cmocka_unit_test(test_remove_fix_keeps_json_valid),
        cmocka_unit_test(test_overlay_by_concept_and_id),
        cmocka_unit_test(test_bad_rule_files_are_diagnostics),
        cmocka_unit_test(test_builtin_rules_load),
        cmocka_unit_test(test_cli_subcommands),
        cmocka_unit_test(test_sent_null_takes_the_default),
        cmocka_unit_test(test_row_message_wins_over_builtin_messages),
        cmocka_unit_test(test_explain_prints_only_the_source_text),
        cmocka_unit_test(test_explain_klints_own_ids),
        cmocka_unit_test(test_items_of_another_type),
        cmocka_unit_test(test_count_where_and_in_with_values),
        cmocka_unit_test(test_invalid_base64_is_a_size_finding),
        cmocka_unit_test(test_fixes_never_duplicate_a_key),
        cmocka_unit_test(test_concept_hint_does_not_depend_on_load_order),
        cmocka_unit_test(test_fix_applicability),
        cmocka_unit_test(test_renamed_member_is_checked_as_its_new_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
