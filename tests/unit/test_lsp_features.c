/*
 * The LSP editor features: hover, completion, code actions. Every answer is
 * parsed back with klint's own loader and checked field by field; ranges are
 * checked in UTF-16 and UTF-8 on lines holding CJK text and an emoji, with
 * the expected columns worked out by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "klint.h"
#include "lsp_features.h"
#include "lsp_proto.h"
#include "test_util.h"

#define UNI "kuaishou/kling-3.0-omni-video"

typedef struct fixture {
    kl_ruleset *rs;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL || kl_ruleset_builtin(&f->rs) != KL_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kl_ruleset_free(f->rs);
    free(f);
    return 0;
}

/* ---- Helpers -------------------------------------------------------------------- */

/* One request's answer, parsed. */
typedef struct answer {
    kl_source *text_src; /* the document */
    kl_source *out_src;  /* the answer's JSON */
    kl_doc *out;
    const kl_node *root;
    char *strings[256]; /* NUL-terminated copies handed out by str(&a, ) */
    size_t n_strings;
} answer;

static void answer_free(answer *a)
{
    for (size_t i = 0; i < a->n_strings; i++)
        free(a->strings[i]);
    kl_doc_free(a->out);
    kl_source_free(a->out_src);
    kl_source_free(a->text_src);
    memset(a, 0, sizeof(*a));
}

static uint32_t offset_of(const char *text, const char *marker, int delta)
{
    const char *m = strstr(text, marker);
    assert_non_null(m);
    return (uint32_t)(m - text) + (uint32_t)delta;
}

static void parse_answer(answer *a, const kl_buf *out)
{
    kl_diags *d;
    assert_int_equal(kl_diags_new(&d), KL_OK);
    assert_int_equal(kl_source_from_memory(&a->out_src, "answer", out->ptr, out->len), KL_OK);
    assert_int_equal(kl_json_load(&a->out, a->out_src, NULL, d), KL_OK);
    a->root = kl_doc_root(a->out);
    if (a->root == NULL)
        fail_msg("the answer is not JSON: %s", out->ptr);
    kl_diags_free(d);
}

typedef enum request { HOVER, COMPLETE } request;

/* The answer to `req` at `offset` of `text`, in `enc`, with `profile` forced (NULL: detected)
 * and without snippets when `no_snippets`. */
static void ask_with(fixture *f, answer *a, request req, const char *text, uint32_t offset,
                     kl_lsp_encoding enc, const char *profile, bool no_snippets)
{
    memset(a, 0, sizeof(*a));
    assert_int_equal(kl_source_from_memory(&a->text_src, "t.json", text, strlen(text)), KL_OK);
    kl_lsp_doc doc = {.uri = "file:///t.json",
                      .src = a->text_src,
                      .rules = f->rs,
                      .profile = profile,
                      .enc = enc,
                      .no_snippets = no_snippets};
    kl_buf out = KL_BUF_INIT;
    int rc =
        req == HOVER ? kl_lsp_hover(&doc, offset, &out) : kl_lsp_completion(&doc, offset, &out);
    assert_int_equal(rc, KL_OK);
    parse_answer(a, &out);
    kl_buf_dispose(&out);
}

/* The same in UTF-16, the profile detected, snippets allowed. */
static void ask(fixture *f, answer *a, request req, const char *text, uint32_t offset)
{
    ask_with(f, a, req, text, offset, KL_LSP_UTF16, NULL, false);
}

/* A string member as a NUL-terminated copy (decoded strings are not NUL-terminated),
 * freed with the answer. */
static const char *str(answer *a, const kl_node *n, const char *path)
{
    const kl_node *x = tu_at(n, path);
    assert_non_null(x);
    assert_int_equal(x->kind, KL_JSON_STRING);
    assert_true(a->n_strings < sizeof(a->strings) / sizeof(a->strings[0]));
    char *copy = malloc(x->len + 1);
    assert_non_null(copy);
    memcpy(copy, x->u.str, x->len);
    copy[x->len] = '\0';
    a->strings[a->n_strings++] = copy;
    return copy;
}

static void assert_has(const char *haystack, const char *needle)
{
    assert_non_null(haystack);
    if (strstr(haystack, needle) == NULL) {
        print_error("expected to find\n  %s\nin\n%s\n", needle, haystack);
        fail();
    }
}

static void assert_lacks(const char *haystack, const char *needle)
{
    assert_non_null(haystack);
    if (strstr(haystack, needle) != NULL) {
        print_error("did not expect\n  %s\nin\n%s\n", needle, haystack);
        fail();
    }
}

static const char *hover_text(answer *a)
{
    assert_int_equal(tu_at(a->root, "contents.kind")->kind, KL_JSON_STRING);
    assert_string_equal(str(a, a->root, "contents.kind"), "markdown");
    return str(a, a->root, "contents.value");
}

/* The hover at `offset` of `text` (UTF-16, `profile` forced or NULL) says each of `says` and
 * none of `lacks` (NULL-terminated lists; `lacks` may be NULL). */
static void hover_says(fixture *f, const char *text, uint32_t offset, const char *profile,
                       const char *const *says, const char *const *lacks)
{
    answer a;
    ask_with(f, &a, HOVER, text, offset, KL_LSP_UTF16, profile, false);
    const char *md = hover_text(&a);
    for (size_t i = 0; says[i] != NULL; i++)
        assert_has(md, says[i]);
    for (size_t i = 0; lacks != NULL && lacks[i] != NULL; i++)
        assert_lacks(md, lacks[i]);
    answer_free(&a);
}

/* The completion item labelled `label`, or NULL. */
static const kl_node *item(answer *a, const char *label)
{
    const kl_node *items = tu_at(a->root, "items");
    assert_non_null(items);
    for (uint32_t i = 0; i < items->len; i++) {
        const kl_node *it = &items->u.children[i];
        if (strcmp(str(a, it, "label"), label) == 0)
            return it;
    }
    return NULL;
}

/* ---- Hover ------------------------------------------------------------------------- */

/* Line 3 holds CJK text and an emoji before the key hovered on line 4. */
static const char uni_doc[] = "{\n"
                              "  \"model\": \"" UNI "\",\n"
                              "  \"input\": {\n"
                              "    \"prompt\": \"日本語🎬\",\n"
                              "    \"duration\": 5, \"aspect_ratio\": \"16:9\"\n"
                              "  }\n"
                              "}\n";

static void test_hover_key_unifically(void **state)
{
    answer a;
    ask(*state, &a, HOVER, uni_doc, offset_of(uni_doc, "\"duration\"", 3));
    const char *md = hover_text(&a);
    /* Description, type, range, default and provider source of input.duration (rules/
     * unifically-kling-3.0-omni-video.json: integer, default 5, min 3, max 15, source U1). */
    assert_has(md, "**`duration`** in `input` \xc2\xb7 integer");
    assert_has(md, "Video duration in seconds");
    assert_has(md, "- **Default:** `5`");
    assert_has(md, "3\xe2\x80\x93"
                   "15 (error `range`)");
    assert_has(md, "- Optional");
    assert_has(md, "`U1`: <https://docs.unifically.com/models/video/kling/kling-3.0-omni-video>");
    assert_has(md, "`unifically:kuaishou/kling-3.0-omni-video` (Unifically, detected)");
    /* "duration" starts at column 4 of line 4 and is 10 characters long with its quotes. */
    tu_assert_range(tu_at(a.root, "range"), 4, 4, 4, 14);
    answer_free(&a);
}

static void test_hover_key_conditional_default_and_required(void **state)
{
    /* default_when: auto with video_url, else 16:9. */
    static const char *const ratio[] = {
        "- **Default:** `\"auto\"` when `present(input.video_url)`; otherwise `\"16:9\"`",
        "one of `\"1:1\"`, `\"9:16\"`, `\"16:9\"`, `\"auto\"` (error `enum`)", NULL};
    hover_says(*state, uni_doc, offset_of(uni_doc, "\"aspect_ratio\"", 1), NULL, ratio, NULL);
    static const char *const model[] = {"- **Required**", NULL};
    static const char *const not_model[] = {"Optional", NULL};
    hover_says(*state, uni_doc, offset_of(uni_doc, "\"model\"", 2), NULL, model, not_model);
}

static void test_hover_value_rejected_unifically(void **state)
{
    static const char text[] =
        "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"p\", "
        "\"video_mode\": \"video_reference\", "
        "\"video_url\": \"https://x.test/v.mp4\", \"aspect_ratio\": \"16:9\"}}";
    answer a;
    uint32_t at = offset_of(text, "\"16:9\"", 0);
    ask(*state, &a, HOVER, text, at + 2);
    const char *md = hover_text(&a);
    assert_has(md, "`$.input.aspect_ratio` = `\"16:9\"`");
    assert_has(md, "- **error** `aspect-ratio-with-video`: ");
    assert_has(md, "quick fix: set `aspect_ratio` to \"auto\"");
    assert_lacks(md, "no finding here");
    /* One line, all ASCII: the value's columns are its byte offsets. */
    tu_assert_range(tu_at(a.root, "range"), 0, at, 0, at + 6);
    answer_free(&a);
}

static void test_hover_value_allowed_givon(void **state)
{
    static const char text[] = "{\"type\":\"video\",\"model\":\"kling-3.0\",\"input\":{\"prompt\":"
                               "\"x\",\"aspectRatio\":\"9:16\",\"resolution\":\"720p\"}}";
    static const char *const says[] = {
        "`$.input.aspectRatio` = `\"9:16\"` \xe2\x80\x94 allowed: no finding here",
        "one of `\"9:16\"`, `\"16:9\"`, `\"1:1\"`", "`givon:kling-3.0` (Givon, detected)", NULL};
    hover_says(*state, text, offset_of(text, "\"9:16\"", 1), NULL, says, NULL);
}

static void test_hover_value_out_of_range_replicate(void **state)
{
    static const char text[] = "{\"input\": {\"prompt\": \"a cat\", \"duration\": 20}}";
    static const char *const says[] = {"`$.input.duration` = `20`",
                                       "- **error** `range`: ", "Replicate", NULL};
    hover_says(*state, text, offset_of(text, "20", 0), NULL, says, NULL);
}

static void test_hover_key_ezmodel_enum(void **state)
{
    static const char text[] = "{\"model\": \"kling-v3-omni\", \"prompt\": \"a fox\", "
                               "\"sound\": \"on\"}";
    static const char *const says[] = {"**`sound`** \xc2\xb7 string", "- **Default:** `\"off\"`",
                                       "one of `\"on\"`, `\"off\"`", "ezmodel", NULL};
    hover_says(*state, text, offset_of(text, "\"sound\"", 1), NULL, says, NULL);
}

static void test_hover_unknown_key_has_hint(void **state)
{
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"p\", "
                               "\"durration\": 5}}";
    static const char *const says[] = {"`$.input.durration` is **not a field** of this profile",
                                       "did you mean `duration`?",
                                       "quick fix: rename `durration` to `duration`", NULL};
    hover_says(*state, text, offset_of(text, "durration", 0), NULL, says, NULL);
}

static void test_hover_blank_is_null(void **state)
{
    answer a;
    /* The blank between "{" and the newline of line 0 of uni_doc is no node... the spaces
     * before "model" on line 1 are inside the root object but on nothing. */
    ask(*state, &a, HOVER, uni_doc, offset_of(uni_doc, "  \"model\"", 0));
    assert_int_equal(a.root->kind, KL_JSON_NULL);
    answer_free(&a);
}

static void test_hover_while_typing(void **state)
{
    /* A missing comma: the loader gives up, the scan still finds the key. */
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"p\" "
                               "\"duration\": 5}}";
    static const char *const says[] = {"**`duration`** in `input`", "does not parse yet", NULL};
    hover_says(*state, text, offset_of(text, "duration", 0), NULL, says, NULL);
}

static void test_hover_forced_profile(void **state)
{
    /* No `type` or `model`: nothing identifies Givon; the configuration can say it. */
    static const char text[] = "{\"input\": {\"aspectRatio\": \"9:16\"}}";
    uint32_t at = offset_of(text, "aspectRatio", 0);
    static const char *const forced[] = {"**`aspectRatio`** in `input`",
                                         "(Givon, from the configuration)", NULL};
    hover_says(*state, text, at, "givon:kling-3.0", forced, NULL);

    /* Not forced, the envelope's shape says Replicate, which spells it otherwise. */
    static const char *const detected[] = {"is **not a field** of this profile",
                                           "Replicate spells this `aspect_ratio`",
                                           "(Replicate, detected)", NULL};
    hover_says(*state, text, at, NULL, detected, NULL);

    /* A model no profile has: no profile, and the detection says why. */
    static const char unknown[] = "{\"model\": \"kling-3.O\", \"prompt\": \"x\"}";
    static const char *const none[] = {
        "**No profile** for this document: cannot tell which profile", "did you mean", NULL};
    hover_says(*state, unknown, offset_of(unknown, "prompt", 0), NULL, none, NULL);
}

static void test_hover_ranges_utf16_utf8(void **state)
{
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"日本語🎬\", "
                               "\"video_mode\": \"video_reference\", \"video_url\": "
                               "\"https://x.test/v.mp4\", \"native_audio\": true}}";
    uint32_t at = offset_of(text, "true", 0);
    answer a;
    /* Before "true": 日本語 is 9 bytes but 3 UTF-16 units, 🎬 4 bytes but 2 units. */
    ask_with(*state, &a, HOVER, text, at, KL_LSP_UTF8, NULL, false);
    tu_assert_range(tu_at(a.root, "range"), 0, at, 0, at + 4);
    assert_has(hover_text(&a), "`audio-with-video`");
    answer_free(&a);
    ask(*state, &a, HOVER, text, at);
    tu_assert_range(tu_at(a.root, "range"), 0, at - 8, 0, at - 8 + 4);
    answer_free(&a);
}

/* ---- Completion ---------------------------------------------------------------------- */

static void test_complete_blank_line_in_broken_document(void **state)
{
    /* A trailing comma, as while typing the next member: not JSON, still completes. */
    static const char text[] = "{\n"
                               "  \"model\": \"" UNI "\",\n"
                               "  \"input\": {\n"
                               "    \"prompt\": \"日本語🎬\",\n"
                               "    \n"
                               "  }\n"
                               "}\n";
    answer a;
    ask(*state, &a, COMPLETE, text, offset_of(text, "    \n", 4));
    assert_null(item(&a, "prompt")); /* already there */
    assert_null(item(&a, "model"));  /* a top-level field, not one of `input` */
    const kl_node *d = item(&a, "duration");
    assert_non_null(d);
    assert_string_equal(str(&a, d, "textEdit.newText"), "\"duration\": ${1:5}");
    assert_int_equal(tu_int_at(d, "insertTextFormat"), 2);
    assert_int_equal(tu_int_at(d, "kind"), 10);
    assert_string_equal(str(&a, d, "detail"), "integer, default 5");
    assert_has(str(&a, d, "documentation.value"), "Video duration in seconds");
    tu_assert_range(tu_at(d, "textEdit.range"), 4, 4, 4, 4);
    /* An enum as a choice, the default first. */
    assert_string_equal(str(&a, item(&a, "aspect_ratio"), "textEdit.newText"),
                        "\"aspect_ratio\": \"${1|16:9,1:1,9:16,auto|}\"");
    assert_string_equal(str(&a, item(&a, "mode"), "textEdit.newText"),
                        "\"mode\": \"${1|pro,std,4k|}\"");
    answer_free(&a);
}

static const char half_typed[] = "{\n"
                                 "  \"model\": \"" UNI "\",\n"
                                 "  \"input\": {\n"
                                 "    \"prompt\": \"日本語🎬\", \"dur\"\n"
                                 "  }\n"
                                 "}\n";

static void test_complete_half_typed_key_utf16(void **state)
{
    answer a;
    ask(*state, &a, COMPLETE, half_typed, offset_of(half_typed, "dur\"", 3));
    const kl_node *d = item(&a, "duration");
    assert_non_null(d);
    /* Line 3: 4 spaces, "prompt": (10) and a space reach column 15; the string "日本語🎬"
     * takes 1 + 3 + 2 + 1 = 7 UTF-16 units (to 22), ", " to 23: "dur" is 23..28. */
    tu_assert_range(tu_at(d, "textEdit.range"), 3, 23, 3, 28);
    assert_string_equal(str(&a, d, "filterText"), "\"duration\"");
    assert_null(item(&a, "prompt"));
    answer_free(&a);
}

static void test_complete_half_typed_key_utf8(void **state)
{
    answer a;
    ask_with(*state, &a, COMPLETE, half_typed, offset_of(half_typed, "dur\"", 3), KL_LSP_UTF8, NULL,
             false);
    const kl_node *d = item(&a, "duration");
    assert_non_null(d);
    /* In bytes the string is 1 + 9 + 4 + 1 = 15 long: "dur" is 31..36. */
    tu_assert_range(tu_at(d, "textEdit.range"), 3, 31, 3, 36);
    answer_free(&a);
}

static void test_complete_unclosed_key(void **state)
{
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"p\", \"asp\n}}";
    uint32_t q = offset_of(text, "\"asp", 0);
    answer a;
    ask(*state, &a, COMPLETE, text, q + 4);
    const kl_node *d = item(&a, "aspect_ratio");
    assert_non_null(d);
    tu_assert_range(tu_at(d, "textEdit.range"), 0, q, 0, q + 4);
    assert_string_equal(str(&a, d, "textEdit.newText"),
                        "\"aspect_ratio\": \"${1|16:9,1:1,9:16,auto|}\"");
    answer_free(&a);
}

static void test_complete_renaming_key_keeps_value(void **state)
{
    static const char text[] =
        "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"p\", \"dur\": 5}}";
    uint32_t q = offset_of(text, "\"dur\"", 0);
    answer a;
    ask(*state, &a, COMPLETE, text, q + 4);
    const kl_node *d = item(&a, "duration");
    assert_non_null(d);
    assert_string_equal(str(&a, d, "textEdit.newText"), "\"duration\"");
    assert_int_equal(tu_int_at(d, "insertTextFormat"), 1);
    tu_assert_range(tu_at(d, "textEdit.range"), 0, q, 0, q + 5);
    answer_free(&a);
}

static void test_complete_adds_commas(void **state)
{
    /* After a value with no comma: the completion brings one. */
    static const char after[] = "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"p\" }}";
    answer a;
    ask(*state, &a, COMPLETE, after, offset_of(after, "\"p\" ", 4));
    assert_string_equal(str(&a, item(&a, "duration"), "textEdit.newText"), ",\"duration\": ${1:5}");
    answer_free(&a);
    /* Before another member: a comma after. */
    static const char before[] = "{\"model\": \"" UNI "\", \"input\": { \"prompt\": \"p\"}}";
    ask(*state, &a, COMPLETE, before, offset_of(before, "{ \"prompt", 1));
    assert_string_equal(str(&a, item(&a, "duration"), "textEdit.newText"), "\"duration\": ${1:5},");
    answer_free(&a);
}

static void test_complete_enum_in_string(void **state)
{
    static const char text[] = "{\n  \"model\": \"" UNI "\",\n"
                               "  \"input\": {\"prompt\": \"日本語🎬\", \"mode\": \"p\"}\n}";
    uint32_t at = offset_of(text, "\"mode\": \"p", 10);
    answer a;
    ask(*state, &a, COMPLETE, text, at);
    assert_int_equal(tu_at(a.root, "items")->len, 3);
    const kl_node *pro = item(&a, "\"pro\"");
    assert_non_null(pro);
    assert_non_null(item(&a, "\"std\""));
    assert_non_null(item(&a, "\"4k\""));
    assert_string_equal(str(&a, pro, "textEdit.newText"), "pro");
    assert_string_equal(str(&a, pro, "detail"), "default");
    /* Line 2: `  "input": {"prompt": "` is 23 units, 日本語🎬 5 more, `", "mode": "` 12:
     * the string's content starts at 40 and is "p". */
    tu_assert_range(tu_at(pro, "textEdit.range"), 2, 40, 2, 41);
    answer_free(&a);
    ask_with(*state, &a, COMPLETE, text, at, KL_LSP_UTF8, NULL, false);
    tu_assert_range(tu_at(item(&a, "\"pro\""), "textEdit.range"), 2, 48, 2, 49);
    answer_free(&a);
}

static void test_complete_boolean_value(void **state)
{
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"native_audio\": }}";
    answer a;
    ask(*state, &a, COMPLETE, text, offset_of(text, ": }", 2));
    assert_non_null(item(&a, "true"));
    assert_string_equal(str(&a, item(&a, "false"), "textEdit.newText"), "false");
    answer_free(&a);
}

static void test_complete_without_profile(void **state)
{
    static const char empty[] = "{}";
    answer a;
    ask(*state, &a, COMPLETE, empty, 1);
    const kl_node *m = item(&a, "model");
    assert_non_null(m);
    /* Several profiles spell it, with different values: the snippet says only the type. */
    assert_string_equal(str(&a, m, "textEdit.newText"), "\"model\": \"$1\"");
    assert_has(str(&a, m, "detail"), "Givon");
    assert_has(str(&a, m, "detail"), "Unifically");
    assert_non_null(item(&a, "input"));
    answer_free(&a);

    static const char model[] = "{\"model\": \"\"}";
    ask(*state, &a, COMPLETE, model, offset_of(model, "\"\"", 1));
    assert_non_null(item(&a, "\"" UNI "\""));
    assert_non_null(item(&a, "\"kling-3.0\""));
    assert_non_null(item(&a, "\"kling-v3-omni\""));
    answer_free(&a);
}

static void test_complete_plain_text_without_snippets(void **state)
{
    answer a;
    ask_with(*state, &a, COMPLETE, half_typed, offset_of(half_typed, "dur\"", 3), KL_LSP_UTF16,
             NULL, true);
    const kl_node *d = item(&a, "duration");
    assert_string_equal(str(&a, d, "textEdit.newText"), "\"duration\": 5");
    assert_int_equal(tu_int_at(d, "insertTextFormat"), 1);
    assert_string_equal(str(&a, item(&a, "aspect_ratio"), "textEdit.newText"),
                        "\"aspect_ratio\": \"16:9\"");
    answer_free(&a);
}

static void test_complete_inside_list_items(void **state)
{
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"video_mode\": \"elements\", "
                               "\"elements\": [{\"type\": \"image\", }]}}";
    answer a;
    ask(*state, &a, COMPLETE, text, offset_of(text, "\"image\", ", 9));
    assert_non_null(item(&a, "image_urls"));
    assert_non_null(item(&a, "description"));
    assert_null(item(&a, "type"));
    assert_null(item(&a, "duration"));
    answer_free(&a);
}

static void test_complete_in_valid_document(void **state)
{
    answer a;
    ask(*state, &a, COMPLETE, uni_doc, offset_of(uni_doc, "\n  }", 0));
    assert_null(item(&a, "duration"));
    assert_null(item(&a, "aspect_ratio"));
    const kl_node *v = item(&a, "video_url");
    assert_non_null(v);
    /* After `"16:9"` with no comma: one comes first. */
    assert_string_equal(str(&a, v, "textEdit.newText"), ",\"video_url\": \"$1\"");
    answer_free(&a);
}

/* ---- Code actions ------------------------------------------------------------------ */

typedef struct linted {
    kl_source *src;
    kl_diags *diags;
} linted;

static void lint(fixture *f, linted *l, const char *text, size_t len)
{
    kl_lint_options opts = {0};
    opts.rules = f->rs;
    kl_linter *linter;
    assert_int_equal(kl_linter_new(&linter, &opts), KL_OK);
    assert_int_equal(kl_source_from_memory(&l->src, "t.json", text, len), KL_OK);
    assert_int_equal(kl_diags_new(&l->diags), KL_OK);
    assert_int_equal(kl_linter_lint(linter, l->src, l->diags), KL_OK);
    kl_linter_free(linter);
}

static void linted_free(linted *l)
{
    kl_diags_free(l->diags);
    kl_source_free(l->src);
}

static bool has_rule(const kl_diags *d, const char *rule)
{
    for (size_t i = 0; i < kl_diags_count(d); i++)
        if (strcmp(kl_diags_at(d, i)->rule, rule) == 0)
            return true;
    return false;
}

/* The code actions of `doc` for `range`, fix-all over `scope` (NULL: none). */
static void actions_in(answer *a, const kl_lsp_doc *doc, const kl_diags *diags, kl_span range,
                       const kl_span *scope)
{
    memset(a, 0, sizeof(*a));
    kl_buf out = KL_BUF_INIT;
    assert_int_equal(kl_lsp_code_actions(doc, diags, range, scope, &out), KL_OK);
    parse_answer(a, &out);
    kl_buf_dispose(&out);
}

/* The code actions for `range`; with `all`, fix-all over the whole text. */
static void actions(fixture *f, const linted *l, answer *a, kl_span range, bool all,
                    kl_lsp_encoding enc)
{
    kl_lsp_doc doc = {.uri = "file:///t.json", .src = l->src, .rules = f->rs, .enc = enc};
    kl_span whole = kl_span_make(0, l->src->len);
    actions_in(a, &doc, l->diags, range, all ? &whole : NULL);
}

typedef struct span_edit {
    uint32_t start, end;
    const char *text;
} span_edit;

static int by_start_desc(const void *x, const void *y)
{
    const span_edit *a = x, *b = y;
    return a->start < b->start ? 1 : a->start > b->start ? -1 : 0;
}

/* Apply a WorkspaceEdit's TextEdits for file:///t.json to `src`, as a client would; the
 * result is malloc'd. */
static char *apply(answer *a, const kl_source *src, const kl_node *edit, kl_lsp_encoding enc)
{
    const kl_node *list = kl_node_getz(kl_node_getz(edit, "changes"), "file:///t.json");
    assert_non_null(list);
    assert_true(list->len > 0 && list->len <= 8);
    span_edit e[8];
    for (uint32_t i = 0; i < list->len; i++) {
        const kl_node *te = &list->u.children[i];
        e[i].start = kl_lsp_offset(src, (uint32_t)tu_int_at(te, "range.start.line"),
                                   (uint32_t)tu_int_at(te, "range.start.character"), enc);
        e[i].end = kl_lsp_offset(src, (uint32_t)tu_int_at(te, "range.end.line"),
                                 (uint32_t)tu_int_at(te, "range.end.character"), enc);
        e[i].text = str(a, te, "newText");
    }
    qsort(e, list->len, sizeof(e[0]), by_start_desc);
    kl_buf b = KL_BUF_INIT;
    kl_buf_put(&b, src->data, src->len);
    for (uint32_t i = 0; i < list->len; i++) {
        kl_buf next = KL_BUF_INIT;
        kl_buf_put(&next, b.ptr, e[i].start);
        kl_buf_puts(&next, e[i].text);
        kl_buf_put(&next, b.ptr + e[i].end, b.len - e[i].end);
        kl_buf_dispose(&b);
        b = next;
    }
    assert_false(kl_buf_failed(&b));
    return b.ptr;
}

/* Lint `text`, ask for the actions at `marker`, check the first is the quick fix titled
 * `title` for `rule`, apply it, and check the new text no longer has `rule`. Returns the
 * new text (malloc'd). */
static char *quick_fix(fixture *f, const char *text, const char *marker, const char *rule,
                       const char *title, kl_lsp_encoding enc)
{
    linted l;
    lint(f, &l, text, strlen(text));
    assert_true(has_rule(l.diags, rule));
    uint32_t at = offset_of(text, marker, 0);
    answer a;
    actions(f, &l, &a, kl_span_make(at, at), false, enc);
    const kl_node *qf = NULL;
    for (uint32_t i = 0; i < a.root->len; i++)
        if (strcmp(str(&a, &a.root->u.children[i], "diagnostics.0.code"), rule) == 0)
            qf = &a.root->u.children[i];
    assert_non_null(qf);
    assert_string_equal(str(&a, qf, "title"), title);
    assert_string_equal(str(&a, qf, "kind"), "quickfix");
    assert_int_equal(tu_at(qf, "isPreferred")->kind, KL_JSON_TRUE);
    assert_string_equal(str(&a, qf, "diagnostics.0.source"), "klint");
    char *fixed = apply(&a, l.src, tu_at(qf, "edit"), enc);
    answer_free(&a);
    linted_free(&l);

    linted again;
    lint(f, &again, fixed, strlen(fixed));
    assert_false(has_rule(again.diags, rule));
    linted_free(&again);
    return fixed;
}

static void test_action_rename(void **state)
{
    static const char text[] = "{\n  \"model\": \"" UNI "\",\n"
                               "  \"input\": {\"prompt\": \"日本語🎬\", \"durration\": 5}\n}\n";
    for (int enc = KL_LSP_UTF16; enc <= KL_LSP_UTF8; enc++) {
        char *fixed = quick_fix(*state, text, "durration", "unknown-field",
                                "rename `durration` to `duration`", (kl_lsp_encoding)enc);
        assert_has(fixed, "\"prompt\": \"日本語🎬\", \"duration\": 5}");
        free(fixed);
    }
}

static void test_action_rename_ranges(void **state)
{
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"日本語🎬\", "
                               "\"durration\": 5}}";
    linted l;
    lint(*state, &l, text, strlen(text));
    uint32_t at = offset_of(text, "\"durration\"", 0);
    answer a;
    actions(*state, &l, &a, kl_span_make(at, at + 3), false, KL_LSP_UTF8);
    /* tu_at() splits on dots: the uri is looked up by hand. */
    const kl_node *te =
        kl_node_at(kl_node_getz(tu_at(a.root, "0.edit.changes"), "file:///t.json"), 0);
    tu_assert_range(tu_at(te, "range"), 0, at, 0, at + 11);
    tu_assert_range(tu_at(a.root, "0.diagnostics.0.range"), 0, at, 0, at + 11);
    answer_free(&a);
    /* 日本語 and 🎬 are 13 bytes but 5 UTF-16 units: 8 columns fewer. */
    actions(*state, &l, &a, kl_span_make(at, at + 3), false, KL_LSP_UTF16);
    te = kl_node_at(kl_node_getz(tu_at(a.root, "0.edit.changes"), "file:///t.json"), 0);
    tu_assert_range(tu_at(te, "range"), 0, at - 8, 0, at - 8 + 11);
    answer_free(&a);
    linted_free(&l);
}

static void test_action_move_into_input(void **state)
{
    static const char text[] = "{\n  \"model\": \"" UNI "\",\n"
                               "  \"input\": {\n    \"prompt\": \"日本語🎬\"\n  },\n"
                               "  \"duration\": 5\n}\n";
    char *fixed = quick_fix(*state, text, "\"duration\"", "unknown-field",
                            "move `duration` into `input`", KL_LSP_UTF16);
    /* The member is inside `input` now, and the document still parses. */
    kl_source *src;
    kl_doc *doc;
    kl_diags *d;
    assert_int_equal(kl_diags_new(&d), KL_OK);
    assert_int_equal(kl_source_from_memory(&src, "f", fixed, strlen(fixed)), KL_OK);
    assert_int_equal(kl_json_load(&doc, src, NULL, d), KL_OK);
    assert_non_null(kl_node_getz(kl_node_getz(kl_doc_root(doc), "input"), "duration"));
    assert_null(kl_node_getz(kl_doc_root(doc), "duration"));
    kl_doc_free(doc);
    kl_source_free(src);
    kl_diags_free(d);
    free(fixed);
}

static void test_action_aspect_ratio_auto(void **state)
{
    static const char text[] = "{\n  \"model\": \"" UNI "\",\n  \"input\": {\n"
                               "    \"prompt\": \"日本語🎬\",\n"
                               "    \"video_mode\": \"video_reference\",\n"
                               "    \"video_url\": \"https://x.test/v.mp4\",\n"
                               "    \"aspect_ratio\": \"16:9\"\n  }\n}\n";
    char *fixed = quick_fix(*state, text, "\"16:9\"", "aspect-ratio-with-video",
                            "set `aspect_ratio` to \"auto\"", KL_LSP_UTF8);
    assert_has(fixed, "\"aspect_ratio\": \"auto\"");
    free(fixed);
}

static void test_action_audio_off_with_video(void **state)
{
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"日本語🎬\", "
                               "\"video_mode\": \"video_reference\", \"video_url\": "
                               "\"https://x.test/v.mp4\", \"native_audio\": true}}";
    char *fixed = quick_fix(*state, text, "true", "audio-with-video", "set `native_audio` to false",
                            KL_LSP_UTF16);
    assert_has(fixed, "\"native_audio\": false}}");
    free(fixed);
}

static void test_action_outside_range_is_empty(void **state)
{
    static const char text[] = "{\"model\": \"" UNI "\", \"input\": {\"prompt\": \"p\", "
                               "\"durration\": 5}}";
    linted l;
    lint(*state, &l, text, strlen(text));
    answer a;
    actions(*state, &l, &a, kl_span_make(1, 3), false, KL_LSP_UTF16);
    assert_int_equal(a.root->kind, KL_JSON_ARRAY);
    assert_int_equal(a.root->len, 0);
    answer_free(&a);
    linted_free(&l);
}

static void test_action_fix_all(void **state)
{
    static const char text[] = "{\n  \"model\": \"" UNI "\",\n  \"input\": {\n"
                               "    \"prompt\": \"日本語🎬\", \"durration\": 5,\n"
                               "    \"video_mode\": \"video_reference\",\n"
                               "    \"video_url\": \"https://x.test/v.mp4\",\n"
                               "    \"native_audio\": true\n  }\n}\n";
    linted l;
    lint(*state, &l, text, strlen(text));
    assert_true(has_rule(l.diags, "unknown-field"));
    assert_true(has_rule(l.diags, "audio-with-video"));
    answer a;
    for (int enc = KL_LSP_UTF16; enc <= KL_LSP_UTF8; enc++) {
        actions(*state, &l, &a, kl_span_make(0, 0), true, (kl_lsp_encoding)enc);
        /* Nothing at offset 0: the only action is the fix-all. */
        assert_int_equal(a.root->len, 1);
        assert_string_equal(str(&a, a.root, "0.kind"), "source.fixAll.klint");
        assert_string_equal(str(&a, a.root, "0.title"), "Fix all: apply 2 klint fixes");
        char *fixed = apply(&a, l.src, tu_at(a.root, "0.edit"), (kl_lsp_encoding)enc);
        linted again;
        lint(*state, &again, fixed, strlen(fixed));
        assert_false(has_rule(again.diags, "unknown-field"));
        assert_false(has_rule(again.diags, "audio-with-video"));
        assert_has(fixed, "\"prompt\": \"日本語🎬\", \"duration\": 5,");
        linted_free(&again);
        free(fixed);
        answer_free(&a);
    }
    linted_free(&l);
}

/*
 * Fix-all takes what `klint --fix` takes: safe fixes only, and in a JSON Lines record
 * nothing that would break its line; a quick fix is preferred only when it is safe.
 *   line 0  {"a":1,"b":2}   1 at 5, 2 at 11 (the line ends at 13)
 *   line 1  {"c":3}         3 at 19 (the line is 14-21)
 */
static void add_fixed(kl_diags *d, uint32_t at, const char *text, bool unsafe)
{
    kl_edit edit = {kl_span_make(at, at + 1), text};
    kl_fix fix = {"replace it", &edit, 1, unsafe};
    kl_diag x = {.rule = "test-rule",
                 .severity = KL_SEV_WARNING,
                 .message = "m",
                 .path = "$",
                 .span = kl_span_make(at, at + 1),
                 .fixes = &fix,
                 .n_fixes = 1};
    assert_int_equal(kl_diags_add(d, &x), KL_OK);
}

static void test_action_unsafe_and_record_fixes(void **state)
{
    fixture *f = *state;
    static const char text[] = "{\"a\":1,\"b\":2}\n{\"c\":3}\n";
    linted l;
    assert_int_equal(kl_source_from_memory(&l.src, "t.json", text, strlen(text)), KL_OK);
    assert_int_equal(kl_diags_new(&l.diags), KL_OK);
    add_fixed(l.diags, 5, "10", true);
    add_fixed(l.diags, 11, "20", false);
    add_fixed(l.diags, 19, "[\n3]", false);

    /* JSON: the safe fixes, the line break included */
    answer a;
    actions(f, &l, &a, kl_span_make(5, 5), true, KL_LSP_UTF16);
    assert_int_equal(a.root->len, 2);
    assert_string_equal(str(&a, a.root, "0.kind"), "quickfix");
    assert_int_equal(tu_at(a.root, "0.isPreferred")->kind, KL_JSON_FALSE); /* unsafe */
    assert_string_equal(str(&a, a.root, "1.title"), "Fix all: apply 2 klint fixes");
    char *fixed = apply(&a, l.src, tu_at(a.root, "1.edit"), KL_LSP_UTF16);
    assert_string_equal(fixed, "{\"a\":1,\"b\":20}\n{\"c\":[\n3]}\n");
    free(fixed);
    answer_free(&a);

    /* JSON Lines, one record: line 0 takes its safe fix; line 1's would break the line:
     * no fix-all */
    kl_lsp_doc doc = {.uri = "file:///t.json", .src = l.src, .rules = f->rs, .jsonl = true};
    static const struct {
        uint32_t start, end;
        uint32_t at;
        const char *title; /* of the fix-all, or NULL */
    } cases[] = {{0, 13, 11, "Fix all: apply 1 klint fix"}, {14, 21, 19, NULL}};
    for (size_t i = 0; i < 2; i++) {
        kl_span scope = kl_span_make(cases[i].start, cases[i].end);
        actions_in(&a, &doc, l.diags, kl_span_make(cases[i].at, cases[i].at), &scope);
        assert_string_equal(str(&a, a.root, "0.kind"), "quickfix");
        assert_int_equal(tu_at(a.root, "0.isPreferred")->kind, KL_JSON_TRUE);
        if (cases[i].title == NULL) {
            assert_int_equal(a.root->len, 1);
        } else {
            assert_int_equal(a.root->len, 2);
            assert_string_equal(str(&a, a.root, "1.title"), cases[i].title);
            fixed = apply(&a, l.src, tu_at(a.root, "1.edit"), KL_LSP_UTF16);
            assert_string_equal(fixed, "{\"a\":1,\"b\":20}\n{\"c\":3}\n");
            free(fixed);
        }
        answer_free(&a);
    }
    /* JSON Lines, the whole text: still no line break */
    kl_span whole = kl_span_make(0, l.src->len);
    actions_in(&a, &doc, l.diags, kl_span_make(0, 0), &whole);
    assert_int_equal(a.root->len, 1);
    assert_string_equal(str(&a, a.root, "0.title"), "Fix all: apply 1 klint fix");
    answer_free(&a);
    linted_free(&l);
}

/* ---- Any text, any offset ---------------------------------------------------------- */

static void test_every_offset_of_broken_texts(void **state)
{
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, '{', 99);
    deep[199] = '\0';
    const char *texts[] = {
        "",
        "{",
        "{\"",
        "}}]]::,,",
        "{\"a\":",
        "\"\\u12",
        "{\"model\": \"" UNI "\", \"input\": {\"multi_shots\": [{\"prompt\": \"日本語🎬\"",
        "{\"model\": \"" UNI "\", \"input\": {\"mode\": \"p\\\"\n \"x\": tru }",
        "\xff\xfe{\"\xc3\": \"\xe6\x97\"}",
        "{\"a\": 1} {\"b\": 2}",
        "[{\"model\": \"" UNI "\"}]",
        deep,
    };
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        size_t len = strlen(texts[t]);
        for (uint32_t off = 0; off <= len; off++) {
            for (int req = HOVER; req <= COMPLETE; req++) {
                answer a;
                ask(*state, &a, (request)req, texts[t], off);
                assert_true(a.root->kind == (req == HOVER ? a.root->kind : KL_JSON_OBJECT));
                answer_free(&a);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hover_key_unifically),
        cmocka_unit_test(test_hover_key_conditional_default_and_required),
        cmocka_unit_test(test_hover_value_rejected_unifically),
        cmocka_unit_test(test_hover_value_allowed_givon),
        cmocka_unit_test(test_hover_value_out_of_range_replicate),
        cmocka_unit_test(test_hover_key_ezmodel_enum),
        cmocka_unit_test(test_hover_unknown_key_has_hint),
        cmocka_unit_test(test_hover_blank_is_null),
        cmocka_unit_test(test_hover_while_typing),
        cmocka_unit_test(test_hover_forced_profile),
        cmocka_unit_test(test_hover_ranges_utf16_utf8),
        cmocka_unit_test(test_complete_blank_line_in_broken_document),
        cmocka_unit_test(test_complete_half_typed_key_utf16),
        cmocka_unit_test(test_complete_half_typed_key_utf8),
        cmocka_unit_test(test_complete_unclosed_key),
        cmocka_unit_test(test_complete_renaming_key_keeps_value),
        cmocka_unit_test(test_complete_adds_commas),
        cmocka_unit_test(test_complete_enum_in_string),
        cmocka_unit_test(test_complete_boolean_value),
        cmocka_unit_test(test_complete_without_profile),
        cmocka_unit_test(test_complete_plain_text_without_snippets),
        cmocka_unit_test(test_complete_inside_list_items),
        cmocka_unit_test(test_complete_in_valid_document),
        cmocka_unit_test(test_action_rename),
        cmocka_unit_test(test_action_rename_ranges),
        cmocka_unit_test(test_action_move_into_input),
        cmocka_unit_test(test_action_aspect_ratio_auto),
        cmocka_unit_test(test_action_audio_off_with_video),
        cmocka_unit_test(test_action_outside_range_is_empty),
        cmocka_unit_test(test_action_fix_all),
        cmocka_unit_test(test_action_unsafe_and_record_fixes),
        cmocka_unit_test(test_every_offset_of_broken_texts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
