/* models/cost_builtin.c — the built-in counting models, one per layer kind (the rules stated at
 * the top of models/cost.h), and myelin_cost_builtin, through which plugins start from them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/cost.h"
#include "models/cost_internal.h"

static double wbits(const myelin_cost_ctx *in)
{
    return myelin_storage_bits(in->quant->weight_bits);
}

static double mbits(const myelin_cost_ctx *in)
{
    return myelin_storage_bits(in->quant->membrane_bits);
}

/* One accumulate per synaptic op, priced by the membrane (accumulator) width and the scheme. */
static void count_accumulates(const myelin_cost_ctx *in, double ops, int pot, myelin_cost_counts *o)
{
    if (in->quant->membrane_bits == MYELIN_BITS_FLOAT)
        o->count[MYELIN_ACT_ADD_FLOAT] += ops;
    else if (pot)
        o->count[MYELIN_ACT_SHIFT_ADD_BITS] += ops * mbits(in);
    else
        o->count[MYELIN_ACT_ADD_INT_BITS] += ops * mbits(in);
}

static void count_neurons(const myelin_cost_ctx *in, myelin_cost_counts *o)
{
    if (!in->layer->has_lif)
        return;
    double updates = (double)myelin_layer_neurons(in->layer) * in->timesteps;
    double active = in->rate_out * updates;
    if (active > updates)
        active = updates;
    o->count[MYELIN_ACT_NEURON_UPDATE_ACTIVE] += active;
    o->count[MYELIN_ACT_NEURON_UPDATE_IDLE] += updates - active;
    o->count[MYELIN_ACT_MEMBRANE_RW_BITS] += updates * 2 * mbits(in);
}

/* Every input event goes to each core that holds its tokens (all channel groups of one token
 * slice; attention mixes tokens, so all of its cores); the image comes from outside the array. */
static double count_noc(const myelin_cost_ctx *in, myelin_cost_counts *o)
{
    double packets = 0;
    double dest = in->map->cores;
    if (in->layer->kind != MYELIN_LAYER_ATTN && in->map->token_slices > 1)
        dest /= in->map->token_slices;
    for (int j = 0; j < in->layer->n_inputs; j++) {
        if (in->layer->inputs[j] == MYELIN_INPUT_IMAGE)
            continue;
        packets += in->rate_in[j] * in->timesteps * (double)in->in_elements[j] * dest;
    }
    if (in->arch->noc_multicast == MYELIN_MULTICAST_TREE && dest > 0) {
        double events = packets / dest; /* one packet per event: the tree copies it */
        o->count[MYELIN_ACT_SPIKE_PACKET] += events;
        o->count[MYELIN_ACT_ROUTER_HOP_X] += events * in->tree_edges_x;
        o->count[MYELIN_ACT_ROUTER_HOP_Y] += events * in->tree_edges_y;
        return events;
    }
    o->count[MYELIN_ACT_SPIKE_PACKET] += packets;
    o->count[MYELIN_ACT_ROUTER_HOP_X] += packets * in->mean_hops_x;
    o->count[MYELIN_ACT_ROUTER_HOP_Y] += packets * in->mean_hops_y;
    return packets;
}

static double base_cycles(const myelin_cost_ctx *in, double work)
{
    double c = 0;
    if (in->map->cores > 0)
        c = work / ((double)in->map->cores * in->arch->core.accumulator_lanes);
    return c + in->timesteps * (in->mean_hops_x + in->mean_hops_y) * in->arch->noc.hop_latency_cycles;
}

/* Cycles one input event costs one core: its fan-out row through the accumulator lanes, or the
 * synapse-memory words it needs through the banks, whichever is longer (the SystemC core's rule;
 * the excess is a memory stall). */
static double event_cycles(const myelin_arch *a, double fanout, double bits)
{
    if (!(fanout > 0) || a->core.accumulator_lanes <= 0 || a->core.synapse_word_bits <= 0 ||
        a->core.synapse_banks <= 0)
        return 0;
    double acc = ceil(fanout / a->core.accumulator_lanes);
    double fetch = ceil(ceil(fanout * bits / a->core.synapse_word_bits) / a->core.synapse_banks);
    return acc > fetch ? acc : fetch;
}

/* Accumulate cycles of a CONV / LINEAR layer per core: every event reaches each core of its token
 * slice and costs event_cycles(kernel^2 x channels per core); the image (real input) once. */
static double synaptic_cycles(const myelin_cost_ctx *in)
{
    const myelin_layer *l = in->layer;
    const myelin_layer_map *m = in->map;
    if (m->cores <= 0)
        return 0;
    double slices = m->token_slices > 1 ? m->token_slices : 1;
    double fan = (double)l->kernel * l->kernel * (m->channels_per_core > 0 ? m->channels_per_core : 1);
    double per_event = event_cycles(in->arch, fan, wbits(in));
    double events;
    if (l->real_input) /* every pixel value of its tokens, every input channel, at t = 0 */
        events = (double)l->out_shape.h * l->out_shape.w * l->c_in / slices;
    else
        events = in->rate_in[0] * in->timesteps * (double)in->in_elements[0] / slices;
    return events * per_event;
}

static int builtin_synaptic(const myelin_cost_ctx *in, myelin_cost_counts *o, char *eb, size_t el)
{
    (void)eb;
    (void)el;
    const myelin_layer *l = in->layer;
    double macs = (double)myelin_layer_dense_macs(l);
    if (l->real_input) {
        o->count[MYELIN_ACT_MAC_REAL] = macs; /* once per inference: FL^1 convention */
        o->count[MYELIN_ACT_SRAM_READ_BITS] = macs * wbits(in);
    } else {
        double ops = in->rate_in[0] * in->timesteps * macs;
        o->synaptic_ops = ops;
        o->count[MYELIN_ACT_SYNAPTIC_OP] = ops;
        o->count[MYELIN_ACT_SRAM_READ_BITS] = ops * wbits(in);
        count_accumulates(in, ops, in->quant->scheme == MYELIN_SCHEME_POT, o);
    }
    count_neurons(in, o);
    count_noc(in, o);
    double lanes = in->arch->core.accumulator_lanes > 0 ? in->arch->core.accumulator_lanes : 1;
    double lif = 0;
    if (l->has_lif && in->map->cores > 0)
        lif = ceil((double)myelin_layer_neurons(l) / in->map->cores / lanes) * in->timesteps;
    if (l->kind == MYELIN_LAYER_HEAD) /* one accumulate per event into the token-and-time sum */
        o->cycles = base_cycles(in, o->synaptic_ops > 0 ? in->rate_in[0] * in->timesteps *
                                                              (double)in->in_elements[0]
                                                        : 0);
    else
        o->cycles = synaptic_cycles(in) + lif +
                    in->timesteps * (in->mean_hops_x + in->mean_hops_y) *
                        in->arch->noc.hop_latency_cycles;
    return 0;
}

static int builtin_attn(const myelin_cost_ctx *in, myelin_cost_counts *o, char *eb, size_t el)
{
    const myelin_layer *l = in->layer;
    if (l->n_inputs != 3 || l->heads <= 0) {
        snprintf(eb, el, "attention layer needs 3 inputs (q, k, v) and heads > 0");
        return -1;
    }
    double n = (double)l->out_shape.h * l->out_shape.w;
    double d = (double)l->out_shape.c / l->heads;
    double k_ops, q_ops;
    if (l->attn_order == MYELIN_ATTN_QK_V) {
        /* (Q K^T) V, the public CIFAR code: each Q spike adds a K column into S (n ops, 1-bit
         * reads); each V spike adds a column of the integer S into A (n ops, membrane-width reads).
         * k_ops holds the V side here. */
        q_ops = in->rate_in[0] * in->timesteps * n * d * l->heads * n;
        k_ops = in->rate_in[2] * in->timesteps * n * d * l->heads * n;
    } else {
        double per_event = n * d * d * l->heads; /* products per unit rate per timestep */
        k_ops = in->rate_in[1] * in->timesteps * per_event; /* K^T V on K spikes */
        q_ops = in->rate_in[0] * in->timesteps * per_event; /* Q (K^T V) on Q spikes */
    }
    double ops = k_ops + q_ops;
    o->synaptic_ops = ops;
    o->count[MYELIN_ACT_SYNAPTIC_OP] = ops;
    /* q_kv: K^T V entries (membrane-width) per Q spike; qk_v: S entries per V spike */
    o->count[MYELIN_ACT_SRAM_READ_BITS] = l->attn_order == MYELIN_ATTN_QK_V
                                              ? q_ops * 1.0 + k_ops * mbits(in)
                                              : k_ops * 1.0 + q_ops * mbits(in);
    count_accumulates(in, ops, 0, o);
    count_neurons(in, o);
    count_noc(in, o);
    /* a K or Q event works on the cores holding its head's channels: one core with the whole
     * head (d products), or d / (channels per core) cores with their share */
    const myelin_layer_map *m = in->map;
    double cpc = m->channels_per_core > 0 ? m->channels_per_core : 1;
    double ov = cpc >= d ? d : cpc, nov = cpc >= d ? 1 : d / cpc;
    double cyc = 0;
    if (m->cores > 0) {
        double ke = in->rate_in[1] * in->timesteps * (double)in->in_elements[1];
        double qe = in->rate_in[0] * in->timesteps * (double)in->in_elements[0];
        double lanes = in->arch->core.accumulator_lanes > 0 ? in->arch->core.accumulator_lanes : 1;
        cyc = (ke * event_cycles(in->arch, ov, 1) + qe * event_cycles(in->arch, ov, mbits(in))) *
                  nov / m->cores +
              ceil((double)myelin_layer_neurons(l) / m->cores / lanes) * in->timesteps;
    }
    o->cycles = cyc + in->timesteps * (in->mean_hops_x + in->mean_hops_y) *
                          in->arch->noc.hop_latency_cycles;
    return 0;
}

static int builtin_free(const myelin_cost_ctx *in, myelin_cost_counts *o, char *eb, size_t el)
{
    (void)in;
    (void)o;
    (void)eb;
    (void)el;
    return 0;
}

static const struct {
    int kind;
    myelin_cost_builtin_fn fn;
    const char *description;
} builtins[] = {
    {MYELIN_LAYER_CONV, builtin_synaptic,
     "3x3 conv: MACs for the real-valued first layer (once), else rate x T x dense synaptic ops"},
    {MYELIN_LAYER_LINEAR, builtin_synaptic,
     "token-wise linear: rate x T x dense synaptic ops, weight reads, accumulates, LIF, NoC"},
    {MYELIN_LAYER_ATTN, builtin_attn,
     "spiking self-attention: spike.spike products in the workload's order ((Q K^T) V or "
     "Q (K^T V)), event-driven"},
    {MYELIN_LAYER_MAXPOOL, builtin_free,
     "max pool: merged into the consumer's input, no cost of its own"},
    {MYELIN_LAYER_ADD, builtin_free,
     "residual add: merged into the consumer's input, no cost of its own"},
    {MYELIN_LAYER_HEAD, builtin_synaptic,
     "classifier head: rate x T x dense synaptic ops (paper convention)"},
};

myelin_cost_builtin_fn myelin_cost_builtin_of(int kind)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (builtins[i].kind == kind)
            return builtins[i].fn;
    return NULL;
}

const char *myelin_cost_builtin_description(int kind)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (builtins[i].kind == kind)
            return builtins[i].description;
    return NULL;
}

int myelin_cost_builtin(const myelin_cost_input *in, myelin_cost_counts *out, char *errbuf,
                        size_t errlen)
{
    if (errlen)
        errbuf[0] = 0;
    if (!in || !out || !in->internal || in->size < sizeof(size_t) + sizeof(int) ||
        in->abi_version != MYELIN_COST_ABI_VERSION) {
        snprintf(errbuf, errlen, "myelin_cost_builtin: not an input the library passed (call it "
                                 "with the myelin_cost_input your count function received)");
        return MYELIN_EUSAGE;
    }
    const myelin_cost_ctx *ctx = (const myelin_cost_ctx *)in->internal;
    myelin_cost_builtin_fn fn = myelin_cost_builtin_of(ctx->layer->kind);
    if (!fn) {
        snprintf(errbuf, errlen, "no built-in cost model for layer %s", ctx->layer->name);
        return MYELIN_EUNSUPPORTED;
    }
    memset(out, 0, sizeof *out);
    return fn(ctx, out, errbuf, errlen) ? MYELIN_EUNSUPPORTED : 0;
}
