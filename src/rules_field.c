/*
 * The field table of a profile: what each path in the rule file is. A
 * path becomes a chain of fields (member, [*] item, the JSON parsed from a
 * json-string), each object field gets a member hash for the engine's
 * walk, and each field its plain attributes (types, concept, description,
 * `unknown`), defaults and default cases; the rows its checking attributes
 * imply are rules_implied.c's.
 *
 * Two passes, so that paths may name fields declared later in the file:
 * every field first (in declaration order, which is the order of an
 * object's children), then defaults and implied rows.
 */
#include "rules_cc.h"

#include <string.h>

#define FIELD_KEYS                                                                             \
    "path type concept description required default default_when enum min max step "          \
    "min_length max_length min_items max_items schemes media max_bytes image unknown parsed "  \
    "doc severity source"
#define PARSED_KEYS                                                                            \
    "type description enum min max step min_length max_length min_items max_items unknown "    \
    "doc severity source"

/* Member names are few and short: their length and the bytes at both ends and in the middle
 * tell them apart well enough for a table twice their number (collisions are probed). */
static uint32_t hash_name(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    uint32_t h = (uint32_t)len * 2654435761u;
    h ^= u[0] * 31u ^ u[len - 1] * 131u ^ u[len / 2] * 1031u;
    return h ^ (h >> 15);
}

/* The MEMBER child of fields[f] named `name`, by its member hash; KL_NONE when none. */
static uint16_t hashed_child(const kl_field *fields, uint16_t f, const char *name, size_t len)
{
    const kl_field *fl = &fields[f];
    if (fl->hash == NULL)
        return KL_NONE;
    uint32_t i = hash_name(name, len) & fl->hash_mask;
    for (;;) {
        uint16_t c = fl->hash[i];
        if (c == KL_NONE)
            return KL_NONE;
        const kl_field *x = &fields[c];
        if (x->name_len == len && memcmp(x->name, name, len) == 0)
            return c;
        i = (i + 1) & fl->hash_mask;
    }
}

uint16_t kl_field_child(const kl_profile *p, uint16_t f, const char *name, size_t len)
{
    return hashed_child(p->fields, f, name, len);
}

uint16_t kl_cc_member(kl_cc *C, uint16_t f, const char *name, size_t len)
{
    const kl_pbuild *b = C->b;
    if (b->hashed)
        return hashed_child(b->fields, f, name, len);
    for (uint32_t i = 0; i < b->n_fields; i++) {
        const kl_field *x = &b->fields[i];
        if (x->parent == f && x->name_len == len && x->step == KL_STEP_MEMBER &&
            memcmp(x->name, name, len) == 0)
            return (uint16_t)i;
    }
    return KL_NONE;
}

/* Append field `step` of `parent` (`name` for a MEMBER); its index, or -1. */
static int32_t new_field(kl_cc *C, uint16_t parent, kl_step step, const char *name,
                         size_t name_len, const char *path)
{
    kl_pbuild *b = C->b;
    if (b->n_fields >= KL_NONE - 1) {
        C->failed = true;
        return -1;
    }
    kl_field *fields = kl_cc_grow(C, b->fields, &b->cap_fields, b->n_fields, sizeof(kl_field));
    if (fields == NULL)
        return -1;
    b->fields = fields;
    const kl_node **specs =
        kl_cc_grow(C, b->field_specs, &b->cap_specs, b->n_fields, sizeof(*specs));
    if (specs == NULL)
        return -1;
    b->field_specs = specs;
    uint16_t idx = (uint16_t)b->n_fields++;
    kl_field *f = &fields[idx];
    memset(f, 0, sizeof(*f));
    specs[idx] = NULL;
    f->parent = parent;
    f->step = (uint8_t)step;
    f->item_child = KL_NONE;
    f->parsed_child = KL_NONE;
    f->anchor = KL_NONE;
    f->unknown_sev = KL_SEV_WARNING;
    f->path = path;
    if (name) {
        f->name = kl_arena_strndup(C->arena, name, name_len);
        f->name_len = (uint32_t)name_len;
        if (f->name == NULL)
            C->failed = true;
    }
    if (parent != KL_NONE) {
        kl_field *pf = &fields[parent];
        f->in_item = pf->in_item || step == KL_STEP_ITEM;
        f->anchor = step == KL_STEP_ITEM ? idx : pf->anchor;
        f->depth = (uint16_t)(pf->depth + 1);
        if (step == KL_STEP_ITEM)
            pf->item_child = idx;
        if (step == KL_STEP_PARSED)
            pf->parsed_child = idx;
    }
    return idx;
}

static bool parse_unknown(kl_cc *C, uint16_t f, const kl_node *u)
{
    kl_field *fl = &C->b->fields[f];
    if (u == NULL)
        return true;
    if (kl_cc_is(u, "allow")) {
        fl->unknown_allow = true;
        return true;
    }
    if (u->kind == KL_JSON_STRING)
        return kl_cc_severity(C, u, &fl->unknown_sev);
    if (u->kind != KL_JSON_OBJECT || !kl_cc_keys(C, u, "`unknown`", "severity doc source", NULL)) {
        if (u->kind != KL_JSON_OBJECT)
            kl_cc_error(C, u, false, "`unknown` is a severity, \"allow\", or {\"severity\", "
                                     "\"doc\", \"source\"}");
        return false;
    }
    const kl_node *sv = KL_CC_GET(u, "severity");
    if (sv && !kl_cc_severity(C, sv, &C->b->fields[f].unknown_sev))
        return false;
    C->b->fields[f].unknown_doc = kl_cc_joined(C, KL_CC_GET(u, "doc"), "`doc`");
    C->b->fields[f].unknown_source = kl_cc_joined(C, KL_CC_GET(u, "source"), "`source`");
    return true;
}

/* The types a spec's `type` member `t` (NULL: none) allows; 0 when none is given. */
static uint32_t spec_types(kl_cc *C, const kl_node *t)
{
    if (t != NULL && t->kind == KL_JSON_OBJECT)
        t = KL_CC_GET(t, "value");
    uint32_t types = 0;
    if (t != NULL)
        kl_cc_types(C, t, &types);
    return types;
}

/* The members of a field spec pass 1 reads, picked in one pass (kl_cc_pick). */
enum { F_PATH, F_TYPE, F_CONCEPT, F_DESCRIPTION, F_DOC, F_SOURCE, F_UNKNOWN, F_PARSED, F_COUNT };
static const kl_cc_name field_names[F_COUNT] = {
    KL_CC_NAME("path"), KL_CC_NAME("type"),   KL_CC_NAME("concept"), KL_CC_NAME("description"),
    KL_CC_NAME("doc"),  KL_CC_NAME("source"), KL_CC_NAME("unknown"), KL_CC_NAME("parsed"),
};

/* Pass 1: create the field (and its parsed child) and its plain attributes. */
static void field_pass1(kl_cc *C, const kl_node *spec)
{
    if (spec->kind != KL_JSON_OBJECT) {
        kl_cc_error(C, spec, false, "a field is an object with at least `path`");
        return;
    }
    if (!kl_cc_keys(C, spec, "a field", FIELD_KEYS, NULL))
        return;
    const kl_node *fm[F_COUNT];
    kl_cc_pick(spec, field_names, F_COUNT, fm);
    const kl_node *pn = fm[F_PATH];
    if (!kl_cc_want_string(C, pn, "`path`"))
        return;
    const char *t = pn->u.str;
    size_t n = pn->len;
    int32_t idx;
    if (n == 1 && t[0] == '$') {
        if (C->b->field_specs[0] != NULL) {
            kl_cc_error(C, pn, false, "field `$` is declared twice");
            return;
        }
        idx = 0;
    } else {
        size_t skip = (n > 2 && t[0] == '$' && t[1] == '.') ? 2 : 0;
        t += skip;
        n -= skip;
        kl_step step = KL_STEP_MEMBER;
        size_t cut; /* parent text is t[0..cut) */
        const char *name = NULL;
        size_t name_len = 0;
        char namebuf[256];
        if (n >= 3 && memcmp(t + n - 3, "[*]", 3) == 0) {
            step = KL_STEP_ITEM;
            cut = n - 3;
        } else if (n >= 4 && t[n - 1] == ']' && t[n - 2] == '\'') {
            size_t open = n - 2;
            while (open > 1 && !(t[open - 1] == '\'' && t[open - 2] == '['))
                open--;
            if (open <= 1) {
                kl_cc_error(C, pn, false, "malformed path");
                return;
            }
            cut = open - 2;
            for (size_t i = open; i < n - 2 && name_len < sizeof(namebuf); i++) {
                if (t[i] == '\\' && i + 1 < n - 2)
                    i++;
                namebuf[name_len++] = t[i];
            }
            name = namebuf;
        } else {
            cut = n;
            while (cut > 0 && t[cut - 1] != '.' && t[cut - 1] != ']')
                cut--;
            name = t + cut;
            name_len = n - cut;
            if (cut > 0 && t[cut - 1] == '.')
                cut--;
            if (name_len == 0) {
                kl_cc_error(C, pn, false, "malformed path");
                return;
            }
        }
        uint16_t parent = 0;
        if (cut > 0) {
            kl_node fake = *pn;
            fake.u.str = t;
            fake.len = (uint32_t)cut;
            kl_ref ref;
            if (!kl_cc_path(C, &fake, KL_NONE, true, &ref, NULL))
                return;
            parent = ref.field;
        }
        if (C->b->fields[parent].parsed_child != KL_NONE)
            parent = C->b->fields[parent].parsed_child;
        if (step == KL_STEP_ITEM) {
            if (C->b->fields[parent].item_child != KL_NONE) {
                kl_cc_error(C, pn, false, "field `%.*s` is declared twice", (int)pn->len,
                            pn->u.str);
                return;
            }
        } else if (kl_cc_member(C, parent, name, name_len) != KL_NONE) {
            kl_cc_error(C, pn, false, "field `%.*s` is declared twice", (int)pn->len, pn->u.str);
            return;
        }
        idx = new_field(C, parent, step, name, name_len, kl_cc_str(C, pn));
        if (idx < 0)
            return;
    }
    C->b->field_specs[idx] = spec;
    kl_field *f = &C->b->fields[idx];
    f->declared = true;
    f->spec = spec;
    f->types = spec_types(C, fm[F_TYPE]);
    const kl_node *v;
    if ((v = fm[F_CONCEPT]) != NULL && kl_cc_want_string(C, v, "`concept`"))
        C->b->fields[idx].concept = kl_cc_str(C, v);
    if ((v = fm[F_DESCRIPTION]) != NULL && kl_cc_want_string(C, v, "`description`"))
        C->b->fields[idx].description = kl_cc_str(C, v);
    C->b->fields[idx].doc = kl_cc_joined(C, fm[F_DOC], "`doc`");
    C->b->fields[idx].source = kl_cc_joined(C, fm[F_SOURCE], "`source`");
    if (!parse_unknown(C, (uint16_t)idx, fm[F_UNKNOWN]))
        return;

    const kl_node *parsed = fm[F_PARSED];
    if (C->b->fields[idx].types & KL_T_JSONSTR) {
        int32_t pc =
            new_field(C, (uint16_t)idx, KL_STEP_PARSED, NULL, 0, C->b->fields[idx].path);
        if (pc < 0)
            return;
        C->b->fields[pc].declared = true;
        if (parsed != NULL) {
            if (parsed->kind != KL_JSON_OBJECT) {
                kl_cc_error(C, parsed, false, "`parsed` is a field spec (without `path`)");
                return;
            }
            if (!kl_cc_keys(C, parsed, "`parsed`", PARSED_KEYS, NULL))
                return;
            C->b->field_specs[pc] = parsed;
            C->b->fields[pc].spec = parsed;
            C->b->fields[pc].types = spec_types(C, KL_CC_GET(parsed, "type"));
            C->b->fields[pc].concept = C->b->fields[idx].concept;
            C->b->fields[pc].description = C->b->fields[idx].description;
            if (!parse_unknown(C, (uint16_t)pc, KL_CC_GET(parsed, "unknown")))
                return;
        }
    } else if (parsed != NULL) {
        kl_cc_error(C, parsed, true, "`parsed` is only for fields of type json-string");
    }
}

/* Pass 2: defaults and (when `implied`) implied rows, once every field exists (conditions
 * name fields). */
static void field_pass2(kl_cc *C, uint16_t f, bool implied)
{
    const kl_node *spec = C->b->field_specs[f];
    if (spec == NULL)
        return;
    uint16_t scope = C->b->fields[f].anchor;
    const kl_node *v;
    if ((v = KL_CC_GET(spec, "default")) != NULL)
        C->b->fields[f].dflt = v;
    if ((v = KL_CC_GET(spec, "default_when")) != NULL) {
        if (!kl_cc_list(C, v, true, "`default_when` is a list of {\"when\", \"value\"}"))
            return;
        kl_default_case *cases = kl_cc_alloc(C, v->len * sizeof(*cases));
        if (cases == NULL)
            return;
        for (uint32_t i = 0; i < v->len; i++) {
            const kl_node *e = &v->u.children[i];
            if (!kl_cc_entry(C, e, "a default case", "{\"when\": C, \"value\": V}", "when value",
                             "when value"))
                return;
            cases[i].when = kl_cc_cond(C, KL_CC_GET(e, "when"), scope);
            cases[i].value = KL_CC_GET(e, "value");
            if (cases[i].when < 0)
                return;
        }
        C->b->fields[f].cases = cases;
        C->b->fields[f].n_cases = (uint16_t)v->len;
    }

    if (implied)
        kl_cc_implied(C, f);
}

static void build_children(kl_cc *C)
{
    kl_pbuild *b = C->b;
    b->hashed = true;
    for (uint32_t f = 0; f < b->n_fields; f++) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < b->n_fields; i++)
            if (b->fields[i].parent == f && b->fields[i].step == KL_STEP_MEMBER)
                n++;
        kl_field *fl = &b->fields[f];
        if (n == 0) {
            const kl_node *spec = b->field_specs[f];
            if (spec == NULL || KL_CC_GET(spec, "unknown") == NULL)
                fl->unknown_allow = fl->unknown_allow || f != 0;
            continue;
        }
        uint32_t size = 4;
        while (size < n * 2)
            size *= 2;
        fl->children = kl_cc_alloc(C, n * sizeof(uint16_t));
        fl->hash = kl_cc_alloc(C, size * sizeof(uint16_t));
        if (fl->children == NULL || fl->hash == NULL)
            return;
        fl->hash_mask = size - 1;
        for (uint32_t i = 0; i < size; i++)
            fl->hash[i] = KL_NONE;
        for (uint32_t i = 0; i < b->n_fields; i++) {
            const kl_field *x = &b->fields[i];
            if (x->parent != f || x->step != KL_STEP_MEMBER)
                continue;
            fl->children[fl->n_children++] = (uint16_t)i;
            uint32_t h = hash_name(x->name, x->name_len) & fl->hash_mask;
            while (fl->hash[h] != KL_NONE)
                h = (h + 1) & fl->hash_mask;
            fl->hash[h] = (uint16_t)i;
        }
    }
}

bool kl_cc_fields(kl_cc *C, const kl_node *fields, bool implied)
{
    kl_pbuild *b = C->b;
    if (new_field(C, KL_NONE, KL_STEP_ROOT, NULL, 0, "$") != 0)
        return false;
    b->fields[0].unknown_sev = KL_SEV_WARNING;
    for (uint32_t i = 0; i < fields->len; i++)
        field_pass1(C, &fields->u.children[i]);
    if (C->file->bad || C->failed)
        return false;
    build_children(C);
    for (uint32_t i = 0; i < b->n_fields; i++)
        field_pass2(C, (uint16_t)i, implied);
    return true;
}

void kl_cc_fields_implied(kl_cc *C)
{
    for (uint32_t i = 0; i < C->b->n_fields; i++)
        kl_cc_implied(C, (uint16_t)i);
}
