/* tests/check_cost.c — the cost suite: paper-45nm against a hand computation for Spikformer-8-384,
 * memory at float and 8 bit, exact counts and directions on generic-45nm, activity files,
 * report formats, the example plugin and plugin errors, and the CLI's exit status. */
#define _GNU_SOURCE /* dladdr, to find a real shared object without our symbol */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "base/util.h"
#include "models/cost.h"
#include "tests/suites.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

typedef struct fixture {
    myelin_workload *wl;
    myelin_layer_quant *lq;
    myelin_arch *arch;
    myelin_mapping *map;
    myelin_cost_registry *reg;
    myelin_activity act;
    myelin_cost_report *rep;
} fixture;

static myelin_workload *load_zoo(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/workloads/zoo/%s.yaml", MYELIN_TEST_SRCDIR, name);
    myelin_workload *wl = NULL;
    myelin_error err;
    ck_assert_msg(myelin_workload_load(path, &wl, &err) == 0, "%s: %s", path, err.message);
    return wl;
}

static myelin_arch *load_preset(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/arch/presets/%s.yaml", MYELIN_TEST_SRCDIR, name);
    myelin_arch *a = NULL;
    myelin_error err;
    ck_assert_msg(myelin_arch_load(path, &a, &err) == 0, "%s: %s", path, err.message);
    return a;
}

/* weight_bits < 0: float.  Rules (glob, bits) override the default. */
static myelin_layer_quant *quant(const myelin_workload *wl, int weight_bits, int membrane_bits,
                                 const char *glob, int glob_bits)
{
    myelin_qsetting *qs = NULL;
    myelin_error err;
    if (weight_bits < 0)
        ck_assert_int_eq(myelin_qsetting_float(&qs, &err), 0);
    else
        ck_assert_int_eq(myelin_qsetting_uniform(weight_bits, membrane_bits, MYELIN_SCHEME_UNIFORM,
                                                 &qs, &err), 0);
    if (glob) {
        myelin_layer_quant r = {glob_bits, MYELIN_SCHEME_UNIFORM, MYELIN_GRAN_CHANNEL, membrane_bits};
        ck_assert_int_eq(myelin_qsetting_add_rule(qs, glob, &r, &err), 0);
    }
    myelin_layer_quant *lq = calloc((size_t)wl->n_layers, sizeof *lq);
    ck_assert_ptr_nonnull(lq);
    ck_assert_msg(myelin_qsetting_resolve(qs, wl, lq, &err) == 0, "%s", err.message);
    myelin_qsetting_free(qs);
    return lq;
}

/* Maps and evaluates; rate < 0 uses the workload's statistical rates. */
static void evaluate(fixture *f, double rate)
{
    myelin_error err;
    if (!f->reg) {
        ck_assert_int_eq(myelin_cost_registry_new(&f->reg, &err), 0);
        ck_assert_msg(myelin_cost_registry_configure(f->reg, f->arch, &err) == 0, "%s", err.message);
    }
    myelin_mapping_free(f->map); /* evaluated again: map again */
    f->map = NULL;
    ck_assert_msg(myelin_map(f->wl, f->lq, f->arch, &f->map, &err) == 0, "%s", err.message);
    if (!f->act.rate)
        ck_assert_int_eq(myelin_activity_from_workload(f->wl, rate, &f->act, &err), 0);
    ck_assert_msg(myelin_cost_evaluate(f->wl, f->lq, &f->act, f->arch, f->map, f->reg, &f->rep,
                                       &err) == 0, "%s", err.message);
}

static void release(fixture *f)
{
    myelin_cost_report_free(f->rep);
    myelin_activity_free(&f->act);
    myelin_mapping_free(f->map);
    myelin_cost_registry_free(f->reg);
    myelin_arch_free(f->arch);
    free(f->lq);
    myelin_workload_free(f->wl);
    memset(f, 0, sizeof *f);
}

/* Every layer (pools and adds too) at rate r: the uniform activity the hand counts below assume
 * (the activity model itself is tested apart, test_activity_model). */
static void uniform_activity(fixture *f, double r)
{
    f->act.n_layers = f->wl->n_layers;
    f->act.rate = calloc((size_t)f->wl->n_layers, sizeof *f->act.rate);
    ck_assert_ptr_nonnull(f->act.rate);
    for (int i = 0; i < f->wl->n_layers; i++)
        f->act.rate[i] = r;
    snprintf(f->act.source, sizeof f->act.source, "uniform %g", r);
}

static int layer(const myelin_workload *wl, const char *name)
{
    int i = myelin_workload_find_layer(wl, name);
    ck_assert_msg(i >= 0, "no layer %s", name);
    return i;
}

/* ---- paper-45nm: 4.6 pJ x FL^1 MACs + 0.9 pJ x r x T x (dense ops + attention products) ------ */

static const double paper_rates[] = {0.0, 0.13, 0.25, 1.0};

/* The rate of a 3x3/2 max pool (padding 1) of independent rate-r spikes on an h x w map, by
 * enumerating its windows: the mean over outputs of 1 - (1 - r)^(in-bounds elements). */
static double hand_pool(double r, int h, int w)
{
    double sum = 0;
    int oh = (h + 1) / 2, ow = (w + 1) / 2;
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
            int k = 0;
            for (int y = 2 * oy - 1; y <= 2 * oy + 1; y++)
                for (int x = 2 * ox - 1; x <= 2 * ox + 1; x++)
                    k += y >= 0 && y < h && x >= 0 && x < w;
            sum += 1 - pow(1 - r, k);
        }
    return sum / ((double)oh * ow);
}

START_TEST(test_paper_exact)
{
    const double r = paper_rates[_i];
    fixture f = {0};
    f.wl = load_zoo("spikformer-8-384");
    f.lq = quant(f.wl, -1, 0, NULL, 0);
    f.arch = load_preset("paper-45nm");
    evaluate(&f, r);
    /* By hand from the model's dimensions (ImageNet: 224 px, pools after all four stem stages,
     * D = 384, 12 heads, 8 blocks, MLP 4D, N = 14 x 14 tokens, T = 4, 1000 classes). */
    const double T = 4, D = 384, N = 196, H = 12, d = D / H;
    double fl1 = 224.0 * 224 * 48 * 3 * 9; /* conv0 at 224 x 224, 3 -> 48, once per inference */
    double stem = 112.0 * 112 * 96 * 48 * 9 + 56.0 * 56 * 192 * 96 * 9 + 28.0 * 28 * 384 * 192 * 9;
    double rpe = N * D * D * 9;
    double block = 4 * N * D * D + N * D * 4 * D + N * 4 * D * D; /* q k v proj, fc1, fc2 */
    double attn = 2 * N * d * d * H;                              /* K^T V then Q (K^T V) */
    double head = D * 1000;
    /* the activity model: conv1..3 and rpe read pools of rate-r spikes (hand_pool); the residual
     * stream adds spikes: sps.add = pool3 + r, each block adds proj and fc2 (r each) */
    double p0 = hand_pool(r, 224, 224), p1 = hand_pool(r, 112, 112), p2 = hand_pool(r, 56, 56);
    double p3 = hand_pool(r, 28, 28);
    double s1 = 112.0 * 112 * 96 * 48 * 9, s2 = 56.0 * 56 * 192 * 96 * 9, s3 = 28.0 * 28 * 384 * 192 * 9;
    ck_assert(fabs(s1 + s2 + s3 - stem) < 1);
    double sops = T * (p0 * s1 + p1 * s2 + p2 * s3 + p3 * rpe);
    for (int b = 0; b < 8; b++) {
        double s = p3 + r + 2 * b * r; /* the residual stream into block b */
        sops += T * (3 * s * N * D * D + r * N * D * D + (s + r) * N * D * 4 * D + r * N * 4 * D * D +
                     r * attn);
    }
    sops += T * (p3 + r + 16 * r) * head;
    (void)block;
    double hand_pj = 4.6 * fl1 + 0.9 * sops;
    ck_assert_msg(fabs(f.rep->total.total_pj - hand_pj) <= 1e-9 * hand_pj,
                  "r=%g: model %.10g pJ, hand %.10g pJ", r, f.rep->total.total_pj, hand_pj);
    ck_assert_double_eq_tol(f.rep->total.counts.count[MYELIN_ACT_MAC_REAL], fl1, 0.5);
    ck_assert(fabs(f.rep->total.counts.synaptic_ops - sops) <= 1e-9 * (sops + 1));
    /* the whole total is compute: paper-45nm prices nothing else */
    ck_assert(fabs(f.rep->total.component_pj[MYELIN_COMP_COMPUTE] - hand_pj) <= 1e-9 * hand_pj);
    release(&f);
}
END_TEST

/* ---- memory ---------------------------------------------------------------------------------- */

START_TEST(test_memory_8_384)
{
    fixture f = {0};
    f.wl = load_zoo("spikformer-8-384");
    f.lq = quant(f.wl, -1, 0, NULL, 0);
    f.arch = load_preset("paper-45nm");
    evaluate(&f, 0.1);
    const myelin_layer_memory *m = &f.rep->total.memory;
    ck_assert_int_eq(m->weight_bits + m->bias_bits, INT64_C(16816024) * 32);
    ck_assert_int_eq(m->scale_bits, 0);
    int64_t float_bits = m->weight_bits + m->bias_bits;
    release(&f);

    f.wl = load_zoo("spikformer-8-384");
    f.lq = quant(f.wl, 8, 16, NULL, 0);
    f.arch = load_preset("paper-45nm");
    evaluate(&f, 0.1);
    m = &f.rep->total.memory;
    ck_assert_int_eq((m->weight_bits + m->bias_bits) * 4, float_bits);
    ck_assert_int_eq(m->weight_bits + m->bias_bits, INT64_C(16816024) * 8);
    /* 32-bit per-channel scales, reported apart: stem 48+96+192+384, rpe 384,
     * 8 blocks x (4 x 384 + 1536 + 384), head 1000 output channels */
    ck_assert_int_eq(m->scale_bits, INT64_C(32) * (720 + 384 + 8 * 3456 + 1000));
    release(&f);
}
END_TEST

/* ---- generic-45nm: exact counts and directions ----------------------------------------------- */

START_TEST(test_generic_exact_counts)
{
    fixture f = {0};
    f.wl = load_zoo("tiny");
    f.lq = quant(f.wl, 8, 16, NULL, 0);
    f.arch = load_preset("generic-45nm");
    uniform_activity(&f, 0.1);
    evaluate(&f, 0.1);
    int i = layer(f.wl, "block.0.mlp.fc1");
    const myelin_layer *l = &f.wl->layers[i];
    const myelin_layer_cost *lc = &f.rep->layers[i];
    double T = f.wl->timesteps;
    double ops = 0.1 * T * (double)l->out_shape.h * l->out_shape.w * l->c_in * l->c_out;
    double neurons = (double)l->out_shape.c * l->out_shape.h * l->out_shape.w;
    ck_assert(fabs(lc->counts.synaptic_ops - ops) <= 1e-9 * ops);
    ck_assert(fabs(lc->counts.count[MYELIN_ACT_SRAM_READ_BITS] - ops * 8) <= 1e-9 * ops);
    ck_assert(fabs(lc->counts.count[MYELIN_ACT_ADD_INT_BITS] - ops * 16) <= 1e-9 * ops);
    ck_assert(lc->counts.count[MYELIN_ACT_ADD_FLOAT] == 0);
    ck_assert(fabs(lc->counts.count[MYELIN_ACT_NEURON_UPDATE_ACTIVE] - 0.1 * neurons * T) < 1e-6);
    ck_assert(fabs(lc->counts.count[MYELIN_ACT_NEURON_UPDATE_IDLE] - 0.9 * neurons * T) < 1e-6);
    ck_assert(fabs(lc->counts.count[MYELIN_ACT_MEMBRANE_RW_BITS] - neurons * T * 2 * 16) < 1e-6);
    /* every input event to each core holding its tokens */
    double in_events = 0.1 * T * (double)l->in_shape.c * l->in_shape.h * l->in_shape.w;
    double dest = (double)lc->cores / f.map->layers[i].token_slices;
    ck_assert(fabs(lc->counts.count[MYELIN_ACT_SPIKE_PACKET] - in_events * dest) < 1e-6);
    /* prices: synapse memory = bits read x 20 pJ / 64 bits */
    ck_assert(fabs(lc->component_pj[MYELIN_COMP_SYNAPSE_MEM] - ops * 8 * 20.0 / 64) <= 1e-9 * ops);
    /* leakage: used cores x inference cycles x (50 uW / 200 MHz) */
    double leak = (double)lc->cores * f.rep->inference_cycles * (50e-6 / 200e6 * 1e12);
    ck_assert(fabs(lc->component_pj[MYELIN_COMP_LEAKAGE] - leak) <= 1e-9 * leak);
    /* totals are the sums of the layers */
    double sum = 0;
    for (int k = 0; k < f.rep->n_layers; k++)
        sum += f.rep->layers[k].total_pj;
    ck_assert(fabs(sum - f.rep->total.total_pj) <= 1e-9 * sum);
    ck_assert_int_eq(f.rep->total.cores, f.map->cores_used);
    release(&f);
}
END_TEST

/* the schedule behind the latency: every layer finishes no earlier than the layers it reads,
 * a layer with work takes time, and the inference is the last finish plus the step barriers */
START_TEST(test_finish_cycles_schedule)
{
    const char *zoo[2] = {"tiny", "spikformer-4-384-cifar10"};
    for (int z = 0; z < 2; z++) {
        fixture f = {0};
        f.wl = load_zoo(zoo[z]);
        f.lq = quant(f.wl, 8, 16, NULL, 0);
        f.arch = load_preset("generic-45nm");
        evaluate(&f, 0.1);
        double last = 0;
        for (int i = 0; i < f.wl->n_layers; i++) {
            const myelin_layer *l = &f.wl->layers[i];
            double fi = f.rep->layers[i].finish_cycles;
            ck_assert_msg(fi > 0, "%s: layer %s has no finish", zoo[z], l->name);
            for (int j = 0; j < l->n_inputs && j < 3; j++)
                if (l->inputs[j] >= 0)
                    ck_assert_msg(fi >= f.rep->layers[l->inputs[j]].finish_cycles,
                                  "%s: %s finishes before its input", zoo[z], l->name);
            if (fi > last)
                last = fi;
        }
        ck_assert(f.rep->total.finish_cycles == 0);
        double barrier = (double)f.wl->timesteps * (f.arch->rows + f.arch->cols) *
                         f.arch->noc.hop_latency_cycles;
        ck_assert(fabs(f.rep->inference_cycles - (last + barrier)) <= 1e-9 * last);
        release(&f);
    }
}
END_TEST

START_TEST(test_lower_bits_lowers_memory_and_reads)
{
    fixture a = {0}, b = {0};
    a.wl = load_zoo("tiny");
    a.lq = quant(a.wl, 8, 16, NULL, 0);
    a.arch = load_preset("generic-45nm");
    evaluate(&a, 0.2);
    b.wl = load_zoo("tiny");
    b.lq = quant(b.wl, 8, 16, "block.0.mlp.fc1", 4);
    b.arch = load_preset("generic-45nm");
    evaluate(&b, 0.2);
    int i = layer(a.wl, "block.0.mlp.fc1");
    const myelin_layer_cost *x = &a.rep->layers[i], *y = &b.rep->layers[i];
    ck_assert_int_eq(y->memory.weight_bits * 2, x->memory.weight_bits);
    ck_assert_int_eq(y->memory.bias_bits * 2, x->memory.bias_bits);
    ck_assert_int_eq(y->memory.scale_bits, x->memory.scale_bits); /* scales stay 32-bit */
    ck_assert(y->component_pj[MYELIN_COMP_SYNAPSE_MEM] < x->component_pj[MYELIN_COMP_SYNAPSE_MEM]);
    ck_assert(fabs(y->component_pj[MYELIN_COMP_SYNAPSE_MEM] * 2 - x->component_pj[MYELIN_COMP_SYNAPSE_MEM]) <=
              1e-9 * x->component_pj[MYELIN_COMP_SYNAPSE_MEM]);
    ck_assert(fabs(y->component_pj[MYELIN_COMP_COMPUTE] - x->component_pj[MYELIN_COMP_COMPUTE]) <=
              1e-12 * x->component_pj[MYELIN_COMP_COMPUTE]);
    /* another layer's memory is untouched */
    int j = layer(a.wl, "block.0.mlp.fc2");
    ck_assert_int_eq(a.rep->layers[j].memory.weight_bits, b.rep->layers[j].memory.weight_bits);
    ck_assert(b.rep->total.memory.weight_bits < a.rep->total.memory.weight_bits);
    release(&a);
    release(&b);
}
END_TEST

START_TEST(test_higher_rate_raises_synaptic_energy)
{
    fixture a = {0}, b = {0};
    a.wl = load_zoo("tiny");
    a.lq = quant(a.wl, 8, 16, NULL, 0);
    a.arch = load_preset("generic-45nm");
    uniform_activity(&a, 0.1);
    evaluate(&a, 0.1);
    b.wl = load_zoo("tiny");
    b.lq = quant(b.wl, 8, 16, NULL, 0);
    b.arch = load_preset("generic-45nm");
    uniform_activity(&b, 0.2);
    evaluate(&b, 0.2);
    for (int i = 0; i < a.wl->n_layers; i++) {
        const myelin_layer *l = &a.wl->layers[i];
        const myelin_layer_cost *x = &a.rep->layers[i], *y = &b.rep->layers[i];
        if (l->real_input || !(l->kind == MYELIN_LAYER_CONV || l->kind == MYELIN_LAYER_LINEAR ||
                               l->kind == MYELIN_LAYER_ATTN || l->kind == MYELIN_LAYER_HEAD))
            continue;
        ck_assert_msg(fabs(y->counts.synaptic_ops - 2 * x->counts.synaptic_ops) <=
                          1e-9 * y->counts.synaptic_ops, "%s", l->name);
        ck_assert_msg(fabs(y->component_pj[MYELIN_COMP_COMPUTE] - 2 * x->component_pj[MYELIN_COMP_COMPUTE]) <=
                          1e-9 * y->component_pj[MYELIN_COMP_COMPUTE], "%s", l->name);
        ck_assert(y->counts.synaptic_ops > 0);
    }
    ck_assert(b.rep->total.total_pj > a.rep->total.total_pj);
    release(&a);
    release(&b);
}
END_TEST

/* Every preset prices the tiny model at 8-bit weights and 16-bit membranes. */
static const char *const presets[] = {"paper-45nm", "loihi-like", "generic-45nm"};

START_TEST(test_presets_tiny)
{
    fixture f = {0};
    f.wl = load_zoo("tiny");
    f.lq = quant(f.wl, 8, 16, NULL, 0);
    f.arch = load_preset(presets[_i]);
    evaluate(&f, -1);
    ck_assert(f.rep->total.total_pj > 0);
    ck_assert(f.rep->inference_cycles > 0);
    ck_assert(f.map->cores_used > 0 && f.map->cores_used <= f.map->cores_total);
    ck_assert_ptr_nonnull(strstr(f.rep->activity, "statistical"));
    /* the report carries the mapper's utilisation per layer; the total is their core-weighted mean */
    double nu = 0, su = 0;
    for (int i = 0; i < f.rep->n_layers; i++) {
        const myelin_layer_cost *lc = &f.rep->layers[i];
        ck_assert_double_eq(lc->neuron_util, f.map->layers[i].neuron_util);
        ck_assert_double_eq(lc->synapse_util, f.map->layers[i].synapse_util);
        ck_assert(lc->neuron_util >= 0 && lc->neuron_util <= 1 && lc->synapse_util >= 0 && lc->synapse_util <= 1);
        ck_assert(lc->cores == 0 || lc->neuron_util > 0 || lc->synapse_util > 0);
        nu += lc->cores * lc->neuron_util;
        su += lc->cores * lc->synapse_util;
    }
    ck_assert_double_eq_tol(f.rep->total.neuron_util, nu / f.rep->total.cores, 1e-12);
    ck_assert_double_eq_tol(f.rep->total.synapse_util, su / f.rep->total.cores, 1e-12);
    release(&f);
}
END_TEST

START_TEST(test_loihi_rejects_float)
{
    myelin_workload *wl = load_zoo("tiny");
    myelin_layer_quant *lq = quant(wl, -1, 0, NULL, 0);
    myelin_arch *a = load_preset("loihi-like");
    myelin_mapping *m = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_map(wl, lq, a, &m, &err), MYELIN_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "sps.conv0"));
    ck_assert_ptr_nonnull(strstr(err.message, "float weights are not supported"));
    myelin_arch_free(a);
    free(lq);
    myelin_workload_free(wl);
}
END_TEST

/* ---- NoC serialization bound ----------------------------------------------------------------- */

/* Tiny at 8/16 bits on generic-45nm reshaped to one row of 4096 cores (only row links; every
 * layer's consumers lie east of it) at a uniform rate of 0.1, with 32-bit or 1-bit links (a packet
 * is then a train of single-bit flits and the NoC binds). */
static void one_row(fixture *f, int link_width_bits)
{
    f->wl = load_zoo("tiny");
    f->lq = quant(f->wl, 8, 16, NULL, 0);
    f->arch = load_preset("generic-45nm");
    f->arch->rows = 1;
    f->arch->cols = 4096;
    f->arch->noc.link_width_bits = link_width_bits;
    uniform_activity(f, 0.1);
    evaluate(f, 0.1);
}

START_TEST(test_noc_bound_exact)
{
    fixture w = {0}, n = {0};
    one_row(&w, 32);
    one_row(&n, 1);
    /* packet: 12 bits of column (4096), 1 of row, 13 of axon (largest tensor: sps.conv2,
     * 32 channels x 16 x 16 = 8192 elements) = 26 bits: 1 flit of 32 bits, 26 flits of 1 bit */
    ck_assert_int_eq(myelin_noc_packet_bits(n.wl, n.arch), 26);
    ck_assert_int_eq(myelin_noc_flits_per_packet(w.wl, w.arch), 1);
    ck_assert_int_eq(myelin_noc_flits_per_packet(n.wl, n.arch), 26);
    const double T = 4, F = 26;
    /* fc1 feeds only fc2, placed right after it: every fc1 spike crosses the link east of fc1's
     * last core once per fc2 core (busiest link: spikes x cores(fc2) x flits per step) */
    int f1 = layer(n.wl, "block.0.mlp.fc1"), f2 = layer(n.wl, "block.0.mlp.fc2");
    ck_assert_int_eq(n.map->layers[f2].first_core, n.map->layers[f1].first_core + n.map->layers[f1].cores);
    double hand = T * (0.1 * 16 * 256) * n.map->layers[f2].cores * F;
    ck_assert_msg(fabs(n.rep->layers[f1].noc_cycles - hand) <= 1e-9 * hand, "fc1 noc %.10g, hand %.10g",
                  n.rep->layers[f1].noc_cycles, hand);
    ck_assert(fabs(w.rep->layers[f1].noc_cycles * F - hand) <= 1e-9 * hand); /* 1 flit: 26 x less */
    /* attention: its cores eject every q, k and v spike (3 x rate x N x D per step), or its
     * fan-out to the projection binds, whichever is larger */
    int a = layer(n.wl, "block.0.attn.attn"), pj = layer(n.wl, "block.0.attn.proj");
    const myelin_layer_map *am = &n.map->layers[a];
    ck_assert_int_eq(n.map->layers[pj].first_core, am->first_core + am->cores);
    const double spikes = 0.1 * 16 * 64;
    double per_step = 3 * spikes > spikes * n.map->layers[pj].cores ? 3 * spikes
                                                                       : spikes * n.map->layers[pj].cores;
    hand = T * per_step * F;
    const myelin_layer_cost *lc = &n.rep->layers[a];
    ck_assert_msg(fabs(lc->noc_cycles - hand) <= 1e-9 * hand, "attn noc %.10g, hand %.10g",
                  lc->noc_cycles, hand);
    /* cycles = NoC + T x mean hops of the attention's inputs (q, k, v) x 1 cycle per hop */
    double hops = 0;
    for (int j = 0; j < 3; j++) {
        double hx, hy;
        myelin_error err;
        int src = n.wl->layers[a].inputs[j];
        ck_assert_int_eq(myelin_mapping_mean_hops(n.arch, &n.map->layers[src], am, &hx, &hy, &err), 0);
        hops += (hx + hy) / 3;
    }
    ck_assert_msg(fabs(lc->counts.cycles - (hand + T * hops)) <= 1e-9 * hand,
                  "attn cycles %.10g, hand %.10g", lc->counts.cycles, hand + T * hops);
    /* narrow links: more cycles, the same counts except leakage, which is cores x cycles */
    ck_assert(n.rep->inference_cycles > w.rep->inference_cycles);
    for (int i = 0; i < n.wl->n_layers; i++) {
        const myelin_layer_cost *x = &w.rep->layers[i], *y = &n.rep->layers[i];
        ck_assert(y->counts.cycles >= x->counts.cycles);
        ck_assert_double_eq(y->counts.synaptic_ops, x->counts.synaptic_ops);
        for (int k = 0; k < MYELIN_ACT_COUNT; k++) {
            if (k == MYELIN_ACT_LEAKAGE_CORE_CYCLES)
                continue;
            ck_assert_msg(y->counts.count[k] == x->counts.count[k], "%s %s",
                          n.wl->layers[i].name, myelin_action_name((myelin_action)k));
        }
        ck_assert_double_eq_tol(y->counts.count[MYELIN_ACT_LEAKAGE_CORE_CYCLES],
                                (double)y->cores * n.rep->inference_cycles, 1e-6);
    }
    release(&w);
    release(&n);
}
END_TEST

/* A residual producer pays for every later consumer of the stream, through the adds: at a
 * uniform rate each add emits rate x elements spikes, shared equally by its two inputs, so
 * sps.rpe sends 1/2 of sps.add's spikes to block 0's q, k, v, 1/4 to its fc1 (through add1),
 * 1/8 to block 1's q, k, v, 1/16 to its fc1 and 1/32 to the head; all lie east of it, so the link
 * east of its last core carries them all. */
START_TEST(test_noc_bound_residual)
{
    fixture f = {0};
    one_row(&f, 1);
    static const char *const cons[] = {"block.0.attn.q", "block.0.attn.k", "block.0.attn.v",
                                       "block.0.mlp.fc1", "block.1.attn.q", "block.1.attn.k",
                                       "block.1.attn.v", "block.1.mlp.fc1", "head"};
    static const double share[] = {0.5, 0.5, 0.5, 0.25, 0.125, 0.125, 0.125, 0.0625, 0.03125};
    int rpe = layer(f.wl, "sps.rpe");
    double per_step = 0;
    for (int k = 0; k < 9; k++) {
        int d = layer(f.wl, cons[k]);
        ck_assert(f.map->layers[d].first_core > f.map->layers[rpe].first_core);
        per_step += share[k] * (0.1 * 16 * 64) * f.map->layers[d].cores;
    }
    double hand = 4 * per_step * 26;
    ck_assert_msg(fabs(f.rep->layers[rpe].noc_cycles - hand) <= 1e-9 * hand, "rpe noc %.10g, hand %.10g",
                  f.rep->layers[rpe].noc_cycles, hand);
    ck_assert(f.rep->layers[rpe].counts.cycles >= hand);
    /* coreless layers have no NoC time of their own */
    int add = layer(f.wl, "sps.add");
    ck_assert(f.rep->layers[add].noc_cycles == 0 && f.rep->layers[add].counts.cycles == 0);
    release(&f);
}
END_TEST

/* ---- activity files -------------------------------------------------------------------------- */

START_TEST(test_activity_json)
{
    myelin_workload *wl = load_zoo("tiny");
    char path[1024];
    TEST_BUILD(path, "tests/cost_activity.tmp.json");
    /* every LIF layer at 0.01 x (index + 1); extra unknown keys and layers are ignored */
    size_t cap = 65536, len = 0;
    char *js = malloc(cap);
    ck_assert_ptr_nonnull(js);
    len += (size_t)snprintf(js + len, cap - len, "{\"workload\": \"tiny\", \"extra\": [1, {\"a\": \"}\"}],\n \"layers\": [");
    for (int i = 0; i < wl->n_layers; i++)
        if (wl->layers[i].has_lif)
            len += (size_t)snprintf(js + len, cap - len,
                                    "%s{\"name\": \"%s\", \"kind\": \"x\", \"spikes_per_step\": [1, 2], "
                                    "\"firing_rate\": %g}",
                                    len > 80 ? ", " : "", wl->layers[i].name, 0.01 * (i + 1));
    len += (size_t)snprintf(js + len, cap - len, "]}\n");
    myelin_error err;
    ck_assert_int_eq(myelin_write_file_atomic(path, js, len, &err), 0);
    myelin_activity act;
    ck_assert_msg(myelin_activity_load_json(path, wl, &act, &err) == 0, "%s", err.message);
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        if (l->has_lif)
            ck_assert_double_eq_tol(act.rate[i], 0.01 * (i + 1), 1e-12);
        else if (l->kind == MYELIN_LAYER_ADD)
            ck_assert_double_eq_tol(act.rate[i], act.rate[l->inputs[0]] + act.rate[l->inputs[1]], 1e-12);
    }
    ck_assert_ptr_nonnull(strstr(act.source, "measured"));
    myelin_activity_free(&act);
    /* a LIF layer missing from the file is an error naming it */
    char *cut = strstr(js, "block.1.mlp.fc2");
    ck_assert_ptr_nonnull(cut);
    memcpy(cut, "block.9.mlp.fc2", 15);
    ck_assert_int_eq(myelin_write_file_atomic(path, js, len, &err), 0);
    /* ... a layer of another model is refused, naming it and where it is */
    ck_assert_int_eq(myelin_activity_load_json(path, wl, &act, &err), MYELIN_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.message, "block.9.mlp.fc2"));
    ck_assert_int_gt(err.line, 0);
    ck_assert_int_gt(err.column, 0);
    /* ... and a LIF layer missing from the file is an error naming it */
    ck_assert_int_eq(myelin_write_file_atomic(path, "{\"layers\": []}", 14, &err), 0);
    ck_assert_int_eq(myelin_activity_load_json(path, wl, &act, &err), MYELIN_EMISSING);
    ck_assert_ptr_nonnull(strstr(err.message, wl->layers[0].name));
    /* not the run JSON */
    ck_assert_int_eq(myelin_write_file_atomic(path, "[1, 2]", 6, &err), 0);
    ck_assert_int_eq(myelin_activity_load_json(path, wl, &act, &err), MYELIN_ESCHEMA);
    /* rates out of range, not finite, or not numbers: refused at their line:column */
    static const char *const bad_rates[] = {"50", "1e300", "-0.1", "\"0.1\"", "0x10", "0.1abc"};
    for (size_t k = 0; k < sizeof bad_rates / sizeof bad_rates[0]; k++) {
        char one[256];
        int n1 = snprintf(one, sizeof one, "{\"layers\": [\n {\"name\": \"%s\", \"firing_rate\": %s}]}",
                          wl->layers[0].name, bad_rates[k]);
        ck_assert_int_eq(myelin_write_file_atomic(path, one, (size_t)n1, &err), 0);
        ck_assert_msg(myelin_activity_load_json(path, wl, &act, &err) != 0, "rate %s accepted", bad_rates[k]);
        ck_assert_msg(err.line == 2, "rate %s: line %d (%s)", bad_rates[k], err.line, err.message);
    }
    unlink(path);
    free(js);
    myelin_workload_free(wl);
}
END_TEST

/* Rates from spike counts: LIF layers spikes / (images x T x neurons), MAXPOOL and ADD their
 * output values / (images x T x elements); no images is an error. */
/* The statistical activity model (cost.h): pools = max over each window of independent spikes,
 * adds = the sum of their inputs, the head 0; pools a workload names keep their rate; tiny.yaml's
 * measured rates are those of the committed activity file. */
/* noc.multicast: tree on Spikformer-8-384 (statistical): one packet per spike instead of one per
 * destination core, fewer hops, less NoC energy, a lower NoC bound; everything else unchanged. */
START_TEST(test_multicast_direction)
{
    fixture u = {0}, t = {0};
    u.wl = load_zoo("spikformer-8-384");
    u.lq = quant(u.wl, -1, 0, NULL, 0);
    u.arch = load_preset("generic-45nm");
    evaluate(&u, -1);
    t.wl = load_zoo("spikformer-8-384");
    t.lq = quant(t.wl, -1, 0, NULL, 0);
    t.arch = load_preset("generic-45nm");
    t.arch->noc_multicast = MYELIN_MULTICAST_TREE;
    evaluate(&t, -1);
    const double *cu = u.rep->total.counts.count, *ct = t.rep->total.counts.count;
    ck_assert(ct[MYELIN_ACT_SPIKE_PACKET] < cu[MYELIN_ACT_SPIKE_PACKET] / 10);
    ck_assert(ct[MYELIN_ACT_ROUTER_HOP_X] + ct[MYELIN_ACT_ROUTER_HOP_Y] <
              cu[MYELIN_ACT_ROUTER_HOP_X] + cu[MYELIN_ACT_ROUTER_HOP_Y]);
    ck_assert(t.rep->total.component_pj[MYELIN_COMP_NOC] < u.rep->total.component_pj[MYELIN_COMP_NOC]);
    ck_assert(t.rep->inference_cycles < u.rep->inference_cycles);
    ck_assert_double_eq(t.rep->total.counts.synaptic_ops, u.rep->total.counts.synaptic_ops);
    /* one packet per input event of every consumer (the stem's image excepted) */
    for (int i = 0; i < t.wl->n_layers; i++) {
        const myelin_layer *l = &t.wl->layers[i];
        if (t.map->layers[i].cores <= 0 || l->inputs[0] < 0)
            continue;
        double ev = 0;
        for (int j = 0; j < l->n_inputs; j++) {
            const myelin_shape *sh = &t.wl->layers[l->inputs[j]].out_shape;
            ev += t.act.rate[l->inputs[j]] * 4 * (double)sh->c * sh->h * sh->w;
        }
        ck_assert_msg(fabs(t.rep->layers[i].counts.count[MYELIN_ACT_SPIKE_PACKET] - ev) <= 1e-9 * ev,
                      "%s", l->name);
    }
    release(&u);
    release(&t);
}
END_TEST

START_TEST(test_activity_model)
{
    myelin_workload *wl = load_zoo("tiny");
    myelin_activity act = {0, NULL, ""}, meas = {0, NULL, ""};
    myelin_error err;
    ck_assert_int_eq(myelin_activity_from_workload(wl, 0.1, &act, &err), 0);
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        double want = 0.1;
        if (l->kind == MYELIN_LAYER_MAXPOOL)
            want = hand_pool(0.1, l->in_shape.h, l->in_shape.w);
        else if (l->kind == MYELIN_LAYER_ADD)
            want = act.rate[l->inputs[0]] + act.rate[l->inputs[1]];
        else if (l->kind == MYELIN_LAYER_HEAD)
            want = 0;
        ck_assert_msg(fabs(act.rate[i] - want) <= 1e-12, "%s: %.12g, hand %.12g", l->name, act.rate[i],
                      want);
    }
    /* a pool fires more often than its input, less often than a full window of 9 would */
    int p3 = layer(wl, "sps.pool3");
    ck_assert(act.rate[p3] > 0.1 && act.rate[p3] < 1 - pow(0.9, 9) + 1e-12);
    myelin_activity_free(&act);
    /* the workload's own (measured) rates: named pools kept, adds derived from them */
    ck_assert_int_eq(myelin_activity_from_workload(wl, -1, &act, &err), 0);
    int add = layer(wl, "sps.add"), rpe = layer(wl, "sps.rpe");
    ck_assert(act.rate[p3] == 0.198679);
    ck_assert_double_eq_tol(act.rate[add], 0.198679 + act.rate[rpe], 1e-12);
    char path[1024];
    snprintf(path, sizeof path, "%s/results/tiny_activity.json", MYELIN_TEST_SRCDIR);
    ck_assert_msg(myelin_activity_load_json(path, wl, &meas, &err) == 0, "%s", err.message);
    for (int i = 0; i < wl->n_layers; i++)
        if (wl->layers[i].kind != MYELIN_LAYER_HEAD)
            ck_assert_msg(fabs(act.rate[i] - meas.rate[i]) <= 2e-6, "%s: tiny.yaml %.9g, measured %.9g",
                          wl->layers[i].name, act.rate[i], meas.rate[i]);
    myelin_activity_free(&act);
    myelin_activity_free(&meas);
    myelin_workload_free(wl);
}
END_TEST

START_TEST(test_activity_from_spikes)
{
    myelin_workload *wl = load_zoo("tiny");
    int T = wl->timesteps;
    int64_t *spikes = calloc((size_t)wl->n_layers * (size_t)T, sizeof *spikes);
    ck_assert_ptr_nonnull(spikes);
    for (int i = 0; i < wl->n_layers; i++)
        for (int t = 0; t < T; t++)
            spikes[(int64_t)i * T + t] = (int64_t)(i + 1) * (t + 1);
    myelin_activity act;
    myelin_error err;
    ck_assert_int_eq(myelin_activity_from_spikes(wl, spikes, 3, "test counts", &act, &err), 0);
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        if (l->has_lif)
            ck_assert_double_eq_tol(act.rate[i],
                                    (double)(i + 1) * (T * (T + 1) / 2) / 3.0 / T /
                                        (double)myelin_layer_neurons(l),
                                    1e-12);
        else if (l->kind == MYELIN_LAYER_ADD || l->kind == MYELIN_LAYER_MAXPOOL)
            ck_assert_double_eq_tol(act.rate[i],
                                    (double)(i + 1) * (T * (T + 1) / 2) / 3.0 / T /
                                        ((double)l->out_shape.c * l->out_shape.h * l->out_shape.w),
                                    1e-12);
    }
    ck_assert_str_eq(act.source, "test counts");
    myelin_activity_free(&act);
    ck_assert_int_eq(myelin_activity_from_spikes(wl, spikes, 0, "x", &act, &err), MYELIN_EUSAGE);
    free(spikes);
    myelin_workload_free(wl);
}
END_TEST

/* ---- report formats -------------------------------------------------------------------------- */

static const struct {
    const char *name;
    const char *fragments[3];
} formats[] = {
    {"table", {"total_uJ", "synapse_mem_uJ", "block.0.attn.attn"}},
    {"csv", {"layer,kind,model,cores,rate_in,synaptic_ops,param_bits", "total_pJ\n", "\ntotal,"}},
    {"json", {"\"total_J\": ", "\"actions\": {\"mac_real\": ", "\"leakage_core_cycles\""}},
    {"markdown", {"| layer | kind |", "|---|---|---|---:|", "| total |"}},
    {"latex", {"\\toprule", "total\\\\($\\mu$J)", "\\bottomrule\n\\end{tabular}"}}, /* name over unit */
};

START_TEST(test_formats)
{
    fixture f = {0};
    f.wl = load_zoo("tiny");
    f.lq = quant(f.wl, 8, 16, NULL, 0);
    f.arch = load_preset("generic-45nm");
    evaluate(&f, 0.1);
    int fmt = myelin_cost_format_parse(formats[_i].name);
    ck_assert_int_ge(fmt, 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    myelin_error err;
    ck_assert_int_eq(myelin_cost_report_write(f.rep, f.wl, (myelin_cost_format)fmt, mem, &err), 0);
    fclose(mem);
    for (int k = 0; k < 3; k++)
        ck_assert_msg(strstr(buf, formats[_i].fragments[k]), "%s output lacks '%s':\n%s",
                      formats[_i].name, formats[_i].fragments[k], buf);
    free(buf);
    ck_assert_int_eq(myelin_cost_format_parse("xml"), -1);
    release(&f);
}
END_TEST

/* ---- plugins --------------------------------------------------------------------------------- */

static void plugin_path(char *out, size_t n)
{
    snprintf(out, n, "%s/models/plugins/.libs/example_plugin.so", MYELIN_TEST_BUILDDIR);
}

START_TEST(test_example_plugin)
{
    char so[1024], apath[1024];
    plugin_path(so, sizeof so);
    ck_assert_msg(access(so, R_OK) == 0, "%s missing: 'make check' builds the example plugin", so);
    snprintf(apath, sizeof apath, "%s/arch/presets/generic-45nm.yaml", MYELIN_TEST_SRCDIR);
    char *text = NULL;
    size_t len = 0;
    myelin_error err;
    ck_assert_int_eq(myelin_read_file(apath, &text, &len, &err), 0);
    size_t cap = len + 2048;
    char *full = malloc(cap);
    ck_assert_ptr_nonnull(full);
    snprintf(full, cap, "%splugins: [%s]\ncost_models: {linear: example-dense-linear}\n", text, so);
    free(text);
    fixture f = {0};
    ck_assert_msg(myelin_arch_load_string(full, "/x/plugged.yaml", &f.arch, &err) == 0, "%s", err.message);
    free(full);
    f.wl = load_zoo("tiny");
    f.lq = quant(f.wl, 8, 16, NULL, 0);
    evaluate(&f, 0.1);
    int i = layer(f.wl, "block.0.mlp.fc1");
    const myelin_layer *l = &f.wl->layers[i];
    ck_assert_str_eq(f.rep->layers[i].model, "example-dense-linear");
    /* dense crossbar: every synapse every timestep, whatever the rate */
    double dense = (double)f.wl->timesteps * l->out_shape.h * l->out_shape.w * l->c_in * l->c_out;
    ck_assert(fabs(f.rep->layers[i].counts.synaptic_ops - dense) <= 1e-9 * dense);
    /* it started from the built-in counts: the NoC traffic of its input and its neuron updates
     * are the built-in model's, so nothing went missing (no warning) */
    fixture b = {0};
    b.wl = load_zoo("tiny");
    b.lq = quant(b.wl, 8, 16, NULL, 0);
    b.arch = load_preset("generic-45nm");
    evaluate(&b, 0.1);
    const myelin_cost_counts *pc = &f.rep->layers[i].counts, *bc = &b.rep->layers[i].counts;
    ck_assert_str_eq(b.rep->layers[i].model, "builtin");
    ck_assert(bc->count[MYELIN_ACT_SPIKE_PACKET] > 0);
    ck_assert(pc->count[MYELIN_ACT_SPIKE_PACKET] == bc->count[MYELIN_ACT_SPIKE_PACKET]);
    ck_assert(pc->count[MYELIN_ACT_ROUTER_HOP_X] == bc->count[MYELIN_ACT_ROUTER_HOP_X]);
    ck_assert(pc->count[MYELIN_ACT_NEURON_UPDATE_ACTIVE] == bc->count[MYELIN_ACT_NEURON_UPDATE_ACTIVE]);
    ck_assert(pc->count[MYELIN_ACT_SYNAPTIC_OP] > bc->count[MYELIN_ACT_SYNAPTIC_OP]);
    ck_assert_str_eq(f.rep->warnings, "");
    release(&b);
    /* other kinds keep the built-in model */
    ck_assert_str_eq(f.rep->layers[layer(f.wl, "block.0.attn.attn")].model, "builtin");
    ck_assert_ptr_nonnull(myelin_cost_registry_find(f.reg, MYELIN_LAYER_LINEAR, "builtin"));
    release(&f);
}
END_TEST

static int bad_count(const myelin_cost_input *in, myelin_cost_counts *out, char *eb, size_t el)
{
    (void)in;
    (void)out;
    snprintf(eb, el, "cannot price this");
    return -1;
}

/* A model that prices the synaptic work only: no NoC action (what the registry warns about). */
static int no_noc_count(const myelin_cost_input *in, myelin_cost_counts *out, char *eb, size_t el)
{
    (void)eb;
    (void)el;
    out->synaptic_ops = out->count[MYELIN_ACT_SYNAPTIC_OP] =
        (double)in->dense_macs * in->timesteps * in->rate_in[0];
    return 0;
}

/* Counts the built-in model, then doubles the accumulates: a plugin adjusting built-in counts. */
static int adjusted_count(const myelin_cost_input *in, myelin_cost_counts *out, char *eb, size_t el)
{
    int rc = myelin_cost_builtin(in, out, eb, el);
    out->count[MYELIN_ACT_ADD_INT_BITS] *= 2;
    return rc;
}

static int n_warned;
static char warned[1024];
static void on_warning(void *user, const char *msg)
{
    ck_assert_ptr_eq(user, &n_warned);
    n_warned++;
    snprintf(warned, sizeof warned, "%s", msg);
}

START_TEST(test_plugin_abi)
{
    myelin_error err;
    fixture f = {0};
    f.wl = load_zoo("tiny");
    f.lq = quant(f.wl, 8, 16, NULL, 0);
    f.arch = load_preset("generic-45nm");
    ck_assert_int_eq(myelin_cost_registry_new(&f.reg, &err), 0);
    myelin_cost_registry_on_warning(f.reg, on_warning, &n_warned);
    myelin_cost_model m = {MYELIN_COST_ABI_VERSION, "no-noc", MYELIN_LAYER_LINEAR, "", no_noc_count};
    ck_assert_int_eq(myelin_cost_registry_add(f.reg, &m, &err), 0);
    snprintf(f.arch->cost_model[MYELIN_LAYER_LINEAR], MYELIN_NAME_MAX, "no-noc");
    n_warned = 0;
    evaluate(&f, 0.1);
    /* warned once through the handler, every layer in the report */
    ck_assert_int_eq(n_warned, 1);
    ck_assert_ptr_nonnull(strstr(warned, "'no-noc'"));
    ck_assert_ptr_nonnull(strstr(warned, "block.0.attn.q,"));
    ck_assert_ptr_nonnull(strstr(warned, "no NoC action"));
    ck_assert_ptr_nonnull(strstr(f.rep->warnings, "layer block.1.mlp.fc2: cost model 'no-noc'"));
    ck_assert_ptr_null(strstr(f.rep->warnings, "sps.conv")); /* conv keeps the built-in model */
    myelin_cost_report_free(f.rep);
    f.rep = NULL;
    evaluate(&f, 0.1); /* the same registry: the handler is not called again */
    ck_assert_int_eq(n_warned, 1);
    ck_assert_ptr_nonnull(strstr(f.rep->warnings, "layer block.0.attn.q:"));
    myelin_cost_report_free(f.rep);
    f.rep = NULL;
    /* a model adjusting the built-in counts: only what it changed differs, and no warning */
    fixture b = {0};
    b.wl = load_zoo("tiny");
    b.lq = quant(b.wl, 8, 16, NULL, 0);
    b.arch = load_preset("generic-45nm");
    evaluate(&b, 0.1);
    m.name = "adjusted";
    m.count = adjusted_count;
    ck_assert_int_eq(myelin_cost_registry_add(f.reg, &m, &err), 0);
    snprintf(f.arch->cost_model[MYELIN_LAYER_LINEAR], MYELIN_NAME_MAX, "adjusted");
    evaluate(&f, 0.1);
    ck_assert_str_eq(f.rep->warnings, "");
    int i = layer(f.wl, "block.0.mlp.fc1");
    for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
        double want = b.rep->layers[i].counts.count[a] * (a == MYELIN_ACT_ADD_INT_BITS ? 2 : 1);
        ck_assert_msg(f.rep->layers[i].counts.count[a] == want, "%s: %g, expected %g",
                      myelin_action_name((myelin_action)a), f.rep->layers[i].counts.count[a], want);
    }
    ck_assert(b.rep->layers[i].counts.count[MYELIN_ACT_ADD_INT_BITS] > 0);
    release(&b);
    release(&f);
    /* the built-in model refuses an input the library did not fill */
    myelin_cost_input forged;
    memset(&forged, 0, sizeof forged);
    forged.size = sizeof forged;
    forged.abi_version = MYELIN_COST_ABI_VERSION;
    myelin_cost_counts c;
    char eb[256];
    ck_assert_int_eq(myelin_cost_builtin(&forged, &c, eb, sizeof eb), MYELIN_EUSAGE);
    ck_assert_ptr_nonnull(strstr(eb, "not an input the library passed"));
    /* append-only: a field past the filled size reads as absent */
    forged.size = offsetof(myelin_cost_input, rate_out);
    ck_assert(MYELIN_COST_INPUT_HAS(&forged, timesteps));
    ck_assert(!MYELIN_COST_INPUT_HAS(&forged, rate_out));
    ck_assert(!MYELIN_COST_INPUT_HAS(&forged, internal));
}
END_TEST

/* An ABI-1 plugin (tests/plugins/abi1_plugin.c) is refused before loading, with what to do. */
START_TEST(test_plugin_abi1_refused)
{
    char so[1024];
    snprintf(so, sizeof so, "%s/tests/plugins/.libs/abi1_plugin.so", MYELIN_TEST_BUILDDIR);
    ck_assert_msg(access(so, R_OK) == 0, "%s missing: 'make check' builds it", so);
    myelin_cost_registry *reg = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_cost_registry_new(&reg, &err), 0);
    ck_assert_int_eq(myelin_cost_registry_load_plugin(reg, so, &err), MYELIN_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "built for ABI 1"));
    ck_assert_ptr_nonnull(strstr(err.message, "myelin_cost_plugin_v2"));
    ck_assert_ptr_nonnull(strstr(err.message, "none of its code ran"));
    ck_assert_ptr_null(myelin_cost_registry_find(reg, MYELIN_LAYER_LINEAR, "abi1-linear"));
    myelin_cost_registry_free(reg);
}
END_TEST

START_TEST(test_plugin_errors)
{
    myelin_cost_registry *reg = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_cost_registry_new(&reg, &err), 0);
    /* missing file */
    ck_assert_int_eq(myelin_cost_registry_load_plugin(reg, "/no/such/plugin.so", &err), MYELIN_EMISSING);
    ck_assert_ptr_nonnull(strstr(err.message, "not found"));
    /* not a shared object: dlerror's text is included */
    char path[1024];
    snprintf(path, sizeof path, "%s/arch/presets/paper-45nm.yaml", MYELIN_TEST_SRCDIR);
    ck_assert_int_eq(myelin_cost_registry_load_plugin(reg, path, &err), MYELIN_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "not a 64-bit little-endian ELF shared object"));
    ck_assert_ptr_nonnull(strstr(err.file, "paper-45nm.yaml"));
    /* a real shared object without the descriptor symbol (the maths library) */
    Dl_info info;
    ck_assert(dladdr((void *)&cos, &info) && info.dli_fname);
    ck_assert_int_eq(myelin_cost_registry_load_plugin(reg, info.dli_fname, &err), MYELIN_EMISSING);
    ck_assert_ptr_nonnull(strstr(err.message, "exports no 'myelin_cost_plugin_v2'"));
    ck_assert_ptr_nonnull(strstr(err.message, "none of its code ran"));
    /* ABI mismatch and bad descriptors */
    myelin_cost_model m = {MYELIN_COST_ABI_VERSION + 1, "future", MYELIN_LAYER_LINEAR, "", bad_count};
    ck_assert_int_eq(myelin_cost_registry_add(reg, &m, &err), MYELIN_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "ABI version mismatch"));
    m.abi_version = MYELIN_COST_ABI_VERSION;
    m.layer_kind = 42;
    ck_assert_int_eq(myelin_cost_registry_add(reg, &m, &err), MYELIN_ESCHEMA);
    m.layer_kind = MYELIN_LAYER_LINEAR;
    m.count = NULL;
    ck_assert_int_eq(myelin_cost_registry_add(reg, &m, &err), MYELIN_ESCHEMA);
    /* a model that fails reports the layer and its message */
    m.count = bad_count;
    m.name = "failing";
    ck_assert_int_eq(myelin_cost_registry_add(reg, &m, &err), 0);
    fixture f = {0};
    f.reg = reg;
    f.wl = load_zoo("tiny");
    f.lq = quant(f.wl, 8, 16, NULL, 0);
    f.arch = load_preset("generic-45nm");
    snprintf(f.arch->cost_model[MYELIN_LAYER_LINEAR], MYELIN_NAME_MAX, "failing");
    ck_assert_int_eq(myelin_map(f.wl, f.lq, f.arch, &f.map, &err), 0);
    ck_assert_int_eq(myelin_activity_from_workload(f.wl, 0.1, &f.act, &err), 0);
    ck_assert_int_eq(myelin_cost_evaluate(f.wl, f.lq, &f.act, f.arch, f.map, f.reg, &f.rep, &err),
                     MYELIN_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot price this"));
    ck_assert_ptr_nonnull(strstr(err.message, "block.0.attn.q"));
    release(&f);
}
END_TEST

/* Architecture files that parse but cannot be used: the error points into the file. */
static const struct {
    const char *file;
    int code, line, column;
    const char *fragment;
} bad_use[] = {
    {"missing_plugin.yaml", MYELIN_EMISSING, 26, 11, "not found"},
    {"unknown_cost_model.yaml", MYELIN_ESCHEMA, 26, 23, "no cost model 'no-such-model' for layer kind linear"},
};

START_TEST(test_bad_arch_use)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/bad_arch/%s", MYELIN_TEST_SRCDIR, bad_use[_i].file);
    myelin_arch *a = NULL;
    myelin_cost_registry *reg = NULL;
    myelin_error err;
    ck_assert_int_eq(myelin_arch_load(path, &a, &err), 0);
    ck_assert_int_eq(myelin_cost_registry_new(&reg, &err), 0);
    ck_assert_int_eq(myelin_cost_registry_configure(reg, a, &err), bad_use[_i].code);
    ck_assert_str_eq(err.file, path);
    ck_assert_msg(err.line == bad_use[_i].line && err.column == bad_use[_i].column, "%d:%d %s",
                  err.line, err.column, err.message);
    ck_assert_msg(strstr(err.message, bad_use[_i].fragment), "%s", err.message);
    myelin_cost_registry_free(reg);
    myelin_arch_free(a);
}
END_TEST

/* The command exits non-zero on every bad architecture file (skipped when the binary is absent). */
START_TEST(test_cli_exit_status)
{
    char bin[1024], cmd[4096];
    snprintf(bin, sizeof bin, "%s/myelin", MYELIN_TEST_BUILDDIR);
    if (access(bin, X_OK) != 0)
        return;
    static const char *const files[] = {
        "missing_noc.yaml", "negative_size.yaml", "unknown_key.yaml", "unsupported_weight_bits.yaml",
        "price_no_unit.yaml", "price_bare_number.yaml", "missing_plugin.yaml", "unknown_cost_model.yaml",
    };
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        snprintf(cmd, sizeof cmd,
                 "MYELIN_SRCDIR='%s' '%s' cost --workload '%s/workloads/zoo/tiny.yaml' "
                 "--arch '%s/tests/data/bad_arch/%s' >/dev/null 2>&1",
                 MYELIN_TEST_SRCDIR, bin, MYELIN_TEST_SRCDIR, MYELIN_TEST_SRCDIR, files[k]);
        int st = system(cmd);
        ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 0, "%s: exit %d", files[k],
                      WEXITSTATUS(st));
    }
    snprintf(cmd, sizeof cmd,
             "MYELIN_SRCDIR='%s' '%s' cost --workload '%s/workloads/zoo/tiny.yaml' --arch paper-45nm "
             "--rate 0.1 --format csv >/dev/null 2>&1",
             MYELIN_TEST_SRCDIR, bin, MYELIN_TEST_SRCDIR);
    int st = system(cmd);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "good run exit %d", WEXITSTATUS(st));
}
END_TEST

Suite *make_cost_suite(void)
{
    Suite *s = suite_create("cost");
    TCase *tc = tcase_create("paper");
    tcase_add_loop_test(tc, test_paper_exact, 0, (int)(sizeof paper_rates / sizeof paper_rates[0]));
    tcase_add_test(tc, test_memory_8_384);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tc = tcase_create("generic");
    tcase_add_test(tc, test_generic_exact_counts);
    tcase_add_test(tc, test_finish_cycles_schedule);
    tcase_add_test(tc, test_lower_bits_lowers_memory_and_reads);
    tcase_add_test(tc, test_higher_rate_raises_synaptic_energy);
    tcase_add_loop_test(tc, test_presets_tiny, 0, 3);
    tcase_add_test(tc, test_loihi_rejects_float);
    tcase_add_test(tc, test_noc_bound_exact);
    tcase_add_test(tc, test_noc_bound_residual);
    tcase_add_test(tc, test_activity_json);
    tcase_add_test(tc, test_activity_from_spikes);
    tcase_add_test(tc, test_activity_model);
    tcase_add_test(tc, test_multicast_direction);
    tcase_add_loop_test(tc, test_formats, 0, (int)(sizeof formats / sizeof formats[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("plugins");
    tcase_add_test(tc, test_example_plugin);
    tcase_add_test(tc, test_plugin_errors);
    tcase_add_test(tc, test_plugin_abi);
    tcase_add_test(tc, test_plugin_abi1_refused);
    tcase_add_loop_test(tc, test_bad_arch_use, 0, (int)(sizeof bad_use / sizeof bad_use[0]));
    tcase_add_test(tc, test_cli_exit_status);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return s;
}
