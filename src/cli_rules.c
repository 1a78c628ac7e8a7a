/*
 * `klint rules [--profile ID] [--rules PATH]...`: every profile's rules, one
 * line each (severity, rule id, constraints-doc id, place, summary).
 * `klint explain RULE [--rules PATH]...`: what a rule id means and, per
 * profile, where it applies, what is allowed, when, and the provider source.
 * Both read the same compiled ruleset the linter uses; neither knows a
 * provider: everything printed comes from the rule files.
 */
#include "cli_rules.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checks.h"
#include "cli.h"
#include "klint/print.h"
#include "lsp_server.h"
#include "rules.h"

/* ---- Loading ------------------------------------------------------------ */

static void print_problems(void *ctx, const kl_source *src, const kl_diags *diags)
{
    FILE *err = ctx;
    kl_printer *p;
    kl_print_options opts = {false};
    if (kl_printer_new(&p, "text", err, &opts) != KL_OK)
        return;
    for (size_t i = 0; i < kl_diags_count(diags); i++)
        kl_printer_diag(p, src, kl_diags_at(diags, i));
    kl_printer_free(p);
}

int kl_cli_ruleset(const char *const *paths, size_t n_paths, const char *profile, FILE *err,
                   kl_ruleset **out)
{
    *out = NULL;
    kl_ruleset *rs;
    int rc = kl_ruleset_new(&rs);
    if (rc == KL_OK)
        rc = kl_ruleset_add_builtin(rs);
    for (size_t i = 0; rc == KL_OK && i < n_paths; i++) {
        rc = kl_ruleset_add_path(rs, paths[i]);
        if (rc == KL_EIO) {
            fprintf(err, "klint: cannot read rules '%s': %s\n", paths[i], strerror(errno));
            kl_ruleset_free(rs);
            return KL_EXIT_USAGE;
        }
    }
    if (rc == KL_OK)
        rc = kl_ruleset_finish(rs, print_problems, err);
    if (rc == KL_EUSAGE) {
        fputs("klint: the rule files above have errors; nothing was linted\n", err);
        kl_ruleset_free(rs);
        return KL_EXIT_USAGE;
    }
    if (rc != KL_OK) {
        fprintf(err, "klint: internal error: %s\n", kl_error_str(rc));
        kl_ruleset_free(rs);
        return KL_EXIT_INTERNAL;
    }
    if (profile != NULL && kl_ruleset_find_profile(rs, profile) == NULL) {
        fprintf(err, "klint: unknown profile '%s'; known profiles:\n", profile);
        for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++)
            fprintf(err, "  %s\n", kl_profile_id(kl_ruleset_profile_at(rs, i)));
        kl_ruleset_free(rs);
        return KL_EXIT_USAGE;
    }
    *out = rs;
    return KL_EXIT_CLEAN;
}

/* ---- Describing rows ------------------------------------------------------ */

static void put_list(kl_buf *b, const kl_node *list)
{
    for (uint32_t i = 0; list && i < list->len; i++) {
        const kl_node *e = &list->u.children[i];
        if (i)
            kl_buf_puts(b, ", ");
        if (e->kind == KL_JSON_STRING)
            kl_buf_printf(b, "\"%.*s\"", (int)e->len, e->u.str);
        else if (e->kind == KL_JSON_NUMBER)
            kl_buf_put(b, e->u.str, e->len);
        else
            kl_buf_puts(b, e->kind == KL_JSON_TRUE ? "true" : e->kind == KL_JSON_FALSE ? "false"
                                                                                        : "...");
    }
}

static void put_ref(kl_buf *b, const kl_profile *p, kl_ref ref)
{
    kl_buf_puts(b, ref.rel ? "@" : "");
    if (ref.rel) {
        /* Relative: show the item's member path, e.g. @.type */
        const kl_field *f = &p->fields[ref.field];
        if (f->step == KL_STEP_MEMBER)
            kl_buf_printf(b, ".%.*s", (int)f->name_len, f->name);
        return;
    }
    kl_buf_puts(b, p->fields[ref.field].path);
}

static void put_operand(kl_buf *b, const kl_profile *p, const kl_operand *op)
{
    switch (op->kind) {
    case KL_OP_LIT: {
        kl_node one = *op->lit;
        const kl_node arr = {KL_JSON_ARRAY, 0, 1, {0, 0}, {0, 0}, NULL, 0, {.children = &one},
                             NULL};
        put_list(b, &arr);
        break;
    }
    case KL_OP_PATH:
        put_ref(b, p, op->ref);
        break;
    case KL_OP_SENT:
        kl_buf_puts(b, "sent ");
        put_ref(b, p, op->ref);
        break;
    case KL_OP_LEN:
        kl_buf_puts(b, "len(");
        for (uint16_t i = 0; i < op->n_refs; i++) {
            if (i)
                kl_buf_puts(b, " + ");
            put_ref(b, p, op->refs[i]);
        }
        kl_buf_putc(b, ')');
        break;
    case KL_OP_COUNT:
        kl_buf_puts(b, "count(");
        put_ref(b, p, op->ref);
        kl_buf_puts(b, ", ...)");
        break;
    case KL_OP_SUM:
        kl_buf_puts(b, "sum(");
        put_ref(b, p, op->ref);
        kl_buf_putc(b, ')');
        break;
    default:
        break;
    }
}

static void put_cond(kl_buf *b, const kl_profile *p, int32_t idx)
{
    static const char *const cmp[] = {[KL_C_EQ] = " == ", [KL_C_NE] = " != ",
                                      [KL_C_LT] = " < ",  [KL_C_LE] = " <= ",
                                      [KL_C_GT] = " > ",  [KL_C_GE] = " >= "};
    const kl_cond *c = &p->conds[idx];
    switch (c->kind) {
    case KL_C_TRUE:
        kl_buf_puts(b, "always");
        break;
    case KL_C_FALSE:
        kl_buf_puts(b, "never");
        break;
    case KL_C_PRESENT:
    case KL_C_ABSENT:
    case KL_C_EXISTS:
        kl_buf_puts(b, c->kind == KL_C_PRESENT ? "present(" : c->kind == KL_C_ABSENT ? "absent("
                                                                                     : "sent(");
        put_ref(b, p, c->ref);
        kl_buf_putc(b, ')');
        break;
    case KL_C_EQ:
    case KL_C_NE:
    case KL_C_LT:
    case KL_C_LE:
    case KL_C_GT:
    case KL_C_GE:
        put_operand(b, p, &c->a);
        kl_buf_puts(b, cmp[c->kind]);
        put_operand(b, p, &c->b);
        break;
    case KL_C_IN:
        put_operand(b, p, &c->a);
        kl_buf_puts(b, " in {");
        put_list(b, c->list);
        kl_buf_putc(b, '}');
        break;
    case KL_C_IS:
        put_ref(b, p, c->ref);
        kl_buf_puts(b, " is ");
        for (uint32_t bit = 1; bit <= KL_T_NULL; bit <<= 1)
            if (c->types & bit)
                kl_buf_printf(b, "%s ", kl_type_name(bit));
        break;
    case KL_C_ANY:
    case KL_C_ALL:
        kl_buf_puts(b, c->kind == KL_C_ANY ? "any item of " : "every item of ");
        put_ref(b, p, c->ref);
        kl_buf_puts(b, " has ");
        put_cond(b, p, c->kids[0]);
        break;
    case KL_C_KEYS_IN:
        put_ref(b, p, c->ref);
        kl_buf_puts(b, " has only keys {");
        put_list(b, c->list);
        kl_buf_putc(b, '}');
        break;
    case KL_C_AND:
    case KL_C_OR:
        for (uint16_t i = 0; i < c->n_kids; i++) {
            if (i)
                kl_buf_puts(b, c->kind == KL_C_AND ? " and " : " or ");
            bool paren = p->conds[c->kids[i]].kind == KL_C_AND || p->conds[c->kids[i]].kind == KL_C_OR;
            kl_buf_puts(b, paren ? "(" : "");
            put_cond(b, p, c->kids[i]);
            kl_buf_puts(b, paren ? ")" : "");
        }
        break;
    case KL_C_NOT:
        kl_buf_puts(b, "not (");
        put_cond(b, p, c->kids[0]);
        kl_buf_putc(b, ')');
        break;
    default:
        break;
    }
}

static void put_bounds(kl_buf *b, const kl_profile *p, const kl_params *pr, const char *unit)
{
    bool lo = pr->min.kind != KL_OP_NONE, hi = pr->max.kind != KL_OP_NONE;
    if (lo && hi) {
        put_operand(b, p, &pr->min);
        kl_buf_puts(b, "\xe2\x80\x93");
        put_operand(b, p, &pr->max);
    } else if (hi) {
        kl_buf_puts(b, "at most ");
        put_operand(b, p, &pr->max);
    } else if (lo) {
        kl_buf_puts(b, "at least ");
        put_operand(b, p, &pr->min);
    }
    if (unit && (lo || hi))
        kl_buf_puts(b, unit);
}

/* What a row allows, in a few words, from its check and parameters. */
static void describe(kl_buf *b, const kl_profile *p, const kl_row *r)
{
    const kl_params *pr = &r->p;
    const char *check = r->check->name;
    if (strcmp(check, "type") == 0) {
        for (uint32_t bit = 1, n = 0; bit <= KL_T_NULL; bit <<= 1)
            if (pr->types & bit)
                kl_buf_printf(b, "%s%s", n++ ? " or " : "", kl_type_phrase(bit));
    } else if (strcmp(check, "enum") == 0) {
        kl_buf_puts(b, "one of ");
        put_list(b, pr->values);
    } else if (strcmp(check, "not-enum") == 0) {
        kl_buf_puts(b, "none of ");
        put_list(b, pr->values);
    } else if (strcmp(check, "range") == 0) {
        put_bounds(b, p, pr, NULL);
        if (pr->step)
            kl_buf_printf(b, ", step %.*s", (int)pr->step->len, pr->step->u.str);
    } else if (strcmp(check, "length") == 0) {
        put_bounds(b, p, pr, " characters");
    } else if (strcmp(check, "count") == 0) {
        if (pr->n_paths > 1) {
            kl_buf_puts(b, "items of ");
            for (uint16_t i = 0; i < pr->n_paths; i++)
                kl_buf_printf(b, "%s%s", i ? " + " : "", p->fields[pr->paths[i].field].path);
            kl_buf_puts(b, ": ");
        }
        put_bounds(b, p, pr, " items");
    } else if (strcmp(check, "required") == 0) {
        kl_buf_puts(b, "required");
    } else if (strcmp(check, "forbidden") == 0) {
        kl_buf_puts(b, "must not be sent");
    } else if (strcmp(check, "requires") == 0 || strcmp(check, "excludes") == 0 ||
               strcmp(check, "exactly-one-of") == 0 || strcmp(check, "at-most-one-of") == 0 ||
               strcmp(check, "at-least-one-of") == 0) {
        kl_buf_printf(b, "%s ", check);
        for (uint16_t i = 0; i < pr->n_paths; i++)
            kl_buf_printf(b, "%s%s", i ? ", " : "", p->fields[pr->paths[i].field].path);
    } else if (strcmp(check, "sum") == 0) {
        kl_buf_printf(b, "sum of %s ", p->fields[pr->list.field].path);
        if (pr->equals.kind != KL_OP_NONE) {
            kl_buf_puts(b, "equals ");
            put_operand(b, p, &pr->equals);
        } else {
            put_bounds(b, p, pr, NULL);
        }
    } else if (strcmp(check, "index-within") == 0) {
        kl_buf_printf(b, "an index (from %lld) into %s", (long long)pr->base,
                      p->fields[pr->list.field].path);
    } else if (strcmp(check, "references") == 0) {
        for (uint16_t i = 0; i < pr->n_tokens; i++) {
            const kl_token_spec *t = &pr->tokens[i];
            kl_buf_printf(b, "%s%s -> ", i ? "; " : "", t->pattern);
            if (t->n_lists == 0)
                kl_buf_puts(b, "(nothing)");
            for (uint16_t k = 0; k < t->n_lists; k++)
                kl_buf_printf(b, "%s%s", k ? " + " : "", p->fields[t->lists[k].field].path);
        }
    } else if (strcmp(check, "uri-scheme") == 0) {
        kl_buf_puts(b, "schemes ");
        put_list(b, pr->strings);
    } else if (strcmp(check, "media-type") == 0) {
        put_list(b, pr->strings);
        if (pr->strings && pr->mimes)
            kl_buf_puts(b, " / ");
        put_list(b, pr->mimes);
    } else if (strcmp(check, "data-uri-size") == 0) {
        kl_buf_puts(b, "data: URI of ");
        put_bounds(b, p, pr, " bytes");
    } else if (strcmp(check, "image-dimensions") == 0) {
        if (pr->min_side > 0)
            kl_buf_printf(b, "sides >= %g px ", pr->min_side);
        if (pr->max_side > 0)
            kl_buf_printf(b, "sides <= %g px ", pr->max_side);
        if (pr->min_aspect > 0 || pr->max_aspect > 0)
            kl_buf_printf(b, "aspect %g-%g", pr->min_aspect, pr->max_aspect);
    } else if (strcmp(check, "assert") == 0) {
        put_cond(b, p, pr->that);
    }
}

void kl_rules_describe_row(kl_buf *b, const kl_profile *p, const kl_row *r)
{
    describe(b, p, r);
}

void kl_rules_describe_cond(kl_buf *b, const kl_profile *p, int32_t cond)
{
    put_cond(b, p, cond);
}

/* ---- klint rules ---------------------------------------------------------- */

static void list_profile(FILE *out, const kl_profile *p)
{
    fprintf(out, "%s  (%s%s%s)\n", p->id, p->provider, p->title ? ": " : "",
            p->title ? p->title : "");
    kl_buf b = KL_BUF_INIT;
    for (uint16_t f = 0; f < p->n_fields; f++) {
        const kl_field *fl = &p->fields[f];
        if (fl->hash == NULL || fl->unknown_allow)
            continue;
        fprintf(out, "  %-8s %-26s %-10s %-36s %s\n", kl_severity_name(fl->unknown_sev),
                "unknown-field", fl->unknown_doc ? fl->unknown_doc : "-", fl->path,
                "keys not declared here");
    }
    for (uint32_t i = 0; i < p->n_rows; i++) {
        const kl_row *r = &p->rows[i];
        kl_buf_clear(&b);
        if (r->summary)
            kl_buf_puts(&b, r->summary);
        else
            describe(&b, p, r);
        if (r->when >= 0 && r->summary == NULL) {
            kl_buf_puts(&b, ", when ");
            put_cond(&b, p, r->when);
        }
        fprintf(out, "  %-8s %-26s %-10s %-36s %s%s%s%s\n", kl_severity_name(r->severity), r->id,
                r->doc ? r->doc : "-", p->fields[r->at].path, kl_buf_cstr(&b),
                r->overlay ? " [overlay " : "", r->overlay ? r->overlay : "",
                r->overlay ? "]" : "");
    }
    for (uint16_t i = 0; i < p->n_na; i++)
        fprintf(out, "  %-8s %-26s %-10s %-36s %s\n", "n/a", "-", p->na[i].doc, "-",
                p->na[i].reason);
    fputc('\n', out);
    kl_buf_dispose(&b);
}

/* ---- klint explain ------------------------------------------------------------ */

static void put_sources(FILE *out, const kl_profile *p, const char *keys)
{
    if (keys == NULL)
        return;
    const char *s = keys;
    while (*s) {
        const char *e = strstr(s, ", ");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        size_t tlen = 0;
        const char *text = kl_profile_source_text(p, s, len, &tlen);
        fprintf(out, "    source %.*s%s%.*s\n", (int)len, s, text ? ": " : "", (int)tlen,
                text ? text : "");
        s = e ? e + 2 : s + len;
    }
}

static bool explain_profile(FILE *out, const kl_ruleset *rs, const kl_profile *p, const char *id)
{
    bool header = false;
    kl_buf b = KL_BUF_INIT;
    (void)rs;
    for (uint32_t i = 0; i < p->n_rows; i++) {
        const kl_row *r = &p->rows[i];
        if (strcmp(r->id, id) != 0)
            continue;
        if (!header) {
            fprintf(out, "\n%s (%s)\n", p->id, p->provider);
            header = true;
        }
        const kl_field *at = &p->fields[r->at];
        fprintf(out, "  %s at %s [%s]%s%s\n", kl_severity_name(r->severity), at->path,
                r->doc ? r->doc : "-", r->overlay ? " overlay " : "",
                r->overlay ? r->overlay : "");
        if (r->summary)
            fprintf(out, "    %s\n", r->summary);
        if (r->explain)
            fprintf(out, "    %s\n", r->explain);
        kl_buf_clear(&b);
        describe(&b, p, r);
        fprintf(out, "    allowed: %s\n", kl_buf_cstr(&b));
        if (r->when >= 0) {
            kl_buf_clear(&b);
            put_cond(&b, p, r->when);
            fprintf(out, "    when: %s\n", kl_buf_cstr(&b));
        }
        if (at->description)
            fprintf(out, "    field: %s\n", at->description);
        put_sources(out, p, r->source);
    }
    if (strcmp(id, "unknown-field") == 0) {
        for (uint16_t f = 0; f < p->n_fields; f++) {
            const kl_field *fl = &p->fields[f];
            if (fl->hash == NULL || fl->unknown_allow)
                continue;
            if (!header) {
                fprintf(out, "\n%s (%s)\n", p->id, p->provider);
                header = true;
            }
            fprintf(out, "  %s for keys not declared in %s [%s]\n",
                    kl_severity_name(fl->unknown_sev), fl->path,
                    fl->unknown_doc ? fl->unknown_doc : "-");
            kl_buf_clear(&b);
            for (uint16_t k = 0; k < fl->n_children; k++) {
                const kl_field *ch = &p->fields[fl->children[k]];
                kl_buf_printf(&b, "%s%.*s", k ? ", " : "", (int)ch->name_len, ch->name);
            }
            fprintf(out, "    known: %s\n", kl_buf_cstr(&b));
            put_sources(out, p, fl->unknown_source);
        }
    }
    kl_buf_dispose(&b);
    return header;
}

/* ---- Subcommand dispatch -------------------------------------------------------- */

typedef struct sub_args {
    const char *profile;
    const char **rules;
    size_t n_rules;
    const char *operand;
    bool help;
} sub_args;

static bool parse_sub(int argc, char **argv, sub_args *a, bool wants_operand, FILE *err)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        size_t nl = strlen(arg);
        const char *eq = strchr(arg, '=');
        if (eq && arg[0] == '-') {
            nl = (size_t)(eq - arg);
            val = eq + 1;
        }
        if ((nl == 9 && strncmp(arg, "--profile", 9) == 0) ||
            (nl == 7 && strncmp(arg, "--rules", 7) == 0)) {
            if (val == NULL) {
                if (i + 1 >= argc) {
                    fprintf(err, "klint: option '%.*s' needs a value\n", (int)nl, arg);
                    return false;
                }
                val = argv[++i];
            }
            if (nl == 9)
                a->profile = val;
            else
                a->rules[a->n_rules++] = val;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(err, "klint: unknown option '%s' for '%s'\n", arg, argv[1]);
            return false;
        } else if (wants_operand && a->operand == NULL) {
            a->operand = arg;
        } else {
            fprintf(err, "klint: unexpected argument '%s' for '%s'\n", arg, argv[1]);
            return false;
        }
    }
    if (wants_operand && a->operand == NULL && !a->help) {
        fprintf(err, "klint: '%s' needs a rule id (klint rules lists them)\n", argv[1]);
        return false;
    }
    return true;
}

static const char *const subcommands[] = {"rules", "explain", "lsp"};

bool kl_cli_is_subcommand(int argc, char **argv)
{
    if (argc < 2)
        return false;
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        if (strcmp(argv[1], subcommands[i]) == 0)
            return true;
    return false;
}

static int cmd_rules(FILE *out, const kl_ruleset *rs, const char *profile)
{
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        const kl_profile *p = kl_ruleset_profile_at(rs, i);
        if (profile == NULL || strcmp(profile, p->id) == 0)
            list_profile(out, p);
    }
    return KL_EXIT_CLEAN;
}

static int cmd_explain(FILE *out, FILE *err, const kl_ruleset *rs, const char *id,
                       const char *profile)
{
    const kl_rule_id *ri = kl_ruleset_rule_id_find(rs, id);
    if (ri == NULL) {
        fprintf(err, "klint: unknown rule '%s'", id);
        for (size_t i = 0; i < kl_ruleset_rule_id_count(rs); i++) {
            const kl_rule_id *x = kl_ruleset_rule_id_at(rs, i);
            if (kl_edit_distance(x->id, strlen(x->id), id, strlen(id), 3) <= 3) {
                fprintf(err, "; did you mean '%s'?", x->id);
                break;
            }
        }
        fputs(" (klint rules lists them)\n", err);
        return KL_EXIT_USAGE;
    }
    fprintf(out, "%s: %s\n", ri->id, ri->summary);
    if (ri->explain)
        fprintf(out, "\n%s\n", ri->explain);
    bool any = false;
    for (size_t i = 0; i < kl_ruleset_profile_count(rs); i++) {
        const kl_profile *p = kl_ruleset_profile_at(rs, i);
        if (profile == NULL || strcmp(profile, p->id) == 0)
            any |= explain_profile(out, rs, p, id);
    }
    if (!any)
        fputs("\n(no profile has a row with this id: it is reported by klint itself)\n", out);
    return KL_EXIT_CLEAN;
}

int kl_cli_subcommand(int argc, char **argv, FILE *out, FILE *err)
{
    if (strcmp(argv[1], "lsp") == 0)
        return kl_lsp_main(argc, argv, out, err);
    bool explain = strcmp(argv[1], "explain") == 0;
    sub_args a = {0};
    a.rules = calloc((size_t)argc, sizeof(*a.rules));
    if (a.rules == NULL) {
        fprintf(err, "klint: internal error: %s\n", kl_error_str(KL_ENOMEM));
        return KL_EXIT_INTERNAL;
    }
    int status = KL_EXIT_CLEAN;
    if (!parse_sub(argc, argv, &a, explain, err)) {
        status = KL_EXIT_USAGE;
    } else if (a.help) {
        fputs(explain ? "Usage: klint explain RULE [--profile ID] [--rules PATH]...\n"
                        "Print what rule RULE checks, where, with what limits, and its sources.\n"
                      : "Usage: klint rules [--profile ID] [--rules PATH]...\n"
                        "List every profile's rules: severity, rule id, constraints-doc id,\n"
                        "place and what is allowed.\n",
              out);
    } else {
        kl_ruleset *rs;
        status = kl_cli_ruleset(a.rules, a.n_rules, a.profile, err, &rs);
        if (status == KL_EXIT_CLEAN) {
            status = explain ? cmd_explain(out, err, rs, a.operand, a.profile)
                             : cmd_rules(out, rs, a.profile);
            kl_ruleset_free(rs);
        }
    }
    free(a.rules);
    if (fflush(out) != 0 && status == KL_EXIT_CLEAN)
        status = KL_EXIT_USAGE;
    return status;
}
