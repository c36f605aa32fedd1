// sim/model.cpp — the spec (placement, streams, timing rules), the action ledger and the run state
// with the per-core arithmetic (shared kernels or statistical draws) of one simulation (see
// model.h and sim/README.md).
#include "sim/model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <cstdlib>

#include "sim/core.h"

namespace myelin_sim {

struct model::tensors {
    std::vector<std::vector<int32_t>> out;
    std::vector<std::vector<int64_t>> acc_i, v_i;
    std::vector<std::vector<double>> acc_f, v_f;
    std::vector<int64_t> head_sum;
    std::vector<double> img_f;
    std::vector<int32_t> img_q;
    std::vector<uint8_t> pixels;
    std::vector<myelin_engine_layer_params> P;
};

static int64_t elems(const myelin_shape &s)
{
    return (int64_t)s.c * s.h * s.w;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return b > 0 ? (a + b - 1) / b : 0;
}

spec::spec(const myelin_array_options &o, int64_t period)
    : opt(o), wl(o.wl), arch(o.arch), T(o.wl->timesteps), period_ps(period),
      statistical(o.engine == nullptr)
{
}

int spec::add_streams(int dst, int p, int role, int pool, myelin_error *err)
{
    if (p == MYELIN_INPUT_IMAGE)
        return 0;
    const myelin_layer &L = wl->layers[p];
    if (L.kind == MYELIN_LAYER_MAXPOOL || L.kind == MYELIN_LAYER_ADD) {
        if (pool >= 0)
            return myelin_error_set(err, MYELIN_EUNSUPPORTED, nullptr, 0, 0,
                                    "sim: layer %s feeds max pool %s; the core array merges residual "
                                    "adds and pools only as add(pool(x), y)",
                                    L.name, wl->layers[pool].name);
        if (L.kind == MYELIN_LAYER_MAXPOOL)
            return add_streams(dst, L.inputs[0], role, p, err);
        for (int j = 0; j < L.n_inputs; j++) {
            int rc = add_streams(dst, L.inputs[j], role, -1, err);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (opt.map->layers[p].cores <= 0)
        return myelin_error_set(err, MYELIN_EINTERNAL, nullptr, 0, 0,
                                "sim: layer %s produces spikes but holds no cores", L.name);
    stream s;
    s.src = p;
    s.dst = dst;
    s.pool = pool;
    s.role = role;
    streams.push_back(s);
    return 0;
}

int spec::init(myelin_error *err)
{
    const myelin_mapping *map = opt.map;
    int n = wl->n_layers;
    layers.resize((size_t)n);
    // placement: core k of a layer holds channel group k (token_slices 1), or channel
    // k / slices and token slice k % slices
    for (int l = 0; l < n; l++) {
        const myelin_layer &L = wl->layers[l];
        const myelin_layer_map &lm = map->layers[l];
        if (lm.cores <= 0)
            continue;
        if (lm.first_core < 0)
            return myelin_error_set(err, MYELIN_EINTERNAL, nullptr, 0, 0,
                                    "sim: layer %s has cores but no position", L.name);
        int C = L.kind == MYELIN_LAYER_HEAD ? L.c_out : L.out_shape.c;
        int N = L.kind == MYELIN_LAYER_HEAD ? L.in_shape.h * L.in_shape.w
                                            : L.out_shape.h * L.out_shape.w;
        int slices = lm.token_slices > 0 ? lm.token_slices : 1;
        int per_slice = (int)ceil_div(N, slices);
        for (int k = 0; k < lm.cores; k++) {
            core_place p;
            p.layer = l;
            p.index = k;
            p.raster = lm.first_core + k;
            p.x = p.raster % arch->cols;
            p.y = p.raster / arch->cols;
            if (slices == 1) {
                p.co_lo = std::min(C, k * lm.channels_per_core);
                p.co_hi = std::min(C, p.co_lo + lm.channels_per_core);
                p.tok_lo = 0;
                p.tok_hi = N;
            } else {
                p.co_lo = std::min(C, k / slices);
                p.co_hi = std::min(C, p.co_lo + 1);
                p.tslice = k % slices;
                p.tok_lo = std::min(N, p.tslice * per_slice);
                p.tok_hi = std::min(N, p.tok_lo + per_slice);
            }
            layers[(size_t)l].cores.push_back((int)places.size());
            places.push_back(p);
        }
    }
    for (int l = 0; l < n; l++) {
        if (map->layers[l].cores <= 0)
            continue;
        const myelin_layer &L = wl->layers[l];
        for (int j = 0; j < L.n_inputs; j++) {
            int rc = add_streams(l, L.inputs[j], j, -1, err);
            if (rc)
                return rc;
        }
    }
    for (size_t s = 0; s < streams.size(); s++) {
        layers[(size_t)streams[s].src].out_streams.push_back((int)s);
        layers[(size_t)streams[s].dst].in_streams.push_back((int)s);
    }
    // packet: destination x, y and the source neuron's index (its axon) in the travelling tensor;
    // the format is defined once, in models/cost.h, so the cost model's NoC bound uses the same
    packet_bits = myelin_noc_packet_bits(wl, arch);
    flits = myelin_noc_flits_per_packet(wl, arch);
    barrier_cycles = (int64_t)(arch->rows + arch->cols) * arch->noc.hop_latency_cycles;
    if (barrier_cycles < 1)
        barrier_cycles = 1;
    return 0;
}

int64_t spec::pe_cycles(int64_t fanout, int64_t bits_per_syn, int64_t *stall) const
{
    if (fanout <= 0) {
        *stall = 0;
        return 0;
    }
    int64_t acc = ceil_div(fanout, arch->core.accumulator_lanes);
    int64_t words = ceil_div(fanout * bits_per_syn, arch->core.synapse_word_bits);
    int64_t fetch = ceil_div(words, arch->core.synapse_banks);
    *stall = fetch > acc ? fetch - acc : 0;
    return acc;
}

int64_t spec::lif_cycles(int c) const
{
    const core_place &p = places[(size_t)c];
    if (!wl->layers[p.layer].has_lif || wl->layers[p.layer].kind == MYELIN_LAYER_HEAD)
        return 0;
    int64_t neurons = (int64_t)(p.tok_hi - p.tok_lo) * (p.co_hi - p.co_lo);
    return ceil_div(neurons, arch->core.accumulator_lanes);
}

int64_t spec::head_final_cycles(int c, int64_t *stall) const
{
    const core_place &p = places[(size_t)c];
    const myelin_layer &L = wl->layers[p.layer];
    int64_t fanout = (int64_t)L.c_in * (p.co_hi - p.co_lo);
    return pe_cycles(fanout, myelin_storage_bits(opt.lq[p.layer].weight_bits), stall);
}

// ---- the ledger ---------------------------------------------------------------------------------

ledger::ledger(const spec &s, myelin_cost_counts *per_layer)
    : lq_(s.opt.lq), layer_(per_layer), core_(s.places.size(), myelin_cost_counts{})
{
}

void ledger::count(int l, int core, myelin_action a, double n)
{
    layer_[l].count[a] += n;
    core_[(size_t)core].count[a] += n;
}

void ledger::count_accumulates(int l, int core, double ops, int pot)
{
    const myelin_layer_quant &q = lq_[l];
    if (q.membrane_bits == MYELIN_BITS_FLOAT)
        count(l, core, MYELIN_ACT_ADD_FLOAT, ops);
    else if (pot)
        count(l, core, MYELIN_ACT_SHIFT_ADD_BITS, ops * myelin_storage_bits(q.membrane_bits));
    else
        count(l, core, MYELIN_ACT_ADD_INT_BITS, ops * myelin_storage_bits(q.membrane_bits));
}

void ledger::count_synaptic_ops(int l, int core, double ops)
{
    layer_[l].synaptic_ops += ops;
    core_[(size_t)core].synaptic_ops += ops;
}

// ---- the run state -------------------------------------------------------------------------------

model::model(const spec &s, ledger &led, noc_if &noc, myelin_array_result *res)
    : sp_(s), led_(led), noc_(noc), res_(res), tz(new tensors)
{
}

model::~model()
{
    delete tz;
}

int model::init(myelin_error *err)
{
    const myelin_workload *wl = sp_.wl;
    const myelin_array_options &opt = sp_.opt;
    int n = wl->n_layers, T = sp_.T, statistical = sp_.statistical;
    const std::vector<core_place> &places = sp_.places;
    // tensors
    tz->out.resize((size_t)n);
    tz->acc_i.resize((size_t)n);
    tz->v_i.resize((size_t)n);
    tz->acc_f.resize((size_t)n);
    tz->v_f.resize((size_t)n);
    tz->P.resize((size_t)n);
    int64_t max_dh = 1;
    try {
        for (int l = 0; l < n; l++) {
            const myelin_layer &L = wl->layers[l];
            if (L.kind == MYELIN_LAYER_HEAD) {
                tz->head_sum.assign((size_t)L.c_in, 0);
                if (!statistical)
                    myelin_engine_layer_params_get(opt.engine, l, &tz->P[(size_t)l]);
                continue;
            }
            int64_t sz = elems(L.out_shape);
            tz->out[(size_t)l].assign((size_t)sz, 0);
            if (L.kind == MYELIN_LAYER_ATTN && L.heads > 0)
                max_dh = std::max<int64_t>(max_dh, L.out_shape.c / L.heads);
            if (statistical || !(L.kind == MYELIN_LAYER_CONV || L.kind == MYELIN_LAYER_LINEAR ||
                                 L.kind == MYELIN_LAYER_ATTN))
                continue;
            myelin_engine_layer_params &P = tz->P[(size_t)l];
            myelin_engine_layer_params_get(opt.engine, l, &P);
            if (P.w_int || L.kind == MYELIN_LAYER_ATTN)
                tz->acc_i[(size_t)l].assign((size_t)sz, 0);
            tz->acc_f[(size_t)l].assign((size_t)sz, 0.0);
            if (P.m_int)
                tz->v_i[(size_t)l].assign((size_t)sz, 0);
            else
                tz->v_f[(size_t)l].assign((size_t)sz, 0.0);
        }
        int64_t img = elems(wl->input);
        tz->img_f.assign((size_t)img, 0.0);
        tz->img_q.assign((size_t)img, 0);
        tz->pixels.assign((size_t)img, 0);
        kv.assign((size_t)(max_dh * max_dh), 0);
        lstate_.assign((size_t)n, layer_state{});
        img_spikes_.assign((size_t)n * T, 0);
        logits_.assign((size_t)wl->classes, 0.0);
        rng.resize(places.size());
    } catch (const std::bad_alloc &) {
        return myelin_error_set(err, MYELIN_ENOMEM, nullptr, 0, 0, "sim: out of memory");
    }
    for (size_t c = 0; c < places.size(); c++)
        myelin_rng_seed(&rng[c], opt.seed, (uint64_t)c + 1);
    try {
        pool_rng.resize((size_t)n);
    } catch (const std::bad_alloc &) {
        return myelin_error_set(err, MYELIN_ENOMEM, nullptr, 0, 0, "sim: out of memory");
    }
    for (int l = 0; l < n; l++)
        myelin_rng_seed(&pool_rng[(size_t)l], opt.seed, (uint64_t)places.size() + 1 + (uint64_t)l);
    return 0;
}

// ---- controller hooks ---------------------------------------------------------------------------

int model::begin_image(myelin_error *err)
{
    if (sp_.statistical) {
        int64_t want = sp_.opt.limit > 0 ? sp_.opt.limit : 1;
        if (image_ >= want)
            return 0;
        label_ = -1;
    } else {
        if (sp_.opt.limit > 0 && image_ >= sp_.opt.limit)
            return 0;
        int got = myelin_dataset_next(sp_.opt.dataset, tz->pixels.data(), &label_, err);
        if (got <= 0)
            return got;
        myelin_engine_prepare_image(sp_.opt.engine, tz->pixels.data(), tz->img_f.data(),
                                    tz->img_q.data());
        for (auto &v : tz->v_i)
            std::fill(v.begin(), v.end(), 0);
        for (auto &v : tz->v_f)
            std::fill(v.begin(), v.end(), 0.0);
        std::fill(tz->head_sum.begin(), tz->head_sum.end(), 0);
    }
    std::fill(img_spikes_.begin(), img_spikes_.end(), 0);
    std::fill(logits_.begin(), logits_.end(), 0.0);
    return 1;
}

void model::begin_step(int t, int64_t now_cycle)
{
    step_ = t;
    cores_done_ = 0;
    step_start_cycle_ = now_cycle;
    for (auto &lr : lstate_) {
        lr.cores_done = 0;
        lr.ready = 0;
    }
    route_until(INT64_MAX); // nothing is left queued after a step; kept safe all the same
    need_key.assign(sp_.places.size(), 0);
    for (size_t c = 0; c < sp_.places.size(); c++)
        cores[c]->reset_step((int)sp_.layers[(size_t)sp_.places[c].layer].in_streams.size());
}

int model::end_image(int64_t latency_cycles, myelin_error *err)
{
    int n = sp_.wl->n_layers;
    for (int64_t k = 0; k < (int64_t)n * sp_.T; k++)
        res_->spikes[k] += img_spikes_[(size_t)k];
    res_->images++;
    res_->total_cycles += latency_cycles;
    if (latency_cycles > res_->max_latency_cycles)
        res_->max_latency_cycles = latency_cycles;
    if (!sp_.statistical) {
        res_->top1_correct += myelin_argmax(logits_.data(), sp_.wl->classes) == label_;
        res_->top5_correct += myelin_in_top5(logits_.data(), sp_.wl->classes, label_);
    }
    int64_t idx = image_++;
    if (sp_.opt.on_image &&
        sp_.opt.on_image(sp_.opt.user, idx, label_, sp_.statistical ? nullptr : logits_.data(), sp_.wl->classes,
                     img_spikes_.data(), latency_cycles))
        return myelin_error_set(err, MYELIN_EUSAGE, nullptr, 0, 0, "sim stopped at image %lld",
                                (long long)idx);
    return 0;
}

// ---- arithmetic -----------------------------------------------------------------------------------

void model::accumulate(int c, int t)
{
    if (sp_.statistical)
        return;
    const core_place &p = sp_.places[(size_t)c];
    int l = p.layer;
    const myelin_layer &L = sp_.wl->layers[l];
    const myelin_engine_layer_params &P = tz->P[(size_t)l];
    const int32_t *in0 = L.inputs[0] >= 0 ? tz->out[(size_t)L.inputs[0]].data() : nullptr;
    switch (L.kind) {
    case MYELIN_LAYER_CONV:
    case MYELIN_LAYER_LINEAR: {
        int image = L.real_input || L.inputs[0] == MYELIN_INPUT_IMAGE;
        if ((image && t > 0) || p.tslice != 0)
            return; // the image's current is computed once; token slice 0 holds the channel's sums
        int h = L.in_shape.h, w = L.in_shape.w;
        if (L.kind == MYELIN_LAYER_LINEAR) {
            h = L.in_shape.h * L.in_shape.w;
            w = 1;
        }
        int co = L.c_out;
        int64_t ntok = (int64_t)L.out_shape.h * L.out_shape.w;
        if (P.w_int) {
            int64_t *acc = tz->acc_i[(size_t)l].data();
            for (int64_t k = 0; k < ntok; k++)
                for (int o = p.co_lo; o < p.co_hi; o++)
                    acc[k * co + o] = P.bq[o];
            myelin_kernel_synapse_i(image ? tz->img_q.data() : in0, h, w, L.c_in, &P.kw, co, L.kernel,
                                    p.co_lo, p.co_hi, acc, nullptr);
        } else {
            double *acc = tz->acc_f[(size_t)l].data();
            for (int64_t k = 0; k < ntok; k++)
                for (int o = p.co_lo; o < p.co_hi; o++)
                    acc[k * co + o] = P.bf[o];
            if (image)
                myelin_kernel_scatter_d(tz->img_f.data(), h, w, L.c_in, P.wf, co, L.kernel, p.co_lo,
                                        p.co_hi, acc, nullptr);
            else
                myelin_kernel_scatter_id(in0, h, w, L.c_in, P.wf, co, L.kernel, p.co_lo, p.co_hi,
                                         acc, nullptr);
        }
        break;
    }
    case MYELIN_LAYER_ATTN: {
        int ntok = L.out_shape.h * L.out_shape.w, d = L.out_shape.c, dh = d / L.heads;
        for (int hd = 0; hd < L.heads; hd++) {
            if ((hd + 1) * dh <= p.co_lo || hd * dh >= p.co_hi)
                continue;
            myelin_kernel_attn_head(tz->out[(size_t)L.inputs[0]].data(),
                                    tz->out[(size_t)L.inputs[1]].data(),
                                    tz->out[(size_t)L.inputs[2]].data(), ntok, d, hd, dh, p.tok_lo,
                                    p.tok_hi, kv.data(), tz->acc_i[(size_t)l].data(), nullptr);
        }
        break;
    }
    case MYELIN_LAYER_HEAD: {
        if (p.index != 0)
            return;
        int64_t n = (int64_t)L.in_shape.h * L.in_shape.w * L.c_in;
        int cc = L.c_in;
        for (int64_t k = 0; k < n; k++)
            tz->head_sum[(size_t)(k % cc)] += in0[k];
        break;
    }
    default:
        break;
    }
}

int64_t model::fire(int c, int t)
{
    const core_place &p = sp_.places[(size_t)c];
    int l = p.layer;
    const myelin_layer &L = sp_.wl->layers[l];
    if (!L.has_lif || L.kind == MYELIN_LAYER_HEAD)
        return 0;
    int C = L.out_shape.c;
    int32_t *out = tz->out[(size_t)l].data();
    myelin_kcounts kc{};
    if (sp_.statistical) {
        double r = sp_.opt.rates ? sp_.opt.rates[l] : 0.0;
        r = r < 0 ? 0 : (r > 1 ? 1 : r);
        uint64_t thr = (uint64_t)(r * 9007199254740992.0); // r x 2^53
        myelin_rng &g = rng[(size_t)c];
        int64_t fired = 0;
        for (int64_t tok = p.tok_lo; tok < p.tok_hi; tok++) {
            int32_t *row = out + tok * C;
            for (int ch = p.co_lo; ch < p.co_hi; ch++) {
                int s = (myelin_rng_next(&g) >> 11) < thr;
                row[ch] = s;
                fired += s;
            }
        }
        kc.spikes = fired;
        kc.neuron_updates = (int64_t)(p.tok_hi - p.tok_lo) * (p.co_hi - p.co_lo);
    } else {
        const myelin_engine_layer_params &P = tz->P[(size_t)l];
        for (int64_t tok = p.tok_lo; tok < p.tok_hi; tok++) {
            int64_t lo = tok * C + p.co_lo, hi = tok * C + p.co_hi;
            if (P.m_int) {
                myelin_kernel_lif_i(tz->acc_i[(size_t)l].data(), tz->v_i[(size_t)l].data(), out,
                                    nullptr, lo, hi, P.n_ch, P.shift, P.theta, P.m_bits, &kc);
            } else {
                double *x = tz->acc_f[(size_t)l].data();
                if (P.w_int || L.kind == MYELIN_LAYER_ATTN) {
                    const int64_t *a = tz->acc_i[(size_t)l].data();
                    for (int64_t k = lo; k < hi; k++)
                        x[k] = (double)a[k] * P.s_acc[k % P.n_ch];
                }
                myelin_kernel_lif_f(x, tz->v_f[(size_t)l].data(), out, nullptr, lo, hi,
                                    L.v_threshold, &kc);
            }
        }
    }
    (void)t;
    img_spikes_[(size_t)l * sp_.T + step_] += kc.spikes;
    double updates = (double)kc.neuron_updates;
    led_.count(l, c, MYELIN_ACT_NEURON_UPDATE_ACTIVE, (double)kc.spikes);
    led_.count(l, c, MYELIN_ACT_NEURON_UPDATE_IDLE, updates - (double)kc.spikes);
    led_.count(l, c, MYELIN_ACT_MEMBRANE_RW_BITS,
          updates * 2 * myelin_storage_bits(sp_.opt.lq[l].membrane_bits));
    return kc.spikes;
}

void model::head_final(int c)
{
    if (sp_.statistical)
        return;
    const core_place &p = sp_.places[(size_t)c];
    myelin_engine_head_logits(sp_.opt.engine, p.layer, tz->head_sum.data(), p.co_lo, p.co_hi,
                              logits_.data());
}

int model::layer_complete(int l) const
{
    const layer_state &lr = lstate_[(size_t)l];
    if (!sp_.layers[(size_t)l].cores.empty())
        return lr.cores_done == (int)sp_.layers[(size_t)l].cores.size();
    return lr.ready;
}

void model::compute_coreless(int t)
{
    for (int l = 0; l < sp_.wl->n_layers; l++) {
        const myelin_layer &L = sp_.wl->layers[l];
        layer_state &lr = lstate_[(size_t)l];
        if (!sp_.layers[(size_t)l].cores.empty() || lr.ready ||
            (L.kind != MYELIN_LAYER_MAXPOOL && L.kind != MYELIN_LAYER_ADD))
            continue;
        int ok = 1;
        for (int j = 0; j < L.n_inputs; j++)
            ok = ok && L.inputs[j] >= 0 && layer_complete(L.inputs[j]);
        if (!ok)
            continue;
        int32_t *out = tz->out[(size_t)l].data();
        int64_t sz = elems(L.out_shape);
        const myelin_layer &I = sp_.wl->layers[L.inputs[0]];
        double pr = sp_.opt.rates ? sp_.opt.rates[l] : -1;
        if (sp_.statistical && L.kind == MYELIN_LAYER_MAXPOOL && I.has_lif && pr >= 0 && pr <= 1) {
            // the activity model's pool rate (models/cost.h), drawn like a spiking layer's
            uint64_t thr = (uint64_t)(pr * 9007199254740992.0); // r x 2^53
            myelin_rng &g = pool_rng[(size_t)l];
            for (int64_t k = 0; k < sz; k++)
                out[k] = (myelin_rng_next(&g) >> 11) < thr;
        } else if (L.kind == MYELIN_LAYER_MAXPOOL)
            myelin_kernel_maxpool(tz->out[(size_t)L.inputs[0]].data(), L.in_shape.h, L.in_shape.w,
                                  L.in_shape.c, out);
        else
            myelin_kernel_add(tz->out[(size_t)L.inputs[0]].data(),
                              tz->out[(size_t)L.inputs[1]].data(), out, 0, sz);
        int64_t s = 0;
        for (int64_t k = 0; k < sz; k++)
            s += out[k];
        img_spikes_[(size_t)l * sp_.T + t] += s;
        lr.ready = 1;
    }
}

// ---- timing and counting ------------------------------------------------------------------------

int64_t model::image_work(int c, int64_t *stall)
{
    const core_place &p = sp_.places[(size_t)c];
    const myelin_layer &L = sp_.wl->layers[p.layer];
    int width = p.co_hi - p.co_lo;
    int64_t events = (int64_t)(p.tok_hi - p.tok_lo) * L.c_in; // every pixel value, every channel
    int64_t fanout = (int64_t)L.kernel * L.kernel * width;
    int64_t wb = myelin_storage_bits(sp_.opt.lq[p.layer].weight_bits);
    int64_t st = 0;
    int64_t acc = sp_.pe_cycles(fanout, wb, &st);
    double macs = (double)events * (double)fanout;
    led_.count(p.layer, c, MYELIN_ACT_MAC_REAL, macs);
    led_.count(p.layer, c, MYELIN_ACT_SRAM_READ_BITS, macs * (double)wb);
    *stall = events * st;
    return events * acc;
}

void model::send_stream(int s, int c, int64_t now_cycle)
{
    const stream &st = sp_.streams[(size_t)s];
    const core_place &p = sp_.places[(size_t)c];
    const myelin_layer &D = sp_.wl->layers[st.dst];
    const myelin_layer_map &dm = sp_.opt.map->layers[st.dst];
    const myelin_layer &S = sp_.wl->layers[st.src];
    int src_tensor = st.pool >= 0 ? st.pool : st.src;
    const myelin_shape &sh = sp_.wl->layers[src_tensor].out_shape;
    const int32_t *x = tz->out[(size_t)src_tensor].data();
    int C = sh.c;
    int sliced = (D.kind == MYELIN_LAYER_CONV || D.kind == MYELIN_LAYER_LINEAR) &&
                 dm.token_slices > 1;
    int attn = D.kind == MYELIN_LAYER_ATTN;
    int N_dst = D.out_shape.h * D.out_shape.w;
    int per_slice = sliced ? (int)ceil_div(N_dst, dm.token_slices) : 1;
    // the source core's share of the travelling tensor, by consumer token slice and by channel
    scratch_tok.assign(sliced ? (size_t)dm.token_slices : 1, 0);
    if (attn)
        scratch_cnt.assign((size_t)C, 0);
    int64_t total = 0;
    int ntok = sh.h * sh.w;
    int src_w = S.out_shape.w;
    for (int tok = 0; tok < ntok; tok++) {
        int src_tok = tok;
        if (st.pool >= 0) { // pooled token (oy, ox) comes from the core holding (2 oy, 2 ox)
            int oy = tok / sh.w, ox = tok % sh.w;
            src_tok = 2 * oy * src_w + 2 * ox;
        }
        if (src_tok < p.tok_lo || src_tok >= p.tok_hi)
            continue;
        const int32_t *row = x + (int64_t)tok * C;
        int64_t sum = 0;
        for (int ch = p.co_lo; ch < p.co_hi; ch++) {
            sum += row[ch];
            if (attn)
                scratch_cnt[(size_t)ch] += row[ch];
        }
        if (sliced)
            scratch_tok[(size_t)std::min(tok / per_slice, dm.token_slices - 1)] += sum;
        total += sum;
    }
    if (total == 0)
        return;
    int64_t lanes = sp_.arch->core.accumulator_lanes;
    int wb = myelin_storage_bits(sp_.opt.lq[st.dst].weight_bits);
    int mb = myelin_storage_bits(sp_.opt.lq[st.dst].membrane_bits);
    int L = st.dst;
    myelin_array_layer_stats &ls = res_->layers[st.dst];
    // one burst per destination core (unicast), or one XY tree per token slice (multicast)
    int tree = sp_.arch->noc_multicast == MYELIN_MULTICAST_TREE;
    const std::vector<int> &dcores = sp_.layers[(size_t)st.dst].cores;
    int groups = tree ? (sliced ? dm.token_slices : 1) : 1;
    for (int g = 0; g < groups; g++) {
        std::vector<int> ds, rasters;
        for (int d : dcores) {
            const core_place &q = sp_.places[(size_t)d];
            int64_t k = sliced ? scratch_tok[(size_t)q.tslice] : total;
            if (k == 0 || (tree && sliced && q.tslice != g))
                continue;
            ds.push_back(d);
            rasters.push_back(q.raster);
        }
        if (ds.empty())
            continue;
        if (tree) {
            const core_place &q0 = sp_.places[(size_t)ds[0]];
            int64_t k = sliced ? scratch_tok[(size_t)q0.tslice] : total;
            led_.count(L, ds[0], MYELIN_ACT_SPIKE_PACKET, (double)k); // injected once; hops when routed
            ls.packets += k;
            res_->packets += k;
        }
        for (size_t i = 0; i < ds.size(); i++) {
            int d = ds[i];
            const core_place &q = sp_.places[(size_t)d];
            int64_t k = sliced ? scratch_tok[(size_t)q.tslice] : total;
            burst b;
            b.events = k;
            int width = q.co_hi - q.co_lo;
            if (D.kind == MYELIN_LAYER_CONV || D.kind == MYELIN_LAYER_LINEAR) {
                int64_t fanout = (int64_t)D.kernel * D.kernel * width, stl = 0;
                int64_t acc = sp_.pe_cycles(fanout, wb, &stl);
                b.busy = k * acc;
                b.stall = k * stl;
                double ops = (double)k * (double)fanout;
                led_.count(L, d, MYELIN_ACT_SYNAPTIC_OP, ops);
                led_.count_synaptic_ops(L, d, ops);
                led_.count(L, d, MYELIN_ACT_SRAM_READ_BITS, ops * wb);
                led_.count_accumulates(L, d, ops, sp_.opt.lq[st.dst].scheme == MYELIN_SCHEME_POT);
            } else if (attn) {
                int dh = D.out_shape.c / D.heads;
                int qk_v = D.attn_order == MYELIN_ATTN_QK_V;
                /* q_kv: K builds K^sp_.T V (dh per spike), Q reads it (dh per spike, membrane-width);
                 * qk_v: Q builds S = Q K^sp_.T (n per spike), V adds columns of S (n per spike,
                 * membrane-width); the third stream is only buffered (kernels.h) */
                int buffered = qk_v ? 1 : 2, wide = qk_v ? 2 : 0;
                if (st.role == buffered) {
                    b.busy = b.stall = 0;
                } else {
                    double ops = 0;
                    int rbits = st.role == wide ? mb : 1;
                    for (int ch = p.co_lo; ch < p.co_hi; ch++) {
                        int64_t n = scratch_cnt[(size_t)ch];
                        if (!n)
                            continue;
                        int hd = ch / dh;
                        int ov = qk_v ? ((ch >= q.co_lo && ch < q.co_hi) ? N_dst : 0)
                                      : std::min(q.co_hi, (hd + 1) * dh) - std::max(q.co_lo, hd * dh);
                        if (ov <= 0)
                            continue;
                        int64_t stl = 0;
                        int64_t acc = sp_.pe_cycles(ov, rbits, &stl);
                        b.busy += n * acc;
                        b.stall += n * stl;
                        ops += (double)n * ov;
                    }
                    led_.count(L, d, MYELIN_ACT_SYNAPTIC_OP, ops);
                    led_.count_synaptic_ops(L, d, ops);
                    led_.count(L, d, MYELIN_ACT_SRAM_READ_BITS, ops * (double)rbits);
                    led_.count_accumulates(L, d, ops, 0);
                    b.phase = st.role == wide ? 1 : 0;
                }
            } else { // head: one accumulate per event into the token-and-time sum
                b.busy = ceil_div(k, lanes);
                double n_in = (double)D.in_shape.h * D.in_shape.w;
                double ops = (double)k * width / n_in; // paper convention: rate x sp_.T x c_in x c_out
                led_.count(L, d, MYELIN_ACT_SYNAPTIC_OP, ops);
                led_.count_synaptic_ops(L, d, ops);
                led_.count(L, d, MYELIN_ACT_SRAM_READ_BITS, ops * wb);
                led_.count_accumulates(L, d, ops, sp_.opt.lq[st.dst].scheme == MYELIN_SCHEME_POT);
            }
            if (!tree) {
                led_.count(L, d, MYELIN_ACT_SPIKE_PACKET, (double)k);
                led_.count(L, d, MYELIN_ACT_ROUTER_HOP_X, (double)k * std::abs(q.x - p.x));
                led_.count(L, d, MYELIN_ACT_ROUTER_HOP_Y, (double)k * std::abs(q.y - p.y));
                ls.packets += k;
                res_->packets += k;
            }
            ls.bursts++;
            res_->bursts++;
            pend_core.push_back(d);
            pend_burst.push_back(b);
            if (!tree)
                queue_send(p.raster, L, k, now_cycle, 0);
        }
        if (tree) {
            const core_place &q0 = sp_.places[(size_t)ds[0]];
            queue_send(p.raster, L, sliced ? scratch_tok[(size_t)q0.tslice] : total, now_cycle, 1);
        }
    }
}

// Queues the bursts pushed since the last queued one (one for unicast, the tree's otherwise).
// Their key is the cycle they would start leaving the source's injection port, which serves its
// core's bursts one after the other in the order the core hands them over.
void model::queue_send(int src_raster, int layer, int64_t packets, int64_t ready, int tree)
{
    pending_send ps;
    ps.first = pend.empty() ? 0 : pend.back().first + pend.back().n;
    ps.n = (int)pend_core.size() - ps.first;
    if (inject_est.empty())
        inject_est.assign((size_t)sp_.arch->rows * (size_t)sp_.arch->cols, 0);
    int64_t &free = inject_est[(size_t)src_raster];
    ps.key = std::max(free, ready);
    free = ps.key + packets * sp_.flits;
    ps.ready = ready;
    ps.packets = packets;
    ps.src = src_raster;
    ps.layer = layer;
    ps.tree = tree;
    for (int i = 0; i < ps.n; i++) {
        int64_t &nk = need_key[(size_t)pend_core[(size_t)(ps.first + i)]];
        nk = std::max(nk, ps.key);
    }
    pend.push_back(ps);
    pend_heap.emplace_back(ps.key, (int64_t)pend.size() - 1);
    std::push_heap(pend_heap.begin(), pend_heap.end(), std::greater<std::pair<int64_t, int64_t>>());
}

int64_t model::input_key(int c) const
{
    return need_key[(size_t)c];
}

// Routes every queued burst whose key is at most `key`, earliest first (ties: the order they
// were queued), and hands it to its destination cores.
void model::route_until(int64_t key)
{
    std::vector<route_result> rrs;
    std::vector<int> rasters;
    while (!pend_heap.empty() && pend_heap.front().first <= key) {
        std::pop_heap(pend_heap.begin(), pend_heap.end(), std::greater<std::pair<int64_t, int64_t>>());
        const pending_send &ps = pend[(size_t)pend_heap.back().second];
        pend_heap.pop_back();
        myelin_array_layer_stats &ls = res_->layers[ps.layer];
        if (ps.tree) {
            rrs.assign((size_t)ps.n, route_result{});
            rasters.resize((size_t)ps.n);
            for (int i = 0; i < ps.n; i++)
                rasters[(size_t)i] = sp_.places[(size_t)pend_core[(size_t)(ps.first + i)]].raster;
            int tlx = 0, tly = 0;
            noc_.send_tree(ps.src, rasters.data(), ps.n, ps.packets, sp_.flits, ps.ready, rrs.data(),
                           &tlx, &tly);
            int d0 = pend_core[(size_t)ps.first];
            led_.count(ps.layer, d0, MYELIN_ACT_ROUTER_HOP_X, (double)ps.packets * tlx);
            led_.count(ps.layer, d0, MYELIN_ACT_ROUTER_HOP_Y, (double)ps.packets * tly);
        } else {
            rrs.assign(1, noc_.send(ps.src, sp_.places[(size_t)pend_core[(size_t)ps.first]].raster,
                                    ps.packets, sp_.flits, ps.ready));
        }
        for (int i = 0; i < ps.n; i++) {
            burst &b = pend_burst[(size_t)(ps.first + i)];
            b.head = rrs[(size_t)i].head;
            b.tail = rrs[(size_t)i].tail;
            ls.link_wait_cycles += rrs[(size_t)i].link_wait;
            cores[(size_t)pend_core[(size_t)(ps.first + i)]]->deliver(b);
        }
    }
    if (pend_heap.empty()) {
        pend.clear();
        pend_core.clear();
        pend_burst.clear();
    }
}

void model::emit(int c, int64_t now_cycle)
{
    for (int s : sp_.layers[(size_t)sp_.places[(size_t)c].layer].out_streams)
        if (sp_.streams[(size_t)s].pool < 0)
            send_stream(s, c, now_cycle);
}

void model::layer_done(int l, int t, int64_t now_cycle)
{
    const layer_plan &lp = sp_.layers[(size_t)l];
    lstate_[(size_t)l].done_cycle = now_cycle;
    res_->layers[l].span_cycles += now_cycle - step_start_cycle_;
    compute_coreless(t);
    for (int s : lp.out_streams)
        if (sp_.streams[(size_t)s].pool >= 0)
            for (int c : lp.cores)
                send_stream(s, c, now_cycle);
    for (int s : lp.out_streams)
        for (int d : sp_.layers[(size_t)sp_.streams[(size_t)s].dst].cores)
            cores[(size_t)d]->producer_done();
}

void model::core_done(int c, int t, int64_t now_cycle)
{
    emit(c, now_cycle);
    int l = sp_.places[(size_t)c].layer;
    layer_state &lr = lstate_[(size_t)l];
    lr.cores_done++;
    if (lr.cores_done == (int)sp_.layers[(size_t)l].cores.size())
        layer_done(l, t, now_cycle);
    if (++cores_done_ == (int)sp_.places.size() && on_barrier)
        on_barrier();
}

} // namespace myelin_sim
