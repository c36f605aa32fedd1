/* workloads/workload.c — workload YAML → validated Spikformer layer graph (names per workload.h).
 *
 * Schema (keys; anything else is an error with a suggestion):
 *   name: spikformer-8-384      string, required
 *   family: spikformer          only value for now (default)
 *   depth: 8                    blocks, 1..64, required
 *   dim: 384                    embedding width D, 8..4096, divisible by 8 and by heads, required
 *   heads: 12                   1..64, required
 *   mlp_ratio: 4                1..16 (default 4)
 *   timesteps: 4                1..64, required
 *   input: {channels: 3, height: 224, width: 224}   channels 1..4, sizes 1..4096, required
 *   classes: 1000               1..100000, required
 *   stem_pool: [true, true, true, true]   four booleans (default all true: ImageNet)
 *   naming: conv | linear       state_dict naming (default conv)
 *   attention_order: qk_v | q_kv   (Q K^T) V as the public CIFAR code, or Q (K^T V) as the ImageNet
 *                               code; default follows naming (linear: qk_v, conv: q_kv)
 *   weights: tiny.safetensors   optional, relative to the YAML's folder (need not exist at load)
 *   normalize: {mean: [..], std: [..]}   optional, one entry per input channel; std > 0
 *   firing_rates: {default: 0.15, "block.*.attn.attn": 0.05}  rates in [0,1]; fnmatch keys; later
 *                               keys override earlier ones; a key matching no layer is an error;
 *                               keys match spiking layers and max pools (a pool not named is derived
 *                               from its input, models/cost.h; residual adds are always derived).
 *   dataset: {train: SPEC, val: SPEC, val_range: [FIRST, COUNT], test: SPEC}   optional dataset
 *                               specs (workloads/dataset.h) of the data the weights belong to; each
 *                               key optional; used as is (the search takes its default splits from
 *                               them); val_range: the validation images are FIRST..FIRST+COUNT-1 of
 *                               the val spec (e.g. the last 5000 of a training file). */
#include "workloads/workload.h"

#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "base/yaml.h"

const char *myelin_layer_kind_name(myelin_layer_kind kind)
{
    static const char *const names[] = {"conv", "linear", "attn", "maxpool", "add", "head"};
    return (unsigned)kind < MYELIN_LAYER_KIND_COUNT ? names[kind] : "?";
}

typedef struct spec {
    char name[MYELIN_NAME_MAX];
    int family, depth, dim, heads, mlp_ratio, timesteps, classes, naming, attn_order;
    char weights[MYELIN_PATH_MAX];
} spec;

static const char *const family_names[] = {"spikformer", NULL};
static const char *const naming_names[] = {"linear", "conv", NULL}; /* index = myelin_naming */
static const char *const order_names[] = {"qk_v", "q_kv", NULL};    /* index = myelin_attn_order */

#define K_INT(k, f, lo, hi, d, req, h) {k, MYELIN_YT_INT, offsetof(spec, f), 0, lo, hi, d, NULL, NULL, NULL, req, h}

static const myelin_yaml_key top_keys[] = {
    {"name", MYELIN_YT_STRING, offsetof(spec, name), MYELIN_NAME_MAX, 0, 0, 0, NULL, NULL, NULL, 1, "workload name"},
    {"family", MYELIN_YT_ENUM, offsetof(spec, family), 0, 0, 0, 0, NULL, family_names, NULL, 0, "model family"},
    K_INT("depth", depth, 1, 64, 0, 1, "number of transformer blocks"),
    K_INT("dim", dim, 8, 4096, 0, 1, "embedding width"),
    K_INT("heads", heads, 1, 64, 0, 1, "attention heads"),
    K_INT("mlp_ratio", mlp_ratio, 1, 16, 4, 0, "MLP hidden width / dim"),
    K_INT("timesteps", timesteps, 1, 64, 0, 1, "simulation timesteps"),
    K_INT("classes", classes, 1, 100000, 0, 1, "output classes"),
    {"input", MYELIN_YT_MAP, 0, 0, 0, 0, 0, NULL, NULL, NULL, 1, "input image {channels, height, width}"},
    {"stem_pool", MYELIN_YT_LIST, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "four booleans"},
    {"naming", MYELIN_YT_ENUM, offsetof(spec, naming), 0, 0, 0, MYELIN_NAMING_CONV, NULL, naming_names, NULL, 0,
     "state_dict naming"},
    {"attention_order", MYELIN_YT_ENUM, offsetof(spec, attn_order), 0, 0, 0, 2 /* from naming */, NULL,
     order_names, NULL, 0, "attention product order"},
    {"weights", MYELIN_YT_STRING, offsetof(spec, weights), MYELIN_PATH_MAX, 0, 0, 0, "", NULL, NULL, 0,
     "safetensors file"},
    {"normalize", MYELIN_YT_MAP, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "{mean: [..], std: [..]}"},
    {"firing_rates", MYELIN_YT_MAP, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "statistical-mode firing rates"},
    {"dataset", MYELIN_YT_MAP, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "{train, val, test} dataset specs"},
};

static const myelin_yaml_key dataset_keys[] = {
    {"train", MYELIN_YT_STRING, offsetof(myelin_workload, dataset_train), sizeof ((myelin_workload *)0)->dataset_train,
     0, 0, 0, "", NULL, NULL, 0, "training split spec"},
    {"val", MYELIN_YT_STRING, offsetof(myelin_workload, dataset_val), sizeof ((myelin_workload *)0)->dataset_val,
     0, 0, 0, "", NULL, NULL, 0, "validation split spec"},
    {"test", MYELIN_YT_STRING, offsetof(myelin_workload, dataset_test), sizeof ((myelin_workload *)0)->dataset_test,
     0, 0, 0, "", NULL, NULL, 0, "test split spec"},
    {"val_range", MYELIN_YT_LIST, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "[first, count] of the val spec"},
};

typedef struct input_spec {
    int channels, height, width;
} input_spec;

static const myelin_yaml_key input_keys[] = {
    {"channels", MYELIN_YT_INT, offsetof(input_spec, channels), 0, 1, 4, 0, NULL, NULL, NULL, 1, "image channels"},
    {"height", MYELIN_YT_INT, offsetof(input_spec, height), 0, 1, 4096, 0, NULL, NULL, "px", 1, "image height"},
    {"width", MYELIN_YT_INT, offsetof(input_spec, width), 0, 1, 4096, 0, NULL, NULL, "px", 1, "image width"},
};

static const myelin_yaml_key norm_keys[] = {
    {"mean", MYELIN_YT_LIST, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "per-channel mean"},
    {"std", MYELIN_YT_LIST, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, "per-channel std"},
};

static int pooled(int h)
{
    return (h - 1) / 2 + 1; /* 3x3, stride 2, pad 1 */
}

typedef struct builder {
    myelin_workload *wl;
    int cap;
    myelin_error *err;
} builder;

static myelin_layer *add_layer(builder *b, myelin_layer_kind kind, const char *fmt, int idx)
{
    if (b->wl->n_layers >= b->cap)
        return NULL;
    myelin_layer *l = &b->wl->layers[b->wl->n_layers++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, fmt, idx);
    l->kind = kind;
    l->kernel = 1;
    l->tau = 2.0;
    l->v_threshold = 1.0;
    l->firing_rate = b->wl->default_firing_rate;
    return l;
}

static void synapse(myelin_layer *l, int in, myelin_shape s_in, int c_out, int kernel, int has_bias,
                    const char *wname, const char *bnname)
{
    l->n_inputs = 1;
    l->inputs[0] = in;
    l->in_shape = s_in;
    l->c_in = s_in.c;
    l->c_out = c_out;
    l->kernel = kernel;
    l->has_bias = has_bias;
    l->out_shape = (myelin_shape){c_out, s_in.h, s_in.w};
    snprintf(l->weight_name, sizeof l->weight_name, "%s", wname);
    snprintf(l->bn_name, sizeof l->bn_name, "%s", bnname);
    l->has_lif = 1;
}

static void build_graph(builder *b)
{
    myelin_workload *wl = b->wl;
    const int D = wl->dim, conv = wl->naming == MYELIN_NAMING_CONV;
    const char *sfx = conv ? "conv" : "linear";
    char wn[128], bn[128];
    myelin_shape s = wl->input;
    int prev = MYELIN_INPUT_IMAGE;
    const int widths[4] = {D / 8, D / 4, D / 2, D};
    for (int i = 0; i < 4; i++) {
        myelin_layer *l = add_layer(b, MYELIN_LAYER_CONV, "sps.conv%d", i);
        if (i == 0) {
            snprintf(wn, sizeof wn, "patch_embed.proj_conv");
            snprintf(bn, sizeof bn, "patch_embed.proj_bn");
        } else {
            snprintf(wn, sizeof wn, "patch_embed.proj_conv%d", i);
            snprintf(bn, sizeof bn, "patch_embed.proj_bn%d", i);
        }
        synapse(l, prev, s, widths[i], 3, 0, wn, bn);
        l->real_input = i == 0;
        s = l->out_shape;
        prev = wl->n_layers - 1;
        if (wl->stem_pool[i]) {
            myelin_layer *p = add_layer(b, MYELIN_LAYER_MAXPOOL, "sps.pool%d", i);
            p->n_inputs = 1;
            p->inputs[0] = prev;
            p->in_shape = s;
            p->out_shape = (myelin_shape){s.c, pooled(s.h), pooled(s.w)};
            p->c_in = p->c_out = s.c;
            p->firing_rate = -1; /* derived from its input unless firing_rates names it */
            s = p->out_shape;
            prev = wl->n_layers - 1;
        }
    }
    int stem = prev;
    myelin_layer *r = add_layer(b, MYELIN_LAYER_CONV, "sps.rpe", 0);
    synapse(r, stem, s, D, 3, 0, "patch_embed.rpe_conv", "patch_embed.rpe_bn");
    int rpe = wl->n_layers - 1;
    myelin_layer *a = add_layer(b, MYELIN_LAYER_ADD, "sps.add", 0);
    a->n_inputs = 2;
    a->inputs[0] = rpe;
    a->inputs[1] = stem;
    a->in_shape = a->out_shape = s;
    a->c_in = a->c_out = D;
    int x = wl->n_layers - 1;
    const int H = wl->mlp_ratio * D;
    for (int blk = 0; blk < wl->depth; blk++) {
        int qkv[3];
        const char *qn[3] = {"q", "k", "v"};
        for (int j = 0; j < 3; j++) {
            char lname[64];
            snprintf(lname, sizeof lname, "block.%%d.attn.%s", qn[j]);
            myelin_layer *l = add_layer(b, MYELIN_LAYER_LINEAR, lname, blk);
            snprintf(wn, sizeof wn, "block.%d.attn.%s_%s", blk, qn[j], sfx);
            snprintf(bn, sizeof bn, "block.%d.attn.%s_bn", blk, qn[j]);
            synapse(l, x, s, D, 1, !conv, wn, bn);
            qkv[j] = wl->n_layers - 1;
        }
        myelin_layer *at = add_layer(b, MYELIN_LAYER_ATTN, "block.%d.attn.attn", blk);
        at->n_inputs = 3;
        for (int j = 0; j < 3; j++)
            at->inputs[j] = qkv[j];
        at->in_shape = at->out_shape = s;
        at->c_in = at->c_out = D;
        at->has_lif = 1;
        at->v_threshold = 0.5;
        at->heads = wl->heads;
        at->attn_scale = 0.125;
        at->attn_order = wl->attn_order;
        int att = wl->n_layers - 1;
        myelin_layer *pr = add_layer(b, MYELIN_LAYER_LINEAR, "block.%d.attn.proj", blk);
        snprintf(wn, sizeof wn, "block.%d.attn.proj_%s", blk, sfx);
        snprintf(bn, sizeof bn, "block.%d.attn.proj_bn", blk);
        synapse(pr, att, s, D, 1, 1, wn, bn);
        int proj = wl->n_layers - 1;
        myelin_layer *a1 = add_layer(b, MYELIN_LAYER_ADD, "block.%d.add1", blk);
        a1->n_inputs = 2;
        a1->inputs[0] = x;
        a1->inputs[1] = proj;
        a1->in_shape = a1->out_shape = s;
        a1->c_in = a1->c_out = D;
        int x1 = wl->n_layers - 1;
        myelin_layer *f1 = add_layer(b, MYELIN_LAYER_LINEAR, "block.%d.mlp.fc1", blk);
        snprintf(wn, sizeof wn, "block.%d.mlp.fc1_%s", blk, sfx);
        snprintf(bn, sizeof bn, "block.%d.mlp.fc1_bn", blk);
        synapse(f1, x1, s, H, 1, 1, wn, bn);
        int fc1 = wl->n_layers - 1;
        myelin_layer *f2 = add_layer(b, MYELIN_LAYER_LINEAR, "block.%d.mlp.fc2", blk);
        snprintf(wn, sizeof wn, "block.%d.mlp.fc2_%s", blk, sfx);
        snprintf(bn, sizeof bn, "block.%d.mlp.fc2_bn", blk);
        synapse(f2, fc1, f1->out_shape, D, 1, 1, wn, bn);
        int fc2 = wl->n_layers - 1;
        myelin_layer *a2 = add_layer(b, MYELIN_LAYER_ADD, "block.%d.add2", blk);
        a2->n_inputs = 2;
        a2->inputs[0] = x1;
        a2->inputs[1] = fc2;
        a2->in_shape = a2->out_shape = s;
        a2->c_in = a2->c_out = D;
        x = wl->n_layers - 1;
    }
    myelin_layer *h = add_layer(b, MYELIN_LAYER_HEAD, "head", 0);
    synapse(h, x, s, wl->classes, 1, 1, "head", "");
    h->has_lif = 0;
    h->out_shape = (myelin_shape){wl->classes, 1, 1};
    h->firing_rate = 0;
}

static int read_double_list(const myelin_yaml_node *seq, int n, double lo, double hi, double *out,
                            const char *what, myelin_error *err)
{
    if ((int)seq->n != n)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, seq, "expected %d values for %s (one per input channel), got %zu",
                                 n, what, seq->n);
    for (int i = 0; i < n; i++) {
        int rc = myelin_yaml_double(seq->items[i], lo, hi, &out[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

static int load_doc(const myelin_yaml_doc *doc, const char *source, myelin_workload **out, myelin_error *err)
{
    const myelin_yaml_node *root = doc->root;
    if (!root)
        return myelin_error_set(err, MYELIN_EMISSING, source, 1, 1, "empty workload: expected a mapping with name, depth, dim, ...");
    spec sp;
    memset(&sp, 0, sizeof sp);
    int rc = myelin_yaml_read_map(root, top_keys, sizeof top_keys / sizeof top_keys[0], &sp, "workload", err);
    if (rc)
        return rc;
    input_spec in;
    const myelin_yaml_node *in_node = myelin_yaml_get(root, "input");
    rc = myelin_yaml_read_map(in_node, input_keys, 3, &in, "input", err);
    if (rc)
        return rc;
    if (!sp.name[0])
        return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(root, "name"),
                                 "name: expected a non-empty string");
    const myelin_yaml_node *dim_node = myelin_yaml_get(root, "dim");
    if (sp.dim % 8)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, dim_node, "dim must be divisible by 8 (stem widths D/8..D), got %d", sp.dim);
    if (sp.dim % sp.heads)
        return myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(root, "heads"),
                                 "dim %d is not divisible by heads %d", sp.dim, sp.heads);
    myelin_workload *wl = calloc(1, sizeof *wl);
    if (!wl)
        return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory");
    snprintf(wl->name, sizeof wl->name, "%s", sp.name);
    snprintf(wl->source, sizeof wl->source, "%s", source);
    wl->depth = sp.depth;
    wl->dim = sp.dim;
    wl->heads = sp.heads;
    wl->mlp_ratio = sp.mlp_ratio;
    wl->timesteps = sp.timesteps;
    wl->classes = sp.classes;
    wl->input = (myelin_shape){in.channels, in.height, in.width};
    wl->naming = (myelin_naming)sp.naming;
    if (sp.attn_order == 2)
        wl->attn_order = wl->naming == MYELIN_NAMING_LINEAR ? MYELIN_ATTN_QK_V : MYELIN_ATTN_Q_KV;
    else
        wl->attn_order = (myelin_attn_order)sp.attn_order;
    for (int i = 0; i < 4; i++) {
        wl->stem_pool[i] = 1;
        wl->norm_mean[i] = 0;
        wl->norm_std[i] = 1;
    }
    wl->default_firing_rate = 0.15;
    const myelin_yaml_node *sp_node = myelin_yaml_get(root, "stem_pool");
    if (sp_node) {
        if (sp_node->n != 4) {
            rc = myelin_yaml_error(err, MYELIN_ESCHEMA, sp_node, "expected 4 booleans for stem_pool (one per stem stage), got %zu", sp_node->n);
            goto fail;
        }
        for (int i = 0; i < 4 && !rc; i++)
            rc = myelin_yaml_bool(sp_node->items[i], &wl->stem_pool[i], err);
        if (rc)
            goto fail;
    }
    int h = wl->input.h, w = wl->input.w;
    for (int i = 0; i < 4; i++)
        if (wl->stem_pool[i]) {
            if (h < 2 || w < 2) {
                rc = myelin_yaml_error(err, MYELIN_ESCHEMA, in_node,
                                       "input %dx%d is too small for the stem pools: stem_pool[%d] "
                                       "would max-pool a %dx%d map (at least 2x2 needed; turn it off)",
                                       wl->input.h, wl->input.w, i, h, w);
                goto fail;
            }
            h = pooled(h);
            w = pooled(w);
        }
    if (h < 1 || w < 1) {
        rc = myelin_yaml_error(err, MYELIN_ESCHEMA, in_node, "input is too small for the stem pools");
        goto fail;
    }
    if (sp.weights[0]) {
        char dir[MYELIN_PATH_MAX];
        myelin_path_dirname(source, dir, sizeof dir);
        if (myelin_path_join(dir, sp.weights, wl->weights_path, sizeof wl->weights_path)) {
            rc = myelin_yaml_error(err, MYELIN_ESCHEMA, myelin_yaml_get(root, "weights"), "weights path is too long");
            goto fail;
        }
    }
    const myelin_yaml_node *nm = myelin_yaml_get(root, "normalize");
    if (nm) {
        rc = myelin_yaml_read_map(nm, norm_keys, 2, NULL, "normalize", err);
        const myelin_yaml_node *m = myelin_yaml_get(nm, "mean"), *sd = myelin_yaml_get(nm, "std");
        if (!rc && m)
            rc = read_double_list(m, in.channels, -1e6, 1e6, wl->norm_mean, "normalize.mean", err);
        if (!rc && sd)
            rc = read_double_list(sd, in.channels, 1e-9, 1e6, wl->norm_std, "normalize.std", err);
        if (rc)
            goto fail;
    }
    const myelin_yaml_node *dsn = myelin_yaml_get(root, "dataset");
    if (dsn && (rc = myelin_yaml_read_map(dsn, dataset_keys, 4, wl, "dataset", err)))
        goto fail;
    const myelin_yaml_node *vr = myelin_yaml_get(dsn, "val_range");
    if (vr) {
        double fc[2] = {0, 0};
        if (vr->n != 2) {
            rc = myelin_yaml_error(err, MYELIN_ESCHEMA, vr, "expected [first, count] for dataset.val_range, got %zu values", vr->n);
            goto fail;
        }
        for (int i = 0; i < 2 && !rc; i++)
            rc = myelin_yaml_double(vr->items[i], i ? 1 : 0, 1e9, &fc[i], err);
        if (!rc && (fc[0] != (double)(int64_t)fc[0] || fc[1] != (double)(int64_t)fc[1]))
            rc = myelin_yaml_error(err, MYELIN_ESCHEMA, vr, "dataset.val_range: expected integers");
        if (rc)
            goto fail;
        wl->dataset_val_first = (int64_t)fc[0];
        wl->dataset_val_count = (int64_t)fc[1];
    }
    const myelin_yaml_node *fr = myelin_yaml_get(root, "firing_rates");
    const myelin_yaml_node *def = myelin_yaml_get(fr, "default");
    if (def && (rc = myelin_yaml_double(def, 0, 1, &wl->default_firing_rate, err)))
        goto fail;
    int cap = 4 * 2 + 2 + 9 * sp.depth + 1; /* stem+pools, rpe, add; 9 per block; head */
    wl->layers = calloc((size_t)cap, sizeof *wl->layers);
    if (!wl->layers) {
        rc = myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory");
        goto fail;
    }
    builder b = {wl, cap, err};
    build_graph(&b);
    for (size_t i = 0; fr && i < fr->n; i++) {
        const myelin_yaml_node *k = fr->items[2 * i], *v = fr->items[2 * i + 1];
        if (strcmp(k->scalar, "default") == 0)
            continue;
        double rate;
        if ((rc = myelin_yaml_double(v, 0, 1, &rate, err)))
            goto fail;
        int hits = 0;
        for (int j = 0; j < wl->n_layers; j++)
            if ((wl->layers[j].has_lif || wl->layers[j].kind == MYELIN_LAYER_MAXPOOL) &&
                fnmatch(k->scalar, wl->layers[j].name, 0) == 0) {
                wl->layers[j].firing_rate = rate;
                hits++;
            }
        if (!hits) {
            rc = myelin_yaml_error(err, MYELIN_ESCHEMA, k, "firing-rate key '%s' matches no spiking or pooling layer", k->scalar);
            goto fail;
        }
    }
    *out = wl;
    return 0;
fail:
    myelin_workload_free(wl);
    return rc;
}

int myelin_workload_load_string(const char *yaml_text, const char *source, myelin_workload **out,
                                myelin_error *err)
{
    *out = NULL;
    myelin_yaml_doc *doc = NULL;
    int rc = myelin_yaml_load_string(yaml_text, source, &doc, err);
    if (rc)
        return rc;
    rc = load_doc(doc, source, out, err);
    myelin_yaml_free(doc);
    return rc;
}

int myelin_workload_resolve(const char *name_or_path, char *out, size_t n, myelin_error *err)
{
    struct stat st;
    if (strchr(name_or_path, '/') || (stat(name_or_path, &st) == 0 && S_ISREG(st.st_mode))) {
        if (strlen(name_or_path) >= n)
            return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "path too long: %s", name_or_path);
        memcpy(out, name_or_path, strlen(name_or_path) + 1);
        return 0;
    }
    char rel[MYELIN_PATH_MAX], tried[900];
    if (snprintf(rel, sizeof rel, "workloads/zoo/%s.yaml", name_or_path) < (int)sizeof rel &&
        myelin_data_find(rel, out, n, tried, sizeof tried) == 0)
        return 0;
    return myelin_error_set(err, MYELIN_EMISSING, NULL, 0, 0,
                            "no workload file or zoo model called '%s' (looked for %s; set "
                            "MYELIN_DATADIR to the data folder)",
                            name_or_path, tried);
}

int myelin_workload_load(const char *path, myelin_workload **out, myelin_error *err)
{
    *out = NULL;
    myelin_yaml_doc *doc = NULL;
    int rc = myelin_yaml_load_file(path, &doc, err);
    if (rc)
        return rc;
    rc = load_doc(doc, path, out, err);
    myelin_yaml_free(doc);
    return rc;
}

void myelin_workload_free(myelin_workload *wl)
{
    if (!wl)
        return;
    free(wl->layers);
    free(wl);
}

int myelin_workload_find_layer(const myelin_workload *wl, const char *name)
{
    for (int i = 0; i < wl->n_layers; i++)
        if (strcmp(wl->layers[i].name, name) == 0)
            return i;
    return -1;
}

int64_t myelin_layer_weight_count(const myelin_layer *l)
{
    if (l->kind == MYELIN_LAYER_CONV || l->kind == MYELIN_LAYER_LINEAR || l->kind == MYELIN_LAYER_HEAD)
        return (int64_t)l->c_in * l->c_out * l->kernel * l->kernel;
    return 0;
}

int64_t myelin_layer_params(const myelin_layer *l)
{
    int64_t p = myelin_layer_weight_count(l);
    if (!p)
        return 0;
    if (l->has_bias)
        p += l->c_out;
    if (l->bn_name[0])
        p += 2 * (int64_t)l->c_out;
    return p;
}

int64_t myelin_workload_params(const myelin_workload *wl)
{
    int64_t t = 0;
    for (int i = 0; i < wl->n_layers; i++)
        t += myelin_layer_params(&wl->layers[i]);
    return t;
}

int64_t myelin_layer_dense_macs(const myelin_layer *l)
{
    int64_t n = (int64_t)l->out_shape.h * l->out_shape.w;
    switch (l->kind) {
    case MYELIN_LAYER_CONV:
        return n * l->c_out * l->c_in * 9;
    case MYELIN_LAYER_LINEAR:
        return n * l->c_out * l->c_in;
    case MYELIN_LAYER_ATTN: {
        int64_t dh = l->c_out / (l->heads ? l->heads : 1);
        if (l->attn_order == MYELIN_ATTN_QK_V)
            return 2 * n * n * dh * l->heads;
        return 2 * n * dh * dh * l->heads;
    }
    case MYELIN_LAYER_HEAD:
        return (int64_t)l->c_in * l->c_out;
    default:
        return 0;
    }
}

int64_t myelin_layer_neurons(const myelin_layer *l)
{
    return l->has_lif ? (int64_t)l->out_shape.c * l->out_shape.h * l->out_shape.w : 0;
}
