/* workloads/qsetting.c — quantization settings: YAML rules (fnmatch globs, later wins) → per-layer precision.
 * Defaults when absent: weight float, membrane float, uniform, per-channel, input_bits 8. */
#include "workloads/qsetting.h"

#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/yaml.h"

enum { HAS_W = 1, HAS_S = 2, HAS_G = 4, HAS_M = 8 };

typedef struct rule {
    char glob[128];
    myelin_layer_quant q;
    int mask;        /* which fields the rule sets */
    char file[512];  /* where it came from ("" for API rules) */
    int line, column;
} rule;

struct myelin_qsetting {
    int input_bits;
    myelin_layer_quant def;
    int n, cap;
    rule *rules;
};

static const char *const scheme_names[] = {"uniform", "pot", NULL};
static const char *const gran_names[] = {"channel", "tensor", NULL};

typedef struct fields {
    char match[128];
    int weight_bits, scheme, granularity, membrane_bits;
} fields;

#define FIELD_KEYS                                                                                          \
    {"weight_bits", MYELIN_YT_BITS, offsetof(fields, weight_bits), 0, 1, 16, -1, NULL, NULL, "bits", 0,        \
     "1..16 or float"},                                                                                      \
    {"scheme", MYELIN_YT_ENUM, offsetof(fields, scheme), 0, 0, 0, -1, NULL, scheme_names, NULL, 0,             \
     "uniform | pot"},                                                                                       \
    {"granularity", MYELIN_YT_ENUM, offsetof(fields, granularity), 0, 0, 0, -1, NULL, gran_names, NULL, 0,     \
     "channel | tensor"},                                                                                    \
    {"membrane_bits", MYELIN_YT_BITS, offsetof(fields, membrane_bits), 0, 2, 32, -1, NULL, NULL, "bits", 0,    \
     "2..32 or float"}

static const myelin_yaml_key default_keys[] = {FIELD_KEYS};
static const myelin_yaml_key rule_keys[] = {
    {"match", MYELIN_YT_STRING, offsetof(fields, match), 128, 0, 0, 0, NULL, NULL, NULL, 1, "layer-name glob"},
    FIELD_KEYS};

typedef struct top {
    int input_bits;
} top;
static const myelin_yaml_key top_keys[] = {
    {"input_bits", MYELIN_YT_INT, offsetof(top, input_bits), 0, 2, 16, 8, NULL, NULL, "bits", 0, "image bits"},
    {"default", MYELIN_YT_MAP, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "precision of every layer"},
    {"layers", MYELIN_YT_LIST, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "rules, later override earlier"},
};

static int q_new(myelin_qsetting **out, myelin_error *err)
{
    myelin_qsetting *q = calloc(1, sizeof *q);
    if (!q)
        return myelin_error_set(err, MYELIN_ENOMEM, "", 0, 0, "out of memory");
    q->input_bits = 8;
    q->def = (myelin_layer_quant){MYELIN_BITS_FLOAT, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, MYELIN_BITS_FLOAT};
    *out = q;
    return 0;
}

static int push_rule(myelin_qsetting *q, const rule *r, myelin_error *err)
{
    if (q->n == q->cap) {
        int nc = q->cap ? 2 * q->cap : 8;
        rule *nr = realloc(q->rules, (size_t)nc * sizeof *nr);
        if (!nr)
            return myelin_error_set(err, MYELIN_ENOMEM, "", 0, 0, "out of memory");
        q->rules = nr;
        q->cap = nc;
    }
    q->rules[q->n++] = *r;
    return 0;
}

static int mask_of(const fields *f)
{
    return (f->weight_bits >= 0 ? HAS_W : 0) | (f->scheme >= 0 ? HAS_S : 0) | (f->granularity >= 0 ? HAS_G : 0) |
           (f->membrane_bits >= 0 ? HAS_M : 0);
}

static void apply(myelin_layer_quant *dst, const myelin_layer_quant *src, int mask)
{
    if (mask & HAS_W)
        dst->weight_bits = src->weight_bits;
    if (mask & HAS_S)
        dst->scheme = src->scheme;
    if (mask & HAS_G)
        dst->granularity = src->granularity;
    if (mask & HAS_M)
        dst->membrane_bits = src->membrane_bits;
}

static myelin_layer_quant to_quant(const fields *f)
{
    return (myelin_layer_quant){f->weight_bits, (myelin_scheme)f->scheme, (myelin_granularity)f->granularity,
                                f->membrane_bits};
}

int myelin_qsetting_load_string(const char *yaml_text, const char *source, myelin_qsetting **out,
                                myelin_error *err)
{
    *out = NULL;
    myelin_yaml_doc *doc = NULL;
    int rc = myelin_yaml_load_string(yaml_text, source, &doc, err);
    if (rc)
        return rc;
    myelin_qsetting *q = NULL;
    if ((rc = q_new(&q, err)))
        goto done;
    top t;
    rc = myelin_yaml_read_map(doc->root, top_keys, 3, &t, "quantization setting", err);
    if (rc)
        goto done;
    q->input_bits = t.input_bits;
    const myelin_yaml_node *d = myelin_yaml_get(doc->root, "default");
    if (d) {
        fields f;
        if ((rc = myelin_yaml_read_map(d, default_keys, 4, &f, "default", err)))
            goto done;
        myelin_layer_quant lq = to_quant(&f);
        apply(&q->def, &lq, mask_of(&f));
    }
    const myelin_yaml_node *ls = myelin_yaml_get(doc->root, "layers");
    for (size_t i = 0; ls && i < ls->n; i++) {
        fields f;
        memset(&f, 0, sizeof f);
        if ((rc = myelin_yaml_read_map(ls->items[i], rule_keys, 5, &f, "layer rule", err)))
            goto done;
        rule r;
        memset(&r, 0, sizeof r);
        snprintf(r.glob, sizeof r.glob, "%s", f.match);
        r.q = to_quant(&f);
        r.mask = mask_of(&f);
        snprintf(r.file, sizeof r.file, "%s", source);
        const myelin_yaml_node *m = myelin_yaml_get(ls->items[i], "match");
        r.line = m->line;
        r.column = m->column;
        if ((rc = push_rule(q, &r, err)))
            goto done;
    }
done:
    myelin_yaml_free(doc);
    if (rc) {
        myelin_qsetting_free(q);
        return rc;
    }
    *out = q;
    return 0;
}

int myelin_qsetting_load(const char *path, myelin_qsetting **out, myelin_error *err)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = myelin_read_file_max(path, MYELIN_READ_MAX_TEXT_BYTES, &data, &len, err);
    if (rc)
        return rc;
    if (memchr(data, '\0', len)) { /* the string loader would stop at it and read half the file */
        free(data);
        return myelin_error_set(err, MYELIN_ESYNTAX, path, 0, 0, "file contains a NUL byte");
    }
    rc = myelin_qsetting_load_string(data, path, out, err);
    free(data);
    return rc;
}

int myelin_qsetting_float(myelin_qsetting **out, myelin_error *err)
{
    return q_new(out, err);
}

int myelin_qsetting_uniform(int weight_bits, int membrane_bits, myelin_scheme scheme, myelin_qsetting **out,
                            myelin_error *err)
{
    *out = NULL;
    if ((weight_bits != MYELIN_BITS_FLOAT && (weight_bits < 1 || weight_bits > 16)) ||
        (membrane_bits != MYELIN_BITS_FLOAT && (membrane_bits < 2 || membrane_bits > 32)))
        return myelin_error_set(err, MYELIN_EUSAGE, "", 0, 0,
                                "weight bits must be 1..16 and membrane bits 2..32 (or float), got %d and %d",
                                weight_bits, membrane_bits);
    int rc = q_new(out, err);
    if (rc)
        return rc;
    (*out)->def = (myelin_layer_quant){weight_bits, scheme, MYELIN_GRAN_CHANNEL, membrane_bits};
    return 0;
}

int myelin_qsetting_add_rule(myelin_qsetting *q, const char *glob, const myelin_layer_quant *lq, myelin_error *err)
{
    if (!q || !glob || !lq || strlen(glob) >= sizeof ((rule *)0)->glob)
        return myelin_error_set(err, MYELIN_EUSAGE, "", 0, 0, "myelin_qsetting_add_rule: bad argument");
    rule r;
    memset(&r, 0, sizeof r);
    snprintf(r.glob, sizeof r.glob, "%s", glob);
    r.q = *lq;
    r.mask = HAS_W | HAS_S | HAS_G | HAS_M;
    return push_rule(q, &r, err);
}

int myelin_qsetting_input_bits(const myelin_qsetting *q)
{
    return q ? q->input_bits : 8;
}

int myelin_qsetting_set_input_bits(myelin_qsetting *q, int bits, myelin_error *err)
{
    if (bits < 2 || bits > 16)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "input bits must be between 2 and 16 inclusive (got %d)", bits);
    q->input_bits = bits;
    return 0;
}

int myelin_qsetting_resolve(const myelin_qsetting *q, const myelin_workload *wl, myelin_layer_quant *per_layer,
                            myelin_error *err)
{
    for (int i = 0; i < wl->n_layers; i++)
        per_layer[i] = q->def;
    for (int r = 0; r < q->n; r++) {
        const rule *ru = &q->rules[r];
        int hits = 0;
        for (int i = 0; i < wl->n_layers; i++)
            if (fnmatch(ru->glob, wl->layers[i].name, 0) == 0) {
                apply(&per_layer[i], &ru->q, ru->mask);
                hits++;
            }
        if (!hits)
            return myelin_error_set(err, MYELIN_ESCHEMA, ru->file, ru->line, ru->column,
                                    "rule '%s' matches no layer of workload '%s' (names look like "
                                    "'block.0.mlp.fc1'; see workload.h)",
                                    ru->glob, wl->name);
    }
    return 0;
}

void myelin_qsetting_free(myelin_qsetting *q)
{
    if (!q)
        return;
    free(q->rules);
    free(q);
}

const char *myelin_bits_str(int bits, char *buf, unsigned len)
{
    if (bits == MYELIN_BITS_FLOAT)
        snprintf(buf, len, "float");
    else
        snprintf(buf, len, "%d", bits);
    return buf;
}
