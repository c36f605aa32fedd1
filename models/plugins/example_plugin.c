/* models/plugins/example_plugin.c — an example cost-model plugin (ABI 2): a dense, clock-driven
 * crossbar for linear layers that evaluates every synapse every timestep, whatever the firing rate.
 * It starts from the built-in model's counts (myelin_cost_builtin) and replaces only the synaptic
 * work, so the neuron updates and the NoC traffic that delivers its input spikes stay counted.
 *
 * Build: cc -shared -fPIC example_plugin.c -o example_plugin.so $(pkg-config --cflags --libs myelin)
 * Use:   in the architecture YAML,  plugins: [example_plugin.so]      (relative to the YAML's folder)
 *                                   cost_models: {linear: example-dense-linear}
 * It calls into libmyelin (myelin_cost_builtin), which the loading program provides. */
#include <myelin/cost.h>

/* Counts T x dense MACs synaptic ops (no event skipping), one synapse-memory read of each weight per
 * timestep (a crossbar row read) and one integer accumulate per op; keeps the built-in model's
 * neuron updates and NoC actions. */
static int count_dense_linear(const myelin_cost_input *in, myelin_cost_counts *out, char *errbuf,
                              size_t errlen)
{
    if (in->layer_kind != MYELIN_LAYER_LINEAR) {
        snprintf(errbuf, errlen, "example-dense-linear only prices linear layers (got %s)",
                 in->layer_name);
        return -1;
    }
    int rc = myelin_cost_builtin(in, out, errbuf, errlen);
    if (rc)
        return rc;
    int wb = in->weight_bits == MYELIN_BITS_FLOAT ? 32 : in->weight_bits;
    int mb = in->membrane_bits == MYELIN_BITS_FLOAT ? 32 : in->membrane_bits;
    double ops = (double)in->dense_macs * in->timesteps;
    /* replace the event-driven synaptic work by the crossbar's */
    out->synaptic_ops = ops;
    out->count[MYELIN_ACT_SYNAPTIC_OP] = ops;
    out->count[MYELIN_ACT_SRAM_READ_BITS] = ops * wb;
    out->count[MYELIN_ACT_ADD_FLOAT] = 0;
    out->count[MYELIN_ACT_SHIFT_ADD_BITS] = 0;
    out->count[MYELIN_ACT_ADD_INT_BITS] = ops * mb;
    int cores = in->cores > 0 ? in->cores : 1;
    int lanes = in->accumulator_lanes > 0 ? in->accumulator_lanes : 1;
    out->cycles = ops / ((double)cores * lanes) +
                  in->timesteps * (in->mean_hops_x + in->mean_hops_y) * in->hop_latency_cycles;
    return 0;
}

const myelin_cost_model myelin_cost_plugin_v2 = {
    MYELIN_COST_ABI_VERSION,
    "example-dense-linear",
    MYELIN_LAYER_LINEAR,
    "example plugin: dense crossbar, every synapse every timestep (built-in neurons and NoC)",
    count_dense_linear,
};
