/* sim/engine.c — the functional engine: float / integer execution of the layer graph, action
 * counts, drift against cached float membranes.  Numerics contract in sim/engine.h. */
#include "sim/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels.h"
#include "models/quantizer.h"

typedef struct eng_layer {
    const myelin_layer_weights *fw; /* synaptic layers */
    int w_int;                      /* integer weights (quantized) */
    int m_int;                      /* integer membrane (LIF layers) */
    int m_bits;
    myelin_qweights q;              /* when w_int */
    int8_t *w8;                     /* the weights at int8 when every |w| <= 127 (q.wq freed) */
    int16_t *w16;                   /* else (or on spike inputs) at int16 (q.wq freed) */
    int8_t *p8;                     /* max |w| <= 127: the weights packed for the dense path */
    int8_t *p8r;                    /* and for an image's few channels (dense_pack_rows) */
    double *pd;                     /* float weights packed for the dense double path */
    int column_d;                   /* with pd: every weight finite, the double column path */
    int32_t wmax;                   /* max |w| */
    int column;                     /* spike input with int16 weights: the column path may run */
    myelin_kweights kw;             /* the stored width the kernels read */
    int n_ch;                       /* channels of the LIF tensor */
    double *s_acc;                  /* [n_ch] accumulator units */
    double *s_m;                    /* [n_ch] membrane units (m_int) */
    int *shift;                     /* [n_ch] k */
    int64_t *theta;                 /* [n_ch] threshold in membrane units */
    int acc32;                      /* int32 currents when run layer-major without drift */
    int64_t abound;                 /* with acc32: the bound on every |current| */
    int64_t vmax;                   /* with acc32: max |input value| (after the zero point) */
} eng_layer;

struct myelin_engine {
    const myelin_workload *wl;
    const myelin_layer_weights **lw; /* [n_layers] parameters (NULL for weightless layers) */
    myelin_layer_quant *lq; /* [n_layers] */
    int input_bits;
    double s_in;            /* image scale when the first layer is integer, else 0 */
    int64_t in_zero;        /* code of x = 0 (the b-bit codes are x_q + in_zero) */
    eng_layer *L;
    int64_t *h_off;         /* [n_layers] offset of a LIF layer's H block in one image's record */
    int64_t h_per_image;    /* doubles of H per image (sum of neurons x T over LIF layers) */
    int released;           /* some layer's float weights were released: no drift reference */
    int lm_first;           /* layers [lm_first, n) run layer-major (run_internal) */
    int *nmaps;             /* [n_layers] output maps a state holds: T or 1 */
    int64_t *out_off;       /* [n_layers] a layer-major layer's maps in the arena (lm_plan), or -1 */
    int *last_reader;       /* [n_layers] the last layer reading it */
    int64_t arena;          /* int32 entries of the arena */
    int64_t *vbound;        /* [n_layers] max |output value| from the graph (plan_acc32), or -1 */
    double *lut_f;          /* [C][256] an input byte's normalised value per channel */
    int32_t *lut_q;         /* [C][256] and its code (minus the zero point), when s_in > 0 */
};

struct myelin_engine_state {
    const myelin_engine *e;
    int32_t **out;          /* [n_layers] integer outputs (spike values) */
    int64_t **acc_i;        /* [n_layers] integer accumulators (shared, below) */
    double **acc_f;         /* [n_layers] float currents (shared, below) */
    int64_t *acc_i_shared;  /* one buffer for every layer but the image layer: a layer's current */
    double *acc_f_shared;   /* is consumed by its LIF in the same step (memory) */
    int32_t **v_i;          /* integer membranes: int32, as m <= 32 bits (checked at build), */
    int16_t **v_i16;        /* or int16 where m <= 16 (memory: 8-384 w8 holds 10.6 M) */
    double **v_f;
    int64_t *h_i;           /* scratch H (max neurons), allocated when drift needs it */
    double *h_f;
    int64_t max_neurons;
    int64_t *kv;            /* attention scratch */
    int32_t *delta;         /* a float layer's input change between steps (float_delta) */
    int32_t *bhist;         /* float_delta's per-channel basis and its histograms */
    int64_t bslack;         /* float currents and delta: room for one more position (basis) */
    int32_t *bmap;          /* float_delta: a 3x3 map of the basis (3x3 layers) */
    double *brows;          /* its sums: bias + W b at the 9 kinds of border positions */
    int32_t **dprev;        /* [n_layers] a time-step-major float layer's input of the last step */
    int64_t *head_sum;
    uint8_t *dense;         /* the dense path's scratch (NULL when no layer has packed weights) */
    int64_t dense_bytes;    /* its size */
    double *img_f;
    int32_t *img_q;
    int64_t *spikes, *events, *synops; /* [n_layers][T] of the last image */
    int64_t *sat;           /* [n_layers][3]: X saturated, H saturated, LIF updates (last image) */
    myelin_kcounts *kct;    /* [T] per-step counts of a batched layer */
    myelin_kcounts *kcl;    /* [T] per-step counts of lif_steps */
    int32_t *vbuf;          /* lif_steps' membranes of one block */
    int64_t *acc_fb;        /* an int32-current layer's sums when no int32 path took them */
    int64_t acc_fb_len;
    int32_t *arena;         /* the layer-major layers' output maps (lm_plan) */
    int64_t vbuf_len;
};

struct myelin_engine_reference {
    const myelin_workload *wl;
    int n_images;
    int64_t image_bytes;
    uint8_t *pixels;
    int64_t h_per_image;
    double *h;              /* [n_images][h_per_image] */
};

static int is_synaptic(myelin_layer_kind k)
{
    return k == MYELIN_LAYER_CONV || k == MYELIN_LAYER_LINEAR || k == MYELIN_LAYER_HEAD;
}

static int has_lif(const myelin_layer *ly)
{
    return ly->kind == MYELIN_LAYER_CONV || ly->kind == MYELIN_LAYER_LINEAR ||
           ly->kind == MYELIN_LAYER_ATTN;
}

static int64_t shape_size(myelin_shape s)
{
    return (int64_t)s.c * s.h * s.w;
}

/* Offsets of every LIF layer's H record [T][neurons] inside one image's block. */
static int64_t h_layout(const myelin_workload *wl, int64_t *off)
{
    int64_t total = 0;
    for (int i = 0; i < wl->n_layers; i++) {
        off[i] = total;
        if (has_lif(&wl->layers[i]))
            total += shape_size(wl->layers[i].out_shape) * wl->timesteps;
    }
    return total;
}

/* The fixed image quantizer (engine.h): x in [xlo, xhi] over all channels (0 included, so that
 * padding is code 0), step s = (xhi - xlo)/(2^b - 1): the b-bit codes q - round(xlo/s) are
 * unsigned and use the whole range.  Pixels in [0, 1] (mean 0, std 1) give s = 1/(2^b - 1): at 8
 * bits every pixel value has its own code. */
static double image_scale(const myelin_workload *wl, int bits, int64_t *zero_point)
{
    double xlo = 0, xhi = 0;
    for (int c = 0; c < wl->input.c && c < 4; c++) {
        double a = (0.0 - wl->norm_mean[c]) / wl->norm_std[c];
        double b = (1.0 - wl->norm_mean[c]) / wl->norm_std[c];
        double lo = a < b ? a : b, hi = a < b ? b : a;
        if (lo < xlo)
            xlo = lo;
        if (hi > xhi)
            xhi = hi;
    }
    double s = (xhi - xlo) / (double)(((int64_t)1 << bits) - 1);
    if (!(s > 0))
        s = 1.0;
    *zero_point = -(int64_t)llround(xlo / s);
    return s;
}

/* The fraction bits of an integer-membrane layer (see engine.h): the fixed rule, lowered where the
 * layer's current has an exact worst case beyond the fixed headroom.  ATTN: A = Q K^T V on binary
 * spikes is at most dh * N (every query, key and value spike on), so |X| <= dh N attn_scale; the
 * membrane then spans that bound and never saturates (|H| <= max(|V|, |X|) with V <= theta). */
static int layer_frac_bits(const myelin_layer *ly, int m)
{
    int f = myelin_kernel_frac_bits(m);
    if (ly->kind != MYELIN_LAYER_ATTN || ly->heads <= 0)
        return f;
    double dh = (double)(ly->out_shape.c / ly->heads);
    double ntok = (double)ly->out_shape.h * ly->out_shape.w;
    double bound = dh * ntok * ly->attn_scale / ly->v_threshold; /* in V_th */
    /* X spans at least 2^(m-1-f) V_th (theta <= 2^f): need 2^(m-1-f) > bound */
    int need = m - 1 - (int)floor(log2(bound)) - 1;
    if (need < 1)
        need = 1;
    return need < f ? need : f;
}

/* Per-channel membrane parameters of an integer-membrane layer (see engine.h). */
static int membrane_params(eng_layer *L, const myelin_layer *ly, myelin_error *err)
{
    int m = L->m_bits, f = layer_frac_bits(ly, m);
    double v_th = ly->v_threshold;
    const char *name = ly->name;
    for (int c = 0; c < L->n_ch; c++) {
        double s = L->s_acc[c];
        if (!(s > 0) || !isfinite(s))
            return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                    "layer %s channel %d: accumulator scale %g is not positive", name,
                                    c, s);
        int k = (int)ceil(log2(v_th / s)) - f;
        double sm = ldexp(s, k);
        int64_t th = (int64_t)llround(v_th / sm);
        /* theta in (2^(f-1), 2^f]; it must also stay below 2^(m-2) (only tiny m come close): a
         * current saturated at 2^(m-1)-1 then still gives H = 2^(m-2)-1 >= theta from rest, as the
         * float LIF fires for X >= 2 V_th. */
        if (th >= ((int64_t)1 << (m - 2))) {
            k++;
            sm = ldexp(s, k);
            th = (int64_t)llround(v_th / sm);
        }
        if (th < 1)
            th = 1;
        L->shift[c] = k;
        L->s_m[c] = sm;
        L->theta[c] = th;
    }
    return 0;
}

/* The graph must be consistent before any buffer is sized from it: producers come first and
 * every tensor a layer reads has the size it expects. */
static int check_graph(const myelin_workload *wl, myelin_error *err)
{
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *ly = &wl->layers[i];
        int64_t in_sz = shape_size(ly->in_shape), out_sz = shape_size(ly->out_shape);
        if (ly->n_inputs < 1 || ly->n_inputs > 3)
            goto bad;
        for (int k = 0; k < ly->n_inputs; k++) {
            int p = ly->inputs[k];
            if (p == MYELIN_INPUT_IMAGE) {
                if (k != 0 || (ly->kind != MYELIN_LAYER_CONV && ly->kind != MYELIN_LAYER_LINEAR) ||
                    ly->in_shape.c != wl->input.c || ly->in_shape.h != wl->input.h ||
                    ly->in_shape.w != wl->input.w)
                    goto bad;
                continue;
            }
            if (p < 0 || p >= i || wl->layers[p].kind == MYELIN_LAYER_HEAD)
                goto bad;
            int64_t want = (ly->kind == MYELIN_LAYER_ATTN || ly->kind == MYELIN_LAYER_ADD) ? out_sz
                                                                                          : in_sz;
            if (shape_size(wl->layers[p].out_shape) != want)
                goto bad;
        }
        switch (ly->kind) {
        case MYELIN_LAYER_CONV:
        case MYELIN_LAYER_LINEAR:
            if (ly->in_shape.c != ly->c_in || ly->out_shape.c != ly->c_out ||
                ly->in_shape.h != ly->out_shape.h || ly->in_shape.w != ly->out_shape.w ||
                ly->kernel != (ly->kind == MYELIN_LAYER_CONV ? 3 : 1) || ly->v_threshold <= 0)
                goto bad;
            break;
        case MYELIN_LAYER_ATTN:
            if (ly->v_threshold <= 0 || !(ly->attn_scale > 0))
                goto bad;
            break;
        case MYELIN_LAYER_MAXPOOL:
            if (ly->out_shape.c != ly->in_shape.c || ly->out_shape.h != (ly->in_shape.h + 1) / 2 ||
                ly->out_shape.w != (ly->in_shape.w + 1) / 2)
                goto bad;
            break;
        case MYELIN_LAYER_ADD:
            if (ly->n_inputs != 2)
                goto bad;
            break;
        case MYELIN_LAYER_HEAD:
            if (ly->in_shape.c != ly->c_in || ly->c_out != wl->classes || ly->kernel != 1)
                goto bad;
            break;
        default:
            goto bad;
        }
        continue;
    bad:
        return myelin_error_set(err, MYELIN_ESHAPE, wl->source, 0, 0,
                                "workload %s: layer %d (%s, %s) has inputs or shapes the engine "
                                "cannot run", wl->name, i, ly->name,
                                myelin_layer_kind_name(ly->kind));
    }
    return 0;
}

/* Stores the quantized weights at the narrowest of int8 / int16 that holds them exactly and frees
 * the int32 copy (memory: a quarter at w8; spike-input layers keep int16, the column path's rows,
 * beside the dense path's int8 panels); wider weights, and the head (read one weight at a
 * time), keep int32. */
static int narrow_weights(eng_layer *L, int is_head, int spike_input, myelin_error *err)
{
    L->kw.w32 = L->q.wq;
    if (is_head)
        return 0;
    size_t n = (size_t)L->q.kernel * L->q.kernel * L->q.c_in * L->q.c_out;
    int64_t m = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t a = L->q.wq[k] < 0 ? -(int64_t)L->q.wq[k] : L->q.wq[k];
        m = a > m ? a : m;
    }
    if (m > INT16_MAX)
        return 0;
    L->wmax = (int32_t)m;
    if (m <= INT8_MAX) {
        if (!(L->w8 = malloc(n ? n : 1)))
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
        for (size_t k = 0; k < n; k++)
            L->w8[k] = (int8_t)L->q.wq[k];
        int64_t pb = myelin_kernel_dense_packed_bytes(L->q.c_in, L->q.c_out, L->q.kernel);
        if (!(L->p8 = malloc((size_t)(pb ? pb : 1))))
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
        myelin_kernel_dense_pack(L->w8, L->q.c_in, L->q.c_out, L->q.kernel, L->p8);
        if (!spike_input && L->q.c_in < 4 && L->q.kernel == 3) {
            /* an image's few channels: the row-expanded implicit GEMM's packing */
            int64_t rb = myelin_kernel_dense_packed_rows_bytes(L->q.c_in, L->q.c_out, 3);
            if (!(L->p8r = malloc((size_t)(rb ? rb : 1))))
                return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
            myelin_kernel_dense_pack_rows(L->w8, L->q.c_in, L->q.c_out, 3, L->p8r);
        }
    }
    if (m <= INT8_MAX && spike_input) {
        /* spike inputs: the column path reads int16 rows; the gather / scatter fallbacks read the
         * same int16 weights, so the int8 scatter-layout copy is dropped again */
        free(L->w8);
        L->w8 = NULL;
        L->column = 1;
    }
    if (!L->w8) {
        if (!(L->w16 = malloc((n ? n : 1) * sizeof *L->w16)))
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
        for (size_t k = 0; k < n; k++)
            L->w16[k] = (int16_t)L->q.wq[k];
    }
    L->kw.w8 = L->w8;
    L->kw.w16 = L->w16;
    L->kw.p8 = L->p8;
    L->kw.p8r = L->p8r;
    L->kw.column = L->column;
    L->kw.w32 = NULL;
    L->kw.wmax = L->wmax;
    free(L->q.wq);
    L->q.wq = NULL;
    return 0;
}

void myelin_engine_free(myelin_engine *e)
{
    if (!e)
        return;
    if (e->L) {
        for (int i = 0; i < e->wl->n_layers; i++) {
            eng_layer *L = &e->L[i];
            if (L->w_int)
                myelin_qweights_free(&L->q);
            free(L->w8);
            free(L->w16);
            free(L->p8);
            free(L->p8r);
            free(L->pd);
            free(L->s_acc);
            free(L->s_m);
            free(L->shift);
            free(L->theta);
        }
    }
    free(e->L);
    free(e->lw);
    free(e->lq);
    free(e->h_off);
    free(e->nmaps);
    free(e->lut_f);
    free(e->lut_q);
    free(e->vbound);
    free(e->out_off);
    free(e->last_reader);
    free(e);
}

static int engine_build(const myelin_workload *wl, const myelin_layer_weights *const *lw,
                        const myelin_layer_quant *per_layer, int input_bits,
                        myelin_weights *release, myelin_engine **out, myelin_error *err);
static int plan_layer_major(myelin_engine *e, myelin_error *err);
static int make_pixel_luts(myelin_engine *e, myelin_error *err);

/* myelin_engine_new and myelin_engine_new_release: the layers of w; release: w, to free each
 * integer layer's doubles once quantized. */
static int engine_from_weights(const myelin_workload *wl, const myelin_weights *w,
                               myelin_weights *release, const myelin_layer_quant *per_layer,
                               int input_bits, myelin_engine **out, myelin_error *err)
{
    *out = NULL;
    if (!wl || !w || wl->n_layers <= 0)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "engine: need a workload with layers and its weights");
    const myelin_layer_weights **lw = calloc((size_t)wl->n_layers, sizeof *lw);
    if (!lw)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    for (int i = 0; i < wl->n_layers; i++)
        lw[i] = myelin_weights_layer(w, i);
    int rc = engine_build(wl, lw, per_layer, input_bits, release, out, err);
    free(lw);
    return rc;
}

int myelin_engine_new(const myelin_workload *wl, const myelin_weights *w,
                      const myelin_layer_quant *per_layer, int input_bits, myelin_engine **out,
                      myelin_error *err)
{
    return engine_from_weights(wl, w, NULL, per_layer, input_bits, out, err);
}

int myelin_engine_new_release(const myelin_workload *wl, myelin_weights *w,
                              const myelin_layer_quant *per_layer, int input_bits,
                              myelin_engine **out, myelin_error *err)
{
    return engine_from_weights(wl, w, w, per_layer, input_bits, out, err);
}

int myelin_engine_new_layers(const myelin_workload *wl, const myelin_layer_weights *const *lw,
                             const myelin_layer_quant *per_layer, int input_bits,
                             myelin_engine **out, myelin_error *err)
{
    return engine_build(wl, lw, per_layer, input_bits, NULL, out, err);
}

/* Which integer layers take int32 currents (eng_layer.acc32).  Why they cannot overflow: every
 * value a layer reads is bounded from the graph: an integer LIF emits 0 or 1, a max pool its
 * input's bound, an add the sum of its inputs' bounds, the image layer's codes minus their zero
 * point lie within max(zp, 2^b - 1 - zp); so |bias + any partial sum| <= max|bias| + taps x c_in x
 * max|w| x vmax (myelin_kernel_iw_bound), and the layer takes int32 currents when that is at
 * most INT32_MAX.  Also required: what myelin_kernel_lif_i_steps32 accepts (m <= 31, T <= 16,
 * |k| <= 62, thresholds within m bits), so its LIF never refuses.  Attention layers take int32
 * currents when tokens x head width x their inputs' bounds is at most INT32_MAX (the int32 head's
 * own bound).  Layers that fail keep int64. */
/* The LIF parameters myelin_kernel_lif_i_steps32 takes (|k| <= 62, thresholds within m bits). */
static int lif_params_ok(const eng_layer *L)
{
    int64_t hi_m = ((int64_t)1 << (L->m_bits - 1)) - 1;
    for (int c = 0; c < L->n_ch; c++)
        if (L->shift[c] < -62 || L->shift[c] > 62 || L->theta[c] > hi_m || L->theta[c] < -hi_m - 1)
            return 0;
    return 1;
}

static int plan_acc32(myelin_engine *e, myelin_error *err)
{
    const myelin_workload *wl = e->wl;
    int n = wl->n_layers;
    int64_t *vb = calloc((size_t)n, sizeof *vb); /* max |output value| per layer, or -1 */
    if (!vb)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    for (int i = 0; i < n; i++) {
        const myelin_layer *ly = &wl->layers[i];
        int64_t a = ly->n_inputs > 0 && ly->inputs[0] >= 0 ? vb[ly->inputs[0]] : -1;
        int64_t b = ly->n_inputs > 1 && ly->inputs[1] >= 0 ? vb[ly->inputs[1]] : -1;
        vb[i] = has_lif(ly) ? 1
                : ly->kind == MYELIN_LAYER_MAXPOOL ? a
                : ly->kind == MYELIN_LAYER_ADD && a >= 0 && b >= 0 && a <= INT32_MAX - b ? a + b
                                                                                  : -1;
        eng_layer *L = &e->L[i];
        if (ly->kind == MYELIN_LAYER_ATTN && L->m_int && L->m_bits <= 31 && wl->timesteps <= 16 &&
            ly->n_inputs == 3 && ly->heads > 0) {
            /* |A| <= tokens x head width x max|Q| max|K| max|V| (the int32 head's bound), from
             * the inputs' graph bounds */
            int64_t bound = (int64_t)ly->out_shape.h * ly->out_shape.w *
                            (ly->out_shape.c / ly->heads);
            for (int j = 0; j < 3; j++) {
                int64_t x = ly->inputs[j] >= 0 ? vb[ly->inputs[j]] : -1;
                bound = x < 0 || (x > 0 && bound > INT32_MAX / x) ? INT64_MAX : bound * x;
                if (bound > INT32_MAX)
                    break;
            }
            if (bound <= INT32_MAX && lif_params_ok(L)) {
                L->acc32 = 1;
                L->abound = bound;
            }
            continue;
        }
        if (!L->w_int || !L->m_int || !has_lif(ly) || L->m_bits > 31 || wl->timesteps > 16)
            continue;
        int64_t vmax = -1;
        if (ly->real_input && e->s_in > 0) {
            int64_t top = ((int64_t)1 << e->input_bits) - 1 - e->in_zero;
            vmax = e->in_zero > top ? e->in_zero : top;
        } else if (!ly->real_input && ly->inputs[0] != MYELIN_INPUT_IMAGE) {
            vmax = a;
        }
        int64_t bound = myelin_kernel_iw_bound(ly->c_in, ly->kernel, L->wmax, vmax, L->q.bq,
                                               ly->c_out);
        if (vmax < 0 || !(L->kw.w8 || L->kw.w16) || bound > INT32_MAX) /* w8/w16: wmax known */
            continue;
        L->abound = bound;
        L->acc32 = lif_params_ok(L);
        L->vmax = vmax;
    }
    e->vbound = vb;
    return 0;
}

static int engine_build(const myelin_workload *wl, const myelin_layer_weights *const *lw,
                        const myelin_layer_quant *per_layer, int input_bits,
                        myelin_weights *release, myelin_engine **out, myelin_error *err)
{
    *out = NULL;
    if (!wl || !lw || wl->n_layers <= 0 || wl->timesteps <= 0)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "engine: need a workload with layers, timesteps and weights");
    int grc = check_graph(wl, err);
    if (grc)
        return grc;
    myelin_engine *e = calloc(1, sizeof *e);
    if (!e)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    e->wl = wl;
    e->input_bits = input_bits;
    int n = wl->n_layers;
    e->lw = calloc((size_t)n, sizeof *e->lw);
    e->lq = calloc((size_t)n, sizeof *e->lq);
    e->L = calloc((size_t)n, sizeof *e->L);
    e->h_off = calloc((size_t)n, sizeof *e->h_off);
    if (!e->lw || !e->lq || !e->L || !e->h_off) {
        myelin_engine_free(e);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    }
    e->h_per_image = h_layout(wl, e->h_off);
    for (int i = 0; i < n; i++)
        e->lw[i] = lw[i];
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const myelin_layer *ly = &wl->layers[i];
        eng_layer *L = &e->L[i];
        if (per_layer)
            e->lq[i] = per_layer[i];
        else
            e->lq[i] = (myelin_layer_quant){MYELIN_BITS_FLOAT, MYELIN_SCHEME_UNIFORM,
                                            MYELIN_GRAN_CHANNEL, MYELIN_BITS_FLOAT};
        const myelin_layer_quant *lq = &e->lq[i];
        if (lq->weight_bits != MYELIN_BITS_FLOAT && (lq->weight_bits < 1 || lq->weight_bits > 16)) {
            rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                  "layer %s: weight_bits %d outside 1..16", ly->name, lq->weight_bits);
            break;
        }
        if (has_lif(ly) && lq->membrane_bits != MYELIN_BITS_FLOAT &&
            (lq->membrane_bits < 2 || lq->membrane_bits > 32)) {
            rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                  "layer %s: membrane_bits %d outside 2..32", ly->name,
                                  lq->membrane_bits);
            break;
        }
        L->n_ch = ly->out_shape.c;
        if (ly->kind == MYELIN_LAYER_ATTN &&
            (ly->heads <= 0 || ly->out_shape.c % ly->heads != 0 || ly->n_inputs != 3)) {
            rc = myelin_error_set(err, MYELIN_ESHAPE, NULL, 0, 0,
                                  "layer %s: attention needs 3 inputs and heads dividing %d (heads %d)",
                                  ly->name, ly->out_shape.c, ly->heads);
            break;
        }
        if (is_synaptic(ly->kind)) {
            L->fw = lw[i];
            if (!L->fw) {
                rc = myelin_error_set(err, MYELIN_EMISSING, NULL, 0, 0,
                                      "layer %s: the weights hold no parameters for it", ly->name);
                break;
            }
            if (L->fw->c_in != ly->c_in || L->fw->c_out != ly->c_out || L->fw->kernel != ly->kernel) {
                rc = myelin_error_set(err, MYELIN_ESHAPE, NULL, 0, 0,
                                      "layer %s: weights are %dx%d kernel %d, the graph expects "
                                      "%dx%d kernel %d (c_in x c_out)",
                                      ly->name, L->fw->c_in, L->fw->c_out, L->fw->kernel, ly->c_in,
                                      ly->c_out, ly->kernel);
                break;
            }
            if (!L->fw->w) {
                rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                      "layer %s: its float weights were released (an engine made "
                                      "with myelin_engine_new_release quantized them away)",
                                      ly->name);
                break;
            }
            if (ly->kind == MYELIN_LAYER_HEAD)
                L->n_ch = ly->c_out;
        }
        if (!has_lif(ly) && !is_synaptic(ly->kind))
            continue;
        L->s_acc = calloc((size_t)L->n_ch, sizeof *L->s_acc);
        L->s_m = calloc((size_t)L->n_ch, sizeof *L->s_m);
        L->shift = calloc((size_t)L->n_ch, sizeof *L->shift);
        L->theta = calloc((size_t)L->n_ch, sizeof *L->theta);
        if (!L->s_acc || !L->s_m || !L->shift || !L->theta) {
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
            break;
        }
        if (is_synaptic(ly->kind) && lq->weight_bits != MYELIN_BITS_FLOAT) {
            double s_in = 1.0;
            if (ly->real_input) {
                if (input_bits < 2 || input_bits > 16) {
                    rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                          "input_bits %d outside 2..16", input_bits);
                    break;
                }
                s_in = e->s_in = image_scale(wl, input_bits, &e->in_zero);
            }
            rc = myelin_quantize_layer(L->fw, lq, s_in, &L->q, err);
            if (rc) {
                myelin_error_prefix(err, "layer %s", ly->name);
                break;
            }
            L->w_int = 1;
            for (int c = 0; c < L->n_ch; c++)
                L->s_acc[c] = s_in * L->q.scale[c];
            int spike_in = !ly->real_input && ly->inputs[0] != MYELIN_INPUT_IMAGE;
            if ((rc = narrow_weights(L, ly->kind == MYELIN_LAYER_HEAD, spike_in, err)))
                break;
            if (release) { /* the doubles are not read again: quantized, biases kept */
                myelin_weights_release(release, i);
                e->released = 1;
            }
        } else if (ly->kind == MYELIN_LAYER_ATTN) {
            for (int c = 0; c < L->n_ch; c++)
                L->s_acc[c] = ly->attn_scale;
        } else if (is_synaptic(ly->kind) && ly->kind != MYELIN_LAYER_HEAD && !ly->real_input &&
                   ly->inputs[0] != MYELIN_INPUT_IMAGE) {
            /* float weights on spike inputs: the dense double path's packed copy */
            int64_t len = myelin_kernel_dense_packed_d_len(ly->c_in, ly->c_out, ly->kernel);
            /* 64-byte aligned: the column path's loads of its rows then never split a line */
            size_t bytes = (sizeof *L->pd * (size_t)len + 63) / 64 * 64;
            if (!(L->pd = aligned_alloc(64, bytes ? bytes : 64))) {
                rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
                break;
            }
            myelin_kernel_dense_pack_d(L->fw->w, ly->c_in, ly->c_out, ly->kernel, L->pd);
            int64_t nw = (int64_t)ly->kernel * ly->kernel * ly->c_in * ly->c_out;
            L->column_d = 1;
            for (int64_t k = 0; k < nw && L->column_d; k++)
                L->column_d = isfinite(L->fw->w[k]);
        }
        /* integer membranes need integer currents: integer weights, or the attention product */
        if (has_lif(ly) && lq->membrane_bits != MYELIN_BITS_FLOAT &&
            (L->w_int || ly->kind == MYELIN_LAYER_ATTN)) {
            L->m_int = 1;
            L->m_bits = lq->membrane_bits;
            rc = membrane_params(L, ly, err);
        }
    }
    if (rc == 0)
        rc = plan_acc32(e, err);
    if (rc == 0)
        rc = make_pixel_luts(e, err);
    if (rc == 0)
        rc = plan_layer_major(e, err);
    if (rc) {
        myelin_engine_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

const myelin_workload *myelin_engine_workload(const myelin_engine *e)
{
    return e->wl;
}

const myelin_layer_quant *myelin_engine_layer_quant(const myelin_engine *e, int layer)
{
    return &e->lq[layer];
}

double myelin_engine_input_scale(const myelin_engine *e)
{
    return e->s_in;
}

/* Is out[i] its own allocation (not in the arena)? */
static int e_out_owned(const myelin_engine_state *st, int i)
{
    return st->e->out_off[i] < 0;
}

void myelin_engine_state_free(myelin_engine_state *st)
{
    if (!st)
        return;
    int n = st->e->wl->n_layers;
    for (int i = 0; i < n; i++) {
        if (st->out && e_out_owned(st, i))
            free(st->out[i]);
        if (st->acc_i && st->acc_i[i] != st->acc_i_shared)
            free(st->acc_i[i]);
        if (st->acc_f && st->acc_f[i] != st->acc_f_shared)
            free(st->acc_f[i]);
        if (st->dprev)
            free(st->dprev[i]);
        if (st->v_i)
            free(st->v_i[i]);
        if (st->v_i16)
            free(st->v_i16[i]);
        if (st->v_f)
            free(st->v_f[i]);
    }
    free(st->out);
    free(st->arena);
    free(st->acc_i);
    free(st->acc_f);
    free(st->dprev);
    free(st->acc_i_shared);
    free(st->acc_f_shared);
    free(st->v_i);
    free(st->v_i16);
    free(st->v_f);
    free(st->h_i);
    free(st->h_f);
    free(st->kv);
    free(st->delta);
    free(st->bhist);
    free(st->bmap);
    free(st->brows);
    free(st->head_sum);
    free(st->dense);
    free(st->img_f);
    free(st->img_q);
    free(st->spikes);
    free(st->events);
    free(st->synops);
    free(st->sat);
    free(st->kct);
    free(st->kcl);
    free(st->vbuf);
    free(st->acc_fb);
    free(st);
}

/* Layer-major execution (run_internal) holds T output maps of every layer it runs, and of the
 * earlier layers those read, and T current slots.  The layer-major layers' maps share one arena
 * by live range: layer i's T maps occupy [off[i], off[i] + T size) from when it runs until its
 * last reader has run, first fit into the space of maps no longer read (layers run in index
 * order, so a map whose last reader is before i is dead when i runs; a map read by i is not
 * reused by i).  lm_plan returns the extra bytes of a state over the time-step-major order (one
 * map per layer, a membrane array per LIF layer) when layers [k, n) run layer-major: nmaps, off
 * and *arena (int32 entries) filled.  Layers before the first k whose extra fits
 * MYELIN_ENGINE_LM_BYTES run time-step-major: on ImageNet-sized stems (8-384: 224 x 224 x 48
 * neurons in its first layer) T maps would cost more memory than the order saves. */
#define MYELIN_ENGINE_LM_BYTES ((int64_t)8 << 20)
static int64_t lm_plan(const myelin_engine *e, int k, int *nmaps, int64_t *off, int *last,
                       int64_t *arena)
{
    const myelin_workload *wl = e->wl;
    int n = wl->n_layers, T = wl->timesteps;
    for (int i = 0; i < n; i++) {
        nmaps[i] = i >= k ? T : 1;
        last[i] = i;
        off[i] = -1;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < wl->layers[i].n_inputs; j++) {
            int p = wl->layers[i].inputs[j];
            if (p < 0)
                continue;
            last[p] = i > last[p] ? i : last[p];
            if (i >= k)
                nmaps[p] = T;
        }
    int64_t extra = 0, acc = 0, end = 0;
    for (int i = 0; i < n; i++) {
        const myelin_layer *ly = &wl->layers[i];
        int64_t sz = shape_size(ly->out_shape);
        if (ly->kind != MYELIN_LAYER_HEAD && i < k)
            extra += (int64_t)(nmaps[i] - 1) * sz * (int64_t)sizeof(int32_t);
        if (ly->kind != MYELIN_LAYER_HEAD && i >= k) {
            /* first fit among the live maps' gaps (O(n^2): n is a few hundred at most) */
            int64_t need = sz * T, at = 0;
            for (int moved = 1; moved;) {
                moved = 0;
                for (int j = k; j < i; j++) {
                    if (off[j] < 0 || last[j] < i)
                        continue;
                    int64_t lo = off[j], hi = off[j] + shape_size(wl->layers[j].out_shape) * T;
                    if (at < hi && lo < at + need) { /* overlaps a live map: go past it */
                        at = hi;
                        moved = 1;
                    }
                }
            }
            off[i] = at;
            end = at + need > end ? at + need : end;
            extra -= sz * (int64_t)sizeof(int32_t); /* its own single map is not made */
        }
        if (i >= k && has_lif(ly) && e->L[i].m_int) /* no membrane array (lif_steps) */
            extra -= sz * (e->L[i].m_bits <= 16 ? 2 : 4);
        int image = ly->real_input || (ly->n_inputs > 0 && ly->inputs[0] == MYELIN_INPUT_IMAGE);
        if (i >= k && has_lif(ly) && !image && (e->L[i].w_int || ly->kind == MYELIN_LAYER_ATTN) &&
            sz > acc)
            acc = sz;
    }
    *arena = end;
    return extra + end * (int64_t)sizeof(int32_t) + (int64_t)(T - 1) * acc * (int64_t)sizeof(int64_t);
}

static int plan_layer_major(myelin_engine *e, myelin_error *err)
{
    int n = e->wl->n_layers;
    e->nmaps = calloc((size_t)n, sizeof *e->nmaps);
    e->out_off = calloc((size_t)n, sizeof *e->out_off);
    e->last_reader = calloc((size_t)n, sizeof *e->last_reader);
    if (!e->nmaps || !e->out_off || !e->last_reader)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    int k = 0;
    while (k < n && lm_plan(e, k, e->nmaps, e->out_off, e->last_reader, &e->arena) >
                        MYELIN_ENGINE_LM_BYTES)
        k++;
    lm_plan(e, k, e->nmaps, e->out_off, e->last_reader, &e->arena);
    e->lm_first = k;
    return 0;
}

int myelin_engine_layer_major_first(const myelin_engine *e)
{
    return e->lm_first;
}

void myelin_engine_set_layer_major_first(myelin_engine *e, int first)
{
    int n = e->wl->n_layers;
    first = first < 0 ? 0 : (first > n ? n : first);
    lm_plan(e, first, e->nmaps, e->out_off, e->last_reader, &e->arena);
    e->lm_first = first;
}

/* Can layer i form its T currents in one call (batch_linear)? */
static int batchable(const myelin_engine *e, int i)
{
    const myelin_layer *ly = &e->wl->layers[i];
    return i >= e->lm_first && ly->kind == MYELIN_LAYER_LINEAR && e->L[i].w_int &&
           !ly->real_input && ly->inputs[0] != MYELIN_INPUT_IMAGE && ly->kernel == 1;
}

/* Layer i's membrane array at its width (int16 where m <= 16, int32, or double); 0 when out of
 * memory. */
static int alloc_membranes(const myelin_engine *e, myelin_engine_state *st, int i)
{
    const eng_layer *L = &e->L[i];
    size_t sz = (size_t)shape_size(e->wl->layers[i].out_shape);
    if (L->m_int && L->m_bits <= 16)
        return st->v_i16[i] || (st->v_i16[i] = calloc(sz, sizeof(int16_t))) != NULL;
    if (L->m_int)
        return st->v_i[i] || (st->v_i[i] = calloc(sz, sizeof(int32_t))) != NULL;
    return st->v_f[i] || (st->v_f[i] = calloc(sz, sizeof(double))) != NULL;
}

/* Float layer i may use float_delta's basis: float weights on spike inputs (not the image), a
 * linear or 3x3 layer wider than the narrow register code's 64 channels in and out (on narrower
 * ones its mode counts and lists cost more than they save: tiny and Fashion-MNIST float were
 * 30 % slower with it). */
static int float_basis_layer(const myelin_engine *e, int i)
{
    const myelin_layer *ly = &e->wl->layers[i];
    return e->L[i].pd && !ly->real_input && ly->n_inputs > 0 && ly->inputs[0] >= 0 &&
           (ly->kernel == 1 || ly->kernel == 3) && ly->c_in > MYELIN_COLUMN_D_NARROW_CO &&
           ly->c_out > MYELIN_COLUMN_D_NARROW_CO;
}

int myelin_engine_state_new(const myelin_engine *e, myelin_engine_state **out, myelin_error *err)
{
    const myelin_workload *wl = e->wl;
    int n = wl->n_layers, T = wl->timesteps;
    myelin_engine_state *st = calloc(1, sizeof *st);
    if (!st)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine state: out of memory");
    st->e = e;
    st->out = calloc((size_t)n, sizeof *st->out);
    st->acc_i = calloc((size_t)n, sizeof *st->acc_i);
    st->acc_f = calloc((size_t)n, sizeof *st->acc_f);
    st->dprev = calloc((size_t)n, sizeof *st->dprev);
    st->v_i = calloc((size_t)n, sizeof *st->v_i);
    st->v_i16 = calloc((size_t)n, sizeof *st->v_i16);
    st->v_f = calloc((size_t)n, sizeof *st->v_f);
    st->spikes = calloc((size_t)n * T, sizeof *st->spikes);
    st->events = calloc((size_t)n * T, sizeof *st->events);
    st->synops = calloc((size_t)n * T, sizeof *st->synops);
    st->sat = calloc((size_t)n * 3, sizeof *st->sat);
    st->kct = calloc((size_t)T, sizeof *st->kct);
    st->kcl = calloc((size_t)T, sizeof *st->kcl);
    int ok = st->kct && st->kcl && st->out && st->acc_i && st->acc_f && st->v_i && st->v_i16 && st->v_f && st->spikes && st->events &&
             st->synops && st->sat && st->dprev;
    int64_t max_neurons = 1, max_kv = 1, head_c = 1, dense = 0, shared_i = 0, shared_f = 0;
    int64_t max_delta = 0, max_bci = 0, max_b3ci = 0, max_b3co = 0;
    for (int i = 0; ok && i < n; i++) {
        const myelin_layer *ly = &wl->layers[i];
        int64_t sz = shape_size(ly->out_shape);
        if (ly->kind == MYELIN_LAYER_HEAD) {
            head_c = ly->c_in > head_c ? ly->c_in : head_c;
            continue;
        }
        if (e->out_off[i] < 0) { /* else layer-major: in the arena (made below) */
            st->out[i] = calloc((size_t)sz * (size_t)e->nmaps[i], sizeof(int32_t));
            ok = ok && st->out[i];
        }
        if (e->L[i].p8 || e->L[i].pd) {
            int64_t b = e->L[i].p8 ? myelin_kernel_dense_scratch_img_bytes(
                                         ly->in_shape.h, ly->in_shape.w, ly->c_in, ly->kernel)
                                   : myelin_kernel_dense_scratch_d_bytes(ly->c_in, ly->kernel);
            if (e->L[i].p8 && ly->kind == MYELIN_LAYER_LINEAR) {
                /* a layer-major linear layer's T maps run as one token tensor (batch_linear) */
                int64_t rows = (int64_t)ly->in_shape.h * ly->in_shape.w * T;
                if (rows <= INT32_MAX / 2) {
                    int64_t bt = myelin_kernel_dense_scratch_img_bytes((int)rows, 1, ly->c_in, 1);
                    int64_t br = myelin_kernel_rowsparse_scratch_bytes((int)rows, ly->c_in);
                    b = bt > b ? bt : b;
                    b = br > b ? br : b;
                }
            }
            dense = b > dense ? b : dense;
        }
        if (e->L[i].pd && shape_size(ly->in_shape) > max_delta)
            max_delta = shape_size(ly->in_shape);
        int bas = float_basis_layer(e, i);
        if (bas && ly->kernel == 1) {
            max_bci = ly->c_in > max_bci ? ly->c_in : max_bci;
            st->bslack = ly->c_out > st->bslack ? ly->c_out : st->bslack;
        }
        if (bas && ly->kernel == 3) {
            max_bci = ly->c_in > max_bci ? ly->c_in : max_bci;
            max_b3ci = ly->c_in > max_b3ci ? ly->c_in : max_b3ci;
            max_b3co = ly->c_out > max_b3co ? ly->c_out : max_b3co;
        }
        if (e->L[i].column_d) {
            /* kernel 1: as one column of positions, with float_delta's basis position */
            int lin = ly->kind == MYELIN_LAYER_LINEAR || (bas && ly->kernel == 1);
            int64_t b = myelin_kernel_column_d_scratch_bytes(
                lin ? ly->in_shape.h * ly->in_shape.w + (bas ? 1 : 0) : ly->in_shape.h,
                lin ? 1 : ly->in_shape.w, ly->c_in, ly->kernel);
            dense = b > dense ? b : dense;
        }
        if (e->L[i].column) {
            int hh = ly->in_shape.h, ww = ly->in_shape.w;
            if (ly->kind == MYELIN_LAYER_LINEAR) { /* tokens as h = N, w = 1 */
                hh = ly->in_shape.h * ly->in_shape.w;
                ww = 1;
            }
            if (batchable(e, i)) /* all T maps in one call */
                hh *= T;
            int64_t b = myelin_kernel_column_scratch_bytes(hh, ww, ly->c_in, ly->kernel);
            dense = b > dense ? b : dense;
            if (ly->c_out <= MYELIN_TILE_MAX_CO) { /* the int32 tile path's whole-layer tile */
                b = myelin_kernel_tile_scratch_bytes(hh, ww, ly->c_in, ly->c_out);
                dense = b > dense ? b : dense;
            }
        }
        if (has_lif(ly)) {
            if (sz > max_neurons)
                max_neurons = sz;
            int64_t need_acc_i = e->L[i].w_int || ly->kind == MYELIN_LAYER_ATTN;
            int need_acc_f = !e->L[i].m_int; /* float currents feed a float membrane only */
            /* the image layer's current is computed once and reused for all T steps: its own
             * buffer; every other layer's is consumed in its step, so one buffer serves all */
            int own = ly->real_input || ly->inputs[0] == MYELIN_INPUT_IMAGE;
            int64_t slots = i >= e->lm_first ? T : 1; /* acc_map: a slot per step, layer-major */
            if (need_acc_i && own)
                st->acc_i[i] = calloc((size_t)sz, sizeof(int64_t));
            else if (need_acc_i && sz * slots > shared_i)
                shared_i = sz * slots;
            if (need_acc_f && own)
                st->acc_f[i] = calloc((size_t)sz, sizeof(double));
            else if (need_acc_f && sz > shared_f)
                shared_f = sz;
            need_acc_i = need_acc_i && own;
            need_acc_f = need_acc_f && own;
            /* layer-major integer membranes live in lif_steps' registers: their arrays only
             * for the per-step drift path, made on its first use (alloc_membranes) */
            int lazy = e->L[i].m_int && i >= e->lm_first;
            if (!lazy && !alloc_membranes(e, st, i))
                ok = 0;
            ok = ok && (!need_acc_i || st->acc_i[i]) && (!need_acc_f || st->acc_f[i]);
        }
        if (ly->kind == MYELIN_LAYER_ATTN && ly->heads > 0) {
            int64_t dh = ly->out_shape.c / ly->heads;
            int64_t ntok = (int64_t)ly->out_shape.h * ly->out_shape.w;
            /* K^T V (q_kv) or one score row and the head's K transposed (qk_v) */
            int64_t need = ly->attn_order == MYELIN_ATTN_QK_V ? ntok + (dh * ntok + 1) / 2
                                                             : dh * dh;
            if (need < (dh * dh + 1) / 2) /* myelin_kernel_attn_head_i32's int32 K^T V */
                need = (dh * dh + 1) / 2;
            if (need > max_kv)
                max_kv = need;
        }
    }
    int64_t img = shape_size(wl->input);
    st->max_neurons = max_neurons;
    if (ok && shared_i > 0)
        ok = (st->acc_i_shared = calloc((size_t)shared_i, sizeof(int64_t))) != NULL;
    if (ok && shared_f > 0)
        ok = (st->acc_f_shared = calloc((size_t)(shared_f + st->bslack), sizeof(double))) != NULL;
    for (int i = 0; ok && i < n; i++) {
        const myelin_layer *ly = &wl->layers[i];
        if (!has_lif(ly) || ly->real_input || ly->inputs[0] == MYELIN_INPUT_IMAGE)
            continue;
        if (e->L[i].w_int || ly->kind == MYELIN_LAYER_ATTN)
            st->acc_i[i] = st->acc_i_shared;
        if (!e->L[i].m_int && e->L[i].pd && i < e->lm_first) {
            /* time-step-major float layer: its own current and last input, kept between steps
             * for float_delta */
            st->acc_f[i] = calloc((size_t)(shape_size(ly->out_shape) + st->bslack), sizeof(double));
            st->dprev[i] = calloc((size_t)shape_size(ly->in_shape), sizeof(int32_t));
            ok = st->acc_f[i] && st->dprev[i];
        } else if (!e->L[i].m_int) {
            st->acc_f[i] = st->acc_f_shared;
        }
    }
    if (ok && e->arena > 0) {
        ok = (st->arena = calloc((size_t)e->arena, sizeof *st->arena)) != NULL;
        for (int i = 0; ok && i < n; i++)
            if (e->out_off[i] >= 0)
                st->out[i] = st->arena + e->out_off[i];
    }
    if (ok) {
        st->vbuf_len = 2048;
        for (int i = 0; i < n; i++)
            if (e->L[i].n_ch > st->vbuf_len)
                st->vbuf_len = e->L[i].n_ch;
        ok = (st->vbuf = calloc((size_t)st->vbuf_len, sizeof *st->vbuf)) != NULL;
    }
    if (ok) {
        st->kv = calloc((size_t)max_kv, sizeof *st->kv);
        if (max_delta > 0)
            ok = ok && (st->delta = calloc((size_t)(max_delta + max_bci), sizeof *st->delta)) !=
                           NULL;
        if (max_bci > 0)
            ok = ok && (st->bhist = calloc((size_t)max_bci * (MYELIN_BASIS_MAXV + 2),
                                           sizeof *st->bhist)) != NULL;
        if (max_b3ci > 0) {
            st->bmap = calloc((size_t)max_b3ci * 9, sizeof *st->bmap);
            st->brows = calloc((size_t)max_b3co * 9, sizeof *st->brows);
            ok = ok && st->bmap && st->brows;
        }
        st->head_sum = calloc((size_t)head_c, sizeof *st->head_sum);
        st->img_f = calloc((size_t)img, sizeof *st->img_f);
        st->img_q = calloc((size_t)img, sizeof *st->img_q);
        if (dense > 0)
            ok = ok && (st->dense = malloc((size_t)dense)) != NULL;
        st->dense_bytes = dense;
        ok = ok && st->kv && st->head_sum && st->img_f && st->img_q;
    }
    if (!ok) {
        myelin_engine_state_free(st);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine state: out of memory");
    }
    *out = st;
    return 0;
}

const int64_t *myelin_engine_state_spikes(const myelin_engine_state *st, int layer)
{
    return st->spikes + (int64_t)layer * st->e->wl->timesteps;
}

const int64_t *myelin_engine_state_events(const myelin_engine_state *st, int layer)
{
    return st->events + (int64_t)layer * st->e->wl->timesteps;
}

const int64_t *myelin_engine_state_synops(const myelin_engine_state *st, int layer)
{
    return st->synops + (int64_t)layer * st->e->wl->timesteps;
}

const int64_t *myelin_engine_state_saturation(const myelin_engine_state *st, int layer)
{
    return st->sat + (int64_t)layer * 3;
}

/* What a run does with the pre-spike membranes: record them (reference) or compare (drift). */
typedef struct h_io {
    double *record;            /* one image's H block to fill, or NULL */
    const double *ref;         /* one image's reference H block, or NULL */
    myelin_drift_layer *drift; /* [n_layers] accumulators when ref */
} h_io;

/* The pre-spike membranes of LIF layer i at step t, dequantized, against the reference. */
static void h_account(const myelin_engine *e, const myelin_engine_state *st, int i, int t,
                      int64_t nn, const h_io *io)
{
    const eng_layer *L = &e->L[i];
    int64_t base = e->h_off[i] + (int64_t)t * nn;
    double v_th = e->wl->layers[i].v_threshold;
    if (io->record) {
        double *dst = io->record + base;
        for (int64_t k = 0; k < nn; k++)
            dst[k] = L->m_int ? (double)st->h_i[k] * L->s_m[k % L->n_ch] : st->h_f[k];
    }
    if (io->ref) {
        const double *ref = io->ref + base;
        double sum = 0;
        int64_t mism = 0;
        for (int64_t k = 0; k < nn; k++) {
            double hq = L->m_int ? (double)st->h_i[k] * L->s_m[k % L->n_ch] : st->h_f[k];
            int sq = L->m_int ? st->h_i[k] >= L->theta[k % L->n_ch] : st->h_f[k] >= v_th;
            int sr = ref[k] >= v_th;
            sum += fabs(hq - ref[k]);
            mism += sq != sr;
        }
        io->drift[i].abs_dh_sum += sum / v_th;
        io->drift[i].mismatches += mism;
        io->drift[i].samples += nn;
    }
}

/* The map of layer i's output for timestep t: layers that keep T maps (layer-major ones and the
 * t-major prefix's layers they read) hold [T][size], the others one map reused every step. */
static int32_t *out_map(const myelin_engine *e, const myelin_engine_state *st, int i, int t)
{
    if (e->nmaps[i] == 1)
        return st->out[i];
    return st->out[i] + (int64_t)t * shape_size(e->wl->layers[i].out_shape);
}

/* The integer current of layer i at step t: the image layer's own buffer (computed once), else
 * slot t of the shared buffer for layer-major layers (all T currents may be formed at once),
 * slot 0 in the t-major prefix. */
static int64_t *acc_map(const myelin_engine *e, const myelin_engine_state *st, int i, int t)
{
    const myelin_layer *ly = &e->wl->layers[i];
    if (ly->real_input || ly->inputs[0] == MYELIN_INPUT_IMAGE || i < e->lm_first)
        return st->acc_i[i];
    return st->acc_i[i] + (int64_t)t * shape_size(ly->out_shape);
}

/* The nonzero count of layer src's output map at step t when it is known without a pass: maps of
 * 0 / 1 values (an integer or float LIF's spikes, a max pool of them: vbound 1, never negative)
 * count their nonzeros as their spikes, which the engine has recorded by then (src ran before,
 * at least to step t).  Else -1. */
static int64_t known_nz(const myelin_engine *e, const myelin_engine_state *st, int src, int t)
{
    if (src < 0 || e->vbound[src] != 1)
        return -1;
    myelin_layer_kind k = e->wl->layers[src].kind;
    if (!has_lif(&e->wl->layers[src]) && k != MYELIN_LAYER_MAXPOOL)
        return -1;
    return st->spikes[(int64_t)src * e->wl->timesteps + t];
}

/* The int32 current of an acc32 layer at step t, in the same buffer as acc_map's (half of it). */
static int32_t *acc32_map(const myelin_engine *e, const myelin_engine_state *st, int i, int t)
{
    const myelin_layer *ly = &e->wl->layers[i];
    if (ly->real_input || ly->inputs[0] == MYELIN_INPUT_IMAGE || i < e->lm_first)
        return (int32_t *)(void *)st->acc_i[i];
    return (int32_t *)(void *)st->acc_i[i] + (int64_t)t * shape_size(ly->out_shape);
}

/* acc = bias + the integer sums of layer i over an input of h x w positions (zp: the image's
 * zero point), into the int64 current acc, or into the int32 current acc32 (an acc32 layer:
 * the int32 paths, else the int64 dispatch into st->acc_fb narrowed, exact by plan_acc32's
 * bound). */
static int iw_current(const myelin_engine *e, myelin_engine_state *st, int i, const int32_t *in,
                      int h, int w, int32_t zp, int64_t nz, int64_t *acc, int32_t *acc32,
                      myelin_kcounts *kc, myelin_error *err)
{
    const myelin_layer *ly = &e->wl->layers[i];
    const eng_layer *L = &e->L[i];
    int co = ly->c_out;
    if (acc32 && myelin_kernel_synapse_iw_set32(in, h, w, ly->c_in, &L->kw, co, ly->kernel, zp,
                                                L->q.bq, acc32, kc, st->dense, st->dense_bytes,
                                                L->vmax, nz) == 0)
        return 0;
    int64_t n = (int64_t)h * w * co;
    if (acc32 && st->acc_fb_len < n) {
        int64_t *fb = realloc(st->acc_fb, sizeof *fb * (size_t)n);
        if (!fb)
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine state: out of memory");
        st->acc_fb = fb;
        st->acc_fb_len = n;
    }
    int64_t *dst = acc32 ? st->acc_fb : acc;
    myelin_kernel_synapse_iw_set(in, h, w, ly->c_in, &L->kw, co, ly->kernel, 0, co, zp, L->q.bq,
                                 dst, kc, st->dense, st->dense_bytes);
    for (int64_t k = 0; acc32 && k < n; k++)
        acc32[k] = (int32_t)dst[k];
    return 0;
}

/* Runs the LIF of layer i at step t on its current; writes spikes into out_map(i, t). */
static int64_t run_lif(const myelin_engine *e, myelin_engine_state *st, int i, int t, int want_h,
                       myelin_kcounts *kc)
{
    const myelin_layer *ly = &e->wl->layers[i];
    const eng_layer *L = &e->L[i];
    int64_t nn = shape_size(ly->out_shape);
    int32_t *out = out_map(e, st, i, t);
    const int64_t *ai = st->acc_i[i] ? acc_map(e, st, i, t) : NULL;
    if (L->m_int && L->m_bits <= 16)
        return myelin_kernel_lif_i16(ai, st->v_i16[i], out, want_h ? st->h_i : NULL, 0, nn,
                                     L->n_ch, L->shift, L->theta, L->m_bits, kc);
    if (L->m_int) /* m <= 32 (checked at build), so lif_i32 always runs */
        return myelin_kernel_lif_i32(ai, st->v_i[i], out, want_h ? st->h_i : NULL, 0, nn, L->n_ch,
                                     L->shift, L->theta, L->m_bits, kc);
    double *x = st->acc_f[i];
    if (L->w_int || ly->kind == MYELIN_LAYER_ATTN) { /* integer currents, float membrane */
        int c = L->n_ch;
        for (int64_t p = 0; p < nn; p += c) /* whole positions (nn is positions x c) */
            for (int ch = 0; ch < c; ch++)
                x[p + ch] = (double)ai[p + ch] * L->s_acc[ch];
    }
    return myelin_kernel_lif_f(x, st->v_f[i], out, want_h ? st->h_f : NULL, 0, nn,
                               ly->v_threshold, kc);
}

/* A layer-major integer linear layer on spike inputs forms all T currents in one synaptic call
 * (the T input maps are consecutive, so they are one token tensor of T N tokens: each weight panel
 * is reused over T times the positions, and the call's fixed costs are paid once).  The per-step
 * counts are the scatter's for each map alone: events = its nonzero inputs, synops = events x the
 * output channels (kernel 1: one tap); their sums are checked against the call's. */
static int batch_linear(const myelin_engine *e, myelin_engine_state *st, int i, int narrow,
                        myelin_kcounts *kct, myelin_error *err)
{
    const myelin_workload *wl = e->wl;
    const myelin_layer *ly = &wl->layers[i];
    const eng_layer *L = &e->L[i];
    int T = wl->timesteps, co = ly->c_out;
    int64_t in_sz = shape_size(ly->in_shape);
    int ntok = ly->in_shape.h * ly->in_shape.w;
    myelin_kcounts all = {0};
    (void)L;
    int64_t ev = 0, so = 0;
    for (int t = 0; t < T; t++) {
        int64_t nz = known_nz(e, st, ly->inputs[0], t);
        if (nz < 0)
            nz = myelin_kernel_nonzero(out_map(e, st, ly->inputs[0], t), in_sz);
        kct[t].events = nz;
        kct[t].synops = nz * co;
        ev += nz;
        so += nz * co;
    }
    /* T maps: the bias, then the sums (their nonzero count known: ev) */
    int rc = iw_current(e, st, i, out_map(e, st, ly->inputs[0], 0), ntok * T, 1, 0, ev,
                        acc_map(e, st, i, 0), narrow ? acc32_map(e, st, i, 0) : NULL, &all, err);
    if (rc)
        return rc;
    if (ev != all.events || so != all.synops)
        return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                "engine: layer %s: batched counts %lld/%lld differ from the "
                                "per-step ones %lld/%lld", ly->name, (long long)all.events,
                                (long long)all.synops, (long long)ev, (long long)so);
    return 0;
}

/* The integer LIF of layer-major layer i over all T steps (its currents in acc_map(i, t)):
 * blocks of whole positions at a time, each block's membranes in an L1-resident buffer from
 * V = 0 (the image's start) through the T steps, so they never go to memory.  The same kernel,
 * neurons and order of updates per neuron as run_lif, so the same spikes and counts.  narrow: the
 * currents are int32 (acc32_map; plan_acc32 made sure the kernel takes them). */
static int lif_steps(const myelin_engine *e, myelin_engine_state *st, int i, int narrow,
                     myelin_error *err)
{
    const myelin_layer *ly = &e->wl->layers[i];
    const eng_layer *L = &e->L[i];
    int T = e->wl->timesteps, c = L->n_ch;
    int64_t nn = shape_size(ly->out_shape);
    int64_t per = (st->vbuf_len / c) * c; /* vbuf_len >= c (state_new) */
    myelin_kcounts *kc = st->kcl;
    memset(kc, 0, sizeof *kc * (size_t)T);
    int image = ly->real_input || ly->inputs[0] == MYELIN_INPUT_IMAGE;
    if (narrow) {
        if (myelin_kernel_lif_i_steps32(acc32_map(e, st, i, 0), image ? 0 : nn,
                                        out_map(e, st, i, 0), nn, nn, T, c, L->shift, L->theta,
                                        L->m_bits, L->abound, kc, -1) == 0)
            goto counts;
        return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                "engine: layer %s: the int32-current LIF refused its parameters",
                                ly->name);
    }
    if (myelin_kernel_lif_i_steps(acc_map(e, st, i, 0), image ? 0 : nn, out_map(e, st, i, 0), nn,
                                  nn, T, c, L->shift, L->theta, L->m_bits, kc, -1) == 0)
        goto counts;
    for (int64_t b = 0; b < nn; b += per) {
        int64_t len = nn - b < per ? nn - b : per;
        memset(st->vbuf, 0, sizeof *st->vbuf * (size_t)len);
        for (int t = 0; t < T; t++)
            myelin_kernel_lif_i32(acc_map(e, st, i, t) + b, st->vbuf, out_map(e, st, i, t) + b,
                                  NULL, 0, len, c, L->shift, L->theta, L->m_bits, &kc[t]);
    }
counts:
    for (int t = 0; t < T; t++) {
        st->spikes[(int64_t)i * T + t] = kc[t].spikes;
        st->sat[3 * i] += kc[t].x_sat;
        st->sat[3 * i + 1] += kc[t].h_sat;
        st->sat[3 * i + 2] += kc[t].neuron_updates;
    }
    return 0;
}

/* One step t of layer i.  pre: counts already formed by batch_linear (its current is in place),
 * or NULL. */
/* Float layer i on spike inputs, two ways to sum fewer nonzero entries than x_t:
 * - the change: at step t > 0, when the layer still holds its current of t - 1 and its input of
 *   t - 1 (layer-major: its step t - 1 ran just before in the shared current buffer, and its
 *   input's map of t - 1 is kept; time-step-major: its own current buffer and input copy, dprev),
 *   bias + W x_t = (bias + W x_{t-1}) + W (x_t - x_{t-1}) (measured on 4-384: the change is
 *   13-50 % nonzero against 40-88 %);
 * - a basis (any step): bias + W x_t = (bias + W b) + W (x_t - b) with b[ci] the most
 *   frequent value of input channel ci over the positions (myelin_kernel_basis_mode; 4-384 q/k/v
 *   22-33 % nonzero, proj 1-2 %, fc2 6-10 %); W b is formed as one more position (b) of the same
 *   synaptic call, so the weights are read once (the column kernel's block of 66 positions holds
 *   64 tokens and b), then added with the bias to every position; on 3x3 layers W b depends on
 *   the taps inside the map, so a map of b of up to 3 x 3 gives the 9 kinds of position (corners,
 *   edges, inside) in a separate call (4-384's stem 3x3: 11-21 % nonzero against 41-56 %).
 * The fewest nonzero entries win; when one of these has fewer than x_t, the sums run by the
 * synaptic paths (the same products in another grouping: the doubles differ from the direct sum
 * by rounding) and the counts are x_t's own (myelin_kernel_synapse_counts): returns 1.  Else 0
 * and nothing is done. */
static int float_delta(const myelin_engine *e, myelin_engine_state *st, int i, int t,
                       const int32_t *in0, int h, int w, myelin_kcounts *kc)
{
    const myelin_layer *ly = &e->wl->layers[i];
    const eng_layer *L = &e->L[i];
    if (!L->pd || !st->delta || ly->n_inputs < 1 || ly->inputs[0] < 0 || ly->real_input)
        return 0;
    const int32_t *prev = NULL;
    if (t == 0)
        prev = NULL;
    else if (st->dprev[i]) /* time-step-major: its own current and copy of the last input */
        prev = st->dprev[i];
    else if (i >= e->lm_first && e->nmaps[ly->inputs[0]] >= 2 &&
             st->acc_f[i] == st->acc_f_shared)
        prev = out_map(e, st, ly->inputs[0], t - 1);
    int basis = float_basis_layer(e, i) && st->bhist &&
                ((ly->kernel == 1 && st->bslack >= ly->c_out) ||
                 (ly->kernel == 3 && st->bmap && st->brows));
    if (!prev && !basis)
        return 0;
    int64_t npos = (int64_t)h * w, n = npos * ly->c_in, nd = 0, nx = 0;
    int32_t *d = st->delta;
    if (prev) {
        for (int64_t k = 0; k < n; k++) {
            d[k] = in0[k] - prev[k];
            nd += d[k] != 0;
            nx += in0[k] != 0;
        }
    } else {
        nx = myelin_kernel_nonzero(in0, n);
        nd = n + 1;
    }
    int64_t nb = n + 1;
    int32_t *base = st->bhist, *hist = st->bhist + ly->c_in;
    if (basis)
        nb = myelin_kernel_basis_mode(in0, npos, ly->c_in, base, hist);
    if (nb < nd && nb < nx && ly->kernel == 3) {
        /* W b at each kind of position (the taps inside the map): a map of b of up to 3 x 3 */
        double *acc = st->acc_f[i];
        int co = ly->c_out, ci = ly->c_in, hh = h < 3 ? h : 3, ww = w < 3 ? w : 3;
        for (int q = 0; q < hh * ww; q++) {
            memcpy(st->bmap + (int64_t)q * ci, base, sizeof *base * (size_t)ci);
            memcpy(st->brows + (int64_t)q * co, L->fw->b, sizeof *acc * (size_t)co);
        }
        myelin_kernel_synapse_dw(st->bmap, hh, ww, ci, L->fw->w, L->pd, co, 3, 0, co, st->brows,
                                 NULL, st->dense, L->column_d);
        for (int y = 0; y < h; y++) {
            int cy = y == 0 ? 0 : y == h - 1 ? hh - 1 : 1;
            for (int x = 0; x < w; x++) {
                int cx = x == 0 ? 0 : x == w - 1 ? ww - 1 : 1;
                memcpy(acc + ((int64_t)y * w + x) * co, st->brows + (int64_t)(cy * ww + cx) * co,
                       sizeof *acc * (size_t)co);
            }
        }
        myelin_kernel_basis_sub(in0, npos, ci, base, d);
        myelin_kernel_synapse_dw(d, h, w, ci, L->fw->w, L->pd, co, 3, 0, co, acc, NULL, st->dense,
                                 L->column_d);
        myelin_kernel_synapse_counts(in0, h, w, ci, 3, co, kc);
        return 1;
    }
    if (nb < nd && nb < nx) {
        /* one more position holding b: its sums are W b; the others' are W (x_t - b) */
        double *acc = st->acc_f[i];
        int co = ly->c_out;
        myelin_kernel_basis_sub(in0, npos, ly->c_in, base, d);
        memcpy(d + n, base, sizeof *d * (size_t)ly->c_in);
        memset(acc, 0, sizeof *acc * (size_t)((npos + 1) * co));
        myelin_kernel_synapse_dw(d, (int)npos + 1, 1, ly->c_in, L->fw->w, L->pd, co, 1, 0, co,
                                 acc, NULL, st->dense, L->column_d);
        double *row = acc + npos * co;
        for (int o = 0; o < co; o++)
            row[o] += L->fw->b[o];
        for (int64_t p = 0; p < npos; p++)
            for (int o = 0; o < co; o++)
                acc[p * co + o] += row[o];
        myelin_kernel_synapse_counts(in0, h, w, ly->c_in, ly->kernel, co, kc);
        return 1;
    }
    if (nd >= nx)
        return 0;
    myelin_kernel_synapse_dw(d, h, w, ly->c_in, L->fw->w, L->pd, ly->c_out, ly->kernel, 0,
                             ly->c_out, st->acc_f[i], NULL, st->dense, L->column_d);
    myelin_kernel_synapse_counts(in0, h, w, ly->c_in, ly->kernel, ly->c_out, kc);
    return 1;
}

static int run_step(const myelin_engine *e, myelin_engine_state *st, int i, int t, int want_h,
                    const h_io *io, const myelin_kcounts *pre, int lif, int narrow, int *head,
                    myelin_error *err)
{
    const myelin_workload *wl = e->wl;
    int T = wl->timesteps;
    const myelin_layer *ly = &wl->layers[i];
    const eng_layer *L = &e->L[i];
    myelin_kcounts kc = {0};
    if (pre) {
        kc.events = pre->events;
        kc.synops = pre->synops;
    }
    int64_t sz = shape_size(ly->out_shape);
    const int32_t *in0 = (ly->n_inputs > 0 && ly->inputs[0] >= 0) ? out_map(e, st, ly->inputs[0], t)
                                                                  : NULL;
    int32_t *out = ly->kind == MYELIN_LAYER_HEAD ? NULL : out_map(e, st, i, t);
    switch (ly->kind) {
    case MYELIN_LAYER_CONV:
    case MYELIN_LAYER_LINEAR: {
        int h = ly->in_shape.h, w = ly->in_shape.w;
        if (ly->kind == MYELIN_LAYER_LINEAR) { /* tokens: [N][C] as h = N, w = 1 */
            h = ly->in_shape.h * ly->in_shape.w;
            w = 1;
        }
        int image = ly->real_input || ly->inputs[0] == MYELIN_INPUT_IMAGE;
        if (!pre && (!image || t == 0)) { /* the image layer's current is computed once */
            int co = ly->c_out;
            if (L->w_int) {
                /* acc = bias + sums; the image's codes with their zero point (u8 on the dense
                 * path where its checks pass); int32 currents where the layer takes them */
                int rc = iw_current(e, st, i, image ? st->img_q : in0, h, w,
                                    image ? (int32_t)e->in_zero : 0,
                                    image ? -1 : known_nz(e, st, ly->inputs[0], t),
                                    acc_map(e, st, i, t),
                                    narrow ? acc32_map(e, st, i, t) : NULL, &kc, err);
                if (rc)
                    return rc;
                (void)co;
            } else if (float_delta(e, st, i, t, in0, h, w, &kc)) {
                /* acc (this layer's current of step t - 1) += W (x_t - x_{t-1}) */
                if (st->dprev[i])
                    memcpy(st->dprev[i], in0, sizeof *in0 * (size_t)shape_size(ly->in_shape));
            } else {
                double *acc = st->acc_f[i];
                for (int64_t k = 0; k < sz; k += co)
                    memcpy(acc + k, L->fw->b, sizeof *acc * (size_t)co);
                if (image)
                    myelin_kernel_scatter_d(st->img_f, h, w, ly->c_in, L->fw->w, co, ly->kernel, 0,
                                            co, acc, &kc);
                else
                    myelin_kernel_synapse_dw(in0, h, w, ly->c_in, L->fw->w, L->pd, co, ly->kernel,
                                             0, co, acc, &kc, st->dense, L->column_d);
                if (!image && st->dprev[i])
                    memcpy(st->dprev[i], in0, sizeof *in0 * (size_t)shape_size(ly->in_shape));
            }
        }
        if (lif)
            run_lif(e, st, i, t, want_h, &kc);
        break;
    }
    case MYELIN_LAYER_ATTN: {
        int ntok = ly->out_shape.h * ly->out_shape.w, d = ly->out_shape.c;
        int dh = d / ly->heads;
        const int32_t *q = out_map(e, st, ly->inputs[0], t), *k = out_map(e, st, ly->inputs[1], t),
                      *v = out_map(e, st, ly->inputs[2], t);
        int64_t *acc = acc_map(e, st, i, t);
        int64_t nd = (int64_t)ntok * d; /* bounds of |Q|, |K|, |V| once for all heads: the
                                         * graph's where known, else measured */
        const int32_t *qkv[3] = {q, k, v};
        int64_t bounds[3];
        for (int j = 0; j < 3; j++) {
            int src = ly->inputs[j];
            bounds[j] = src >= 0 && e->vbound[src] >= 0 ? e->vbound[src]
                                                        : myelin_kernel_absmax(qkv[j], nd);
        }
        for (int hd = 0; hd < ly->heads; hd++) {
            int qk_v = ly->attn_order == MYELIN_ATTN_QK_V;
            /* the same A in either order: Q (K^T V) in int32 where it fits, the order's counts;
             * int32 currents (narrow) where plan_acc32's bound, the same as the head's, holds */
            int32_t *kv32 = (int32_t *)st->kv;
            int rc = narrow ? myelin_kernel_attn_head_i32_32(q, k, v, ntok, d, hd, dh, 0, ntok,
                                                             bounds, kv32, acc32_map(e, st, i, t))
                            : myelin_kernel_attn_head_i32(q, k, v, ntok, d, hd, dh, 0, ntok,
                                                          bounds, kv32, acc);
            if (rc == 0) {
                myelin_kernel_attn_counts(q, k, v, ntok, d, hd, dh, 0, ntok, qk_v, &kc);
                continue;
            }
            if (narrow)
                return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                        "engine: layer %s: the int32 attention refused its "
                                        "planned bound", ly->name);
            if (qk_v)
                myelin_kernel_attn_head_qk_v_t(q, k, v, ntok, d, hd, dh, 0, ntok, st->kv, acc, &kc);
            else
                myelin_kernel_attn_head(q, k, v, ntok, d, hd, dh, 0, ntok, st->kv, acc, &kc);
        }
        if (lif)
            run_lif(e, st, i, t, want_h, &kc);
        break;
    }
    case MYELIN_LAYER_MAXPOOL: /* their spike count: the sum of the outputs */
        st->spikes[(int64_t)i * T + t] =
            myelin_kernel_maxpool(in0, ly->in_shape.h, ly->in_shape.w, ly->in_shape.c, out);
        break;
    case MYELIN_LAYER_ADD:
        st->spikes[(int64_t)i * T + t] =
            myelin_kernel_add(in0, out_map(e, st, ly->inputs[1], t), out, 0, sz);
        break;
    case MYELIN_LAYER_HEAD: {
        int64_t ntok = (int64_t)ly->in_shape.h * ly->in_shape.w;
        int c = ly->c_in;
        if (t == 0)
            memset(st->head_sum, 0, sizeof *st->head_sum * (size_t)c);
        for (int64_t tk = 0; tk < ntok; tk++)
            for (int ch = 0; ch < c; ch++)
                st->head_sum[ch] += in0[tk * c + ch];
        kc.events += myelin_kernel_nonzero(in0, ntok * c);
        *head = i;
        break;
    }
    default:
        return myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                "engine: layer %s has an unknown kind %d", ly->name, (int)ly->kind);
    }
    int64_t *sp = &st->spikes[(int64_t)i * T + t];
    if (has_lif(ly) && lif) {
        *sp = kc.spikes;
        st->sat[3 * i] += kc.x_sat;
        st->sat[3 * i + 1] += kc.h_sat;
        st->sat[3 * i + 2] += kc.neuron_updates;
        if (want_h)
            h_account(e, st, i, t, sz, io);
    }
    st->events[(int64_t)i * T + t] = kc.events;
    st->synops[(int64_t)i * T + t] = kc.synops;
    return 0;
}

/* V = 0 at the start of an image. */
static void clear_membranes(const myelin_engine *e, myelin_engine_state *st, int i)
{
    int64_t sz = shape_size(e->wl->layers[i].out_shape);
    if (st->v_i[i])
        memset(st->v_i[i], 0, sizeof(int32_t) * (size_t)sz);
    if (st->v_i16[i])
        memset(st->v_i16[i], 0, sizeof(int16_t) * (size_t)sz);
    if (st->v_f[i])
        memset(st->v_f[i], 0, sizeof(double) * (size_t)sz);
}

/* Layers [0, lm_first) run time-step-major (every layer of step t before step t + 1: one map
 * each, memory), layers [lm_first, n) layer-major (all T steps of a layer before the next: their
 * synaptic kernels see T maps, fixed costs are paid once per layer).  Every layer of a step reads
 * only earlier layers of the same step and its own membrane of step t - 1, so both orders compute
 * the same values; the per-(layer, step) counts and the drift sums (per layer, in step order) are
 * accumulated in the same order either way. */
static int run_internal(const myelin_engine *e, myelin_engine_state *st, const uint8_t *pixels,
                        double *logits, const h_io *io, myelin_error *err)
{
    const myelin_workload *wl = e->wl;
    int n = wl->n_layers, T = wl->timesteps;
    if (st->e != e)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "engine: the state was made for another engine");
    int want_h = io && (io->record || io->ref);
    if (want_h && (!st->h_i || !st->h_f)) { /* drift: the pre-spike membranes, on first use */
        if (!st->h_i)
            st->h_i = calloc((size_t)st->max_neurons, sizeof *st->h_i);
        if (!st->h_f)
            st->h_f = calloc((size_t)st->max_neurons, sizeof *st->h_f);
        if (!st->h_i || !st->h_f)
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine state: out of memory");
    }
    for (int i = 0; want_h && i < n; i++) /* the per-step path's membranes */
        if (has_lif(&wl->layers[i]) && !alloc_membranes(e, st, i))
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine state: out of memory");
    myelin_engine_prepare_image(e, pixels, st->img_f, st->img_q);
    memset(st->spikes, 0, sizeof *st->spikes * (size_t)n * T);
    memset(st->events, 0, sizeof *st->events * (size_t)n * T);
    memset(st->synops, 0, sizeof *st->synops * (size_t)n * T);
    memset(st->sat, 0, sizeof *st->sat * (size_t)n * 3);
    for (int i = 0; i < e->lm_first; i++)
        clear_membranes(e, st, i);
    int head = -1, rc = 0;
    for (int t = 0; t < T && rc == 0; t++)
        for (int i = 0; i < e->lm_first && rc == 0; i++)
            rc = run_step(e, st, i, t, want_h, io, NULL, 1, 0, &head, err);
    for (int i = e->lm_first; i < n && rc == 0; i++) {
        int pre = batchable(e, i);
        /* integer membranes: all T currents first, then the LIF over T per block of neurons
         * (lif_steps; the drift's per-step H record keeps the per-step LIF) */
        int steps = !want_h && has_lif(&wl->layers[i]) && e->L[i].m_int;
        int narrow = steps && e->L[i].acc32; /* int32 currents (plan_acc32) */
        if (!steps) /* lif_steps' membranes live in registers (or its own buffer) */
            clear_membranes(e, st, i);
        if (pre)
            rc = batch_linear(e, st, i, narrow, st->kct, err);
        for (int t = 0; t < T && rc == 0; t++)
            rc = run_step(e, st, i, t, want_h, io, pre ? &st->kct[t] : NULL, !steps, narrow, &head,
                          err);
        if (rc == 0 && steps)
            rc = lif_steps(e, st, i, narrow, err);
    }
    if (rc)
        return rc;
    if (head < 0)
        return myelin_error_set(err, MYELIN_ESHAPE, NULL, 0, 0, "workload %s has no head layer",
                                wl->name);
    /* the head runs once, on the sum over tokens and timesteps */
    const myelin_layer *ly = &wl->layers[head];
    int co = ly->c_out;
    myelin_engine_head_logits(e, head, st->head_sum, 0, co, logits);
    int64_t nz = 0;
    for (int c = 0; c < ly->c_in; c++)
        nz += st->head_sum[c] != 0;
    st->synops[(int64_t)head * T] = nz * co;
    return 0;
}

void myelin_engine_layer_params_get(const myelin_engine *e, int layer,
                                    myelin_engine_layer_params *out)
{
    const eng_layer *L = &e->L[layer];
    memset(out, 0, sizeof *out);
    out->w_int = L->w_int;
    out->m_int = L->m_int;
    out->m_bits = L->m_bits;
    out->n_ch = L->n_ch;
    if (L->w_int) {
        out->wq = L->q.wq;
        out->kw = L->kw;
        out->bq = L->q.bq;
        out->w_scale = L->q.scale;
    }
    if (L->fw) {
        out->wf = L->fw->w;
        out->bf = L->fw->b;
    }
    out->s_acc = L->s_acc;
    out->shift = L->shift;
    out->theta = L->theta;
}

/* An input byte p of channel c: its normalised value and (s_in > 0) its code. */
static double pixel_value(const myelin_workload *wl, int c, int p)
{
    return ((double)p / 255.0 - wl->norm_mean[c]) / wl->norm_std[c];
}

static int32_t pixel_code(const myelin_engine *e, double v)
{
    /* clamp to the b-bit code range (rounding can reach its ends) */
    int64_t q = llround(v / e->s_in), top = ((int64_t)1 << e->input_bits) - 1 - e->in_zero;
    return (int32_t)(q < -e->in_zero ? -e->in_zero : (q > top ? top : q));
}

/* The 256 values (and codes) of every input channel, computed once (the same doubles and
 * integers as per pixel). */
static int make_pixel_luts(myelin_engine *e, myelin_error *err)
{
    int C = e->wl->input.c;
    e->lut_f = malloc(sizeof *e->lut_f * (size_t)C * 256);
    e->lut_q = malloc(sizeof *e->lut_q * (size_t)C * 256);
    if (!e->lut_f || !e->lut_q)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    for (int c = 0; c < C; c++)
        for (int p = 0; p < 256; p++) {
            double v = pixel_value(e->wl, c, p);
            e->lut_f[c * 256 + p] = v;
            e->lut_q[c * 256 + p] = e->s_in > 0 ? pixel_code(e, v) : 0;
        }
    return 0;
}

void myelin_engine_prepare_image(const myelin_engine *e, const uint8_t *pixels, double *x,
                                 int32_t *xq)
{
    const myelin_workload *wl = e->wl;
    int64_t img = shape_size(wl->input);
    int C = wl->input.c;
    for (int64_t k = 0, c = 0; k < img; k++) {
        x[k] = e->lut_f[c * 256 + pixels[k]];
        if (e->s_in > 0 && xq)
            xq[k] = e->lut_q[c * 256 + pixels[k]];
        if (++c == C)
            c = 0;
    }
}

void myelin_engine_head_logits(const myelin_engine *e, int head, const int64_t *head_sum, int o_lo,
                               int o_hi, double *logits)
{
    const myelin_layer *ly = &e->wl->layers[head];
    const eng_layer *L = &e->L[head];
    double denom = (double)e->wl->timesteps * ly->in_shape.h * ly->in_shape.w;
    int co = ly->c_out;
    if (L->w_int) {
        for (int o = o_lo; o < o_hi; o++) {
            int64_t acc = 0;
            for (int c = 0; c < ly->c_in; c++)
                acc += head_sum[c] * (int64_t)L->q.wq[(int64_t)c * co + o];
            logits[o] = (double)acc * L->q.scale[o] / denom + L->fw->b[o];
        }
    } else {
        for (int o = o_lo; o < o_hi; o++) {
            double acc = L->fw->b[o];
            for (int c = 0; c < ly->c_in; c++)
                acc += ((double)head_sum[c] / denom) * L->fw->w[(int64_t)c * co + o];
            logits[o] = acc;
        }
    }
}

int myelin_engine_run_image(const myelin_engine *e, myelin_engine_state *st, const uint8_t *pixels,
                            double *logits, myelin_error *err)
{
    return run_internal(e, st, pixels, logits, NULL, err);
}

/* ---- drift ---------------------------------------------------------------------------------- */

void myelin_engine_reference_free(myelin_engine_reference *ref)
{
    if (!ref)
        return;
    free(ref->pixels);
    free(ref->h);
    free(ref);
}

int myelin_engine_reference_images(const myelin_engine_reference *ref)
{
    return ref->n_images;
}

/* The float reference runs e's layers in float: it needs their doubles. */
static int check_reference(const myelin_engine *e, myelin_error *err)
{
    if (!e->released)
        return 0;
    return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                            "engine: made with myelin_engine_new_release, it holds no float weights "
                            "for a drift reference");
}

int myelin_engine_reference_new(const myelin_engine *e, const uint8_t *pixels, int n_images,
                                myelin_engine_reference **out, myelin_error *err)
{
    const myelin_workload *wl = e->wl;
    *out = NULL;
    if (n_images <= 0)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "drift reference: need at least one image (got %d)", n_images);
    if (check_reference(e, err))
        return err->code;
    myelin_engine *fe = NULL;
    myelin_engine_state *st = NULL;
    int rc = myelin_engine_new_layers(wl, e->lw, NULL, 8, &fe, err);
    if (rc == 0)
        rc = myelin_engine_state_new(fe, &st, err);
    myelin_engine_reference *ref = NULL;
    double *logits = NULL;
    if (rc == 0) {
        ref = calloc(1, sizeof *ref);
        logits = calloc((size_t)wl->classes + 1, sizeof *logits);
        if (ref) {
            ref->wl = wl;
            ref->n_images = n_images;
            ref->image_bytes = shape_size(wl->input);
            ref->h_per_image = fe->h_per_image;
            ref->pixels = malloc((size_t)(ref->image_bytes * n_images));
            ref->h = malloc(sizeof(double) * (size_t)(ref->h_per_image * n_images + 1));
        }
        if (!ref || !logits || !ref->pixels || !ref->h)
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "drift reference: out of memory");
    }
    if (rc == 0)
        memcpy(ref->pixels, pixels, (size_t)(ref->image_bytes * n_images));
    for (int k = 0; rc == 0 && k < n_images; k++) {
        h_io io = {ref->h + (int64_t)k * ref->h_per_image, NULL, NULL};
        rc = run_internal(fe, st, ref->pixels + (int64_t)k * ref->image_bytes, logits, &io, err);
    }
    free(logits);
    myelin_engine_state_free(st);
    myelin_engine_free(fe);
    if (rc) {
        myelin_engine_reference_free(ref);
        return rc;
    }
    *out = ref;
    return 0;
}

int myelin_engine_drift(const myelin_engine *e, myelin_engine_state *st,
                        const myelin_engine_reference *ref, myelin_drift_layer *drift,
                        myelin_error *err)
{
    if (ref->wl != e->wl && (ref->h_per_image != e->h_per_image ||
                             ref->image_bytes != shape_size(e->wl->input)))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "drift: the reference was computed for another workload");
    double *logits = calloc((size_t)e->wl->classes + 1, sizeof *logits);
    if (!logits)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "drift: out of memory");
    int rc = 0;
    for (int k = 0; rc == 0 && k < ref->n_images; k++) {
        h_io io = {NULL, ref->h + (int64_t)k * ref->h_per_image, drift};
        rc = run_internal(e, st, ref->pixels + (int64_t)k * ref->image_bytes, logits, &io, err);
    }
    free(logits);
    return rc;
}

void myelin_drift_summary(const myelin_workload *wl, const myelin_drift_layer *drift,
                          double *mean_out, double *max_out)
{
    double sum = 0, mx = 0;
    int layers = 0;
    for (int i = 0; i < wl->n_layers; i++) {
        if (!has_lif(&wl->layers[i]) || drift[i].samples == 0)
            continue;
        double d = drift[i].abs_dh_sum / (double)drift[i].samples;
        sum += d;
        if (d > mx)
            mx = d;
        layers++;
    }
    *mean_out = layers ? sum / layers : 0.0;
    *max_out = mx;
}

/* ---- datasets ------------------------------------------------------------------------------- */

int myelin_argmax(const double *logits, int classes)
{
    int best = 0;
    for (int k = 1; k < classes; k++)
        if (logits[k] > logits[best])
            best = k;
    return best;
}

int myelin_in_top5(const double *logits, int classes, int label)
{
    if (label < 0 || label >= classes)
        return 0;
    int above = 0; /* classes ranked before the label (ties: lower index first) */
    for (int k = 0; k < classes; k++)
        if (logits[k] > logits[label] || (logits[k] == logits[label] && k < label))
            above++;
    return above < 5;
}

void myelin_engine_summary_free(myelin_engine_summary *sum)
{
    if (!sum)
        return;
    free(sum->spikes);
    free(sum->events);
    free(sum->synops);
    free(sum->sat);
    free(sum->drift);
    memset(sum, 0, sizeof *sum);
}

int myelin_engine_check_dataset(const myelin_engine *e, myelin_dataset *ds, myelin_error *err)
{
    const myelin_workload *wl = e->wl;
    myelin_dataset_info info;
    myelin_dataset_info_get(ds, &info);
    if (info.c != wl->input.c || info.h != wl->input.h || info.w != wl->input.w)
        return myelin_error_set(err, MYELIN_ESHAPE, NULL, 0, 0,
                                "dataset %s has %dx%dx%d images (CxHxW); workload %s expects %dx%dx%d",
                                info.description, info.c, info.h, info.w, wl->name, wl->input.c,
                                wl->input.h, wl->input.w);
    if (info.classes > wl->classes)
        return myelin_error_set(err, MYELIN_ESHAPE, NULL, 0, 0,
                                "dataset %s has %d classes; workload %s has only %d",
                                info.description, info.classes, wl->name, wl->classes);
    return 0;
}

int myelin_engine_run_dataset(const myelin_engine *e, myelin_dataset *ds, int64_t limit,
                              int with_drift, myelin_engine_image_fn fn, void *user,
                              myelin_engine_summary *sum, myelin_error *err)
{
    const myelin_workload *wl = e->wl;
    int n = wl->n_layers, T = wl->timesteps;
    memset(sum, 0, sizeof *sum);
    int rc0 = myelin_engine_check_dataset(e, ds, err);
    if (!rc0 && with_drift)
        rc0 = check_reference(e, err);
    if (rc0)
        return rc0;
    sum->n_layers = n;
    sum->timesteps = T;
    sum->has_top5 = wl->classes > 5;
    sum->has_drift = with_drift;
    sum->spikes = calloc((size_t)n * T, sizeof *sum->spikes);
    sum->events = calloc((size_t)n * T, sizeof *sum->events);
    sum->synops = calloc((size_t)n * T, sizeof *sum->synops);
    sum->sat = calloc((size_t)n * 3, sizeof *sum->sat);
    if (with_drift)
        sum->drift = calloc((size_t)n, sizeof *sum->drift);
    myelin_engine_state *st = NULL, *fst = NULL;
    myelin_engine *fe = NULL;
    double *logits = calloc((size_t)wl->classes, sizeof *logits);
    double *h_rec = NULL;
    uint8_t *pix = malloc((size_t)shape_size(wl->input));
    int rc = 0;
    if (!sum->spikes || !sum->events || !sum->synops || !sum->sat || (with_drift && !sum->drift) ||
        !logits ||
        !pix)
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    if (rc == 0)
        rc = myelin_engine_state_new(e, &st, err);
    if (rc == 0 && with_drift) {
        rc = myelin_engine_new_layers(wl, e->lw, NULL, 8, &fe, err);
        if (rc == 0)
            rc = myelin_engine_state_new(fe, &fst, err);
        if (rc == 0 && !(h_rec = malloc(sizeof(double) * (size_t)(e->h_per_image + 1))))
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "engine: out of memory");
    }
    for (int64_t idx = 0; rc == 0 && (limit <= 0 || idx < limit); idx++) {
        int label = -1;
        int got = myelin_dataset_next(ds, pix, &label, err);
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0)
            break;
        if (with_drift) {
            h_io rec = {h_rec, NULL, NULL};
            rc = run_internal(fe, fst, pix, logits, &rec, err);
            if (rc)
                break;
        }
        h_io cmp = {NULL, h_rec, sum->drift};
        rc = run_internal(e, st, pix, logits, with_drift ? &cmp : NULL, err);
        if (rc)
            break;
        sum->images++;
        sum->top1_correct += myelin_argmax(logits, wl->classes) == label;
        sum->top5_correct += myelin_in_top5(logits, wl->classes, label);
        for (int64_t k = 0; k < (int64_t)n * T; k++) {
            sum->spikes[k] += st->spikes[k];
            sum->events[k] += st->events[k];
            sum->synops[k] += st->synops[k];
        }
        for (int64_t k = 0; k < (int64_t)n * 3; k++)
            sum->sat[k] += st->sat[k];
        if (fn && fn(user, idx, label, logits, wl->classes))
            rc = myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0, "run stopped at image %lld",
                                  (long long)idx);
    }
    free(pix);
    free(logits);
    free(h_rec);
    myelin_engine_state_free(st);
    myelin_engine_state_free(fst);
    myelin_engine_free(fe);
    if (rc)
        myelin_engine_summary_free(sum);
    return rc;
}
