/*
 * Built against the installed headers and libklint.a only (through
 * pkg-config): loads a JSON string, checks the tree it gets, then a broken
 * string and the diagnostic it gets. Exit 0 when all holds.
 */
#include <stdio.h>
#include <string.h>

#include <klint.h>

static int fail(const char *what)
{
    fprintf(stderr, "use_libklint: %s\n", what);
    return 1;
}

int main(void)
{
    kl_diags *diags;
    if (kl_diags_new(&diags) != KL_OK)
        return fail("kl_diags_new");

    /* A well-formed document: a tree with the member we put in. */
    const char *good = "{\"model\": \"kling-3.0\", \"input\": {\"duration\": 5}}";
    kl_source *src;
    kl_doc *doc;
    if (kl_source_from_memory(&src, "good.json", good, strlen(good)) != KL_OK)
        return fail("kl_source_from_memory");
    if (kl_json_load(&doc, src, NULL, diags) != KL_OK)
        return fail("kl_json_load (good)");
    int64_t duration = 0;
    const kl_node *input = kl_node_getz(kl_doc_root(doc), "input");
    if (!kl_node_int64(kl_node_getz(input, "duration"), &duration) || duration != 5)
        return fail("input.duration is not 5");
    if (!kl_node_is_string(kl_node_getz(kl_doc_root(doc), "model"), "kling-3.0"))
        return fail("model is not \"kling-3.0\"");
    if (kl_diags_count(diags) != 0)
        return fail("diagnostics for a well-formed document");
    kl_doc_free(doc);
    kl_source_free(src);

    /* A trailing comma: one error diagnostic, no tree. */
    const char *bad = "[1, 2,]";
    if (kl_source_from_memory(&src, "bad.json", bad, strlen(bad)) != KL_OK)
        return fail("kl_source_from_memory");
    if (kl_json_load(&doc, src, NULL, diags) != KL_OK)
        return fail("kl_json_load (broken)");
    if (kl_doc_root(doc) != NULL)
        return fail("a tree for a broken document");
    if (kl_diags_count(diags) != 1 || kl_diags_count_severity(diags, KL_SEV_ERROR) != 1)
        return fail("expected exactly one error for \"[1, 2,]\"");
    kl_doc_free(doc);
    kl_source_free(src);

    kl_diags_free(diags);
    puts("ok");
    return 0;
}
