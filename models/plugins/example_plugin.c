/* models/plugins/example_plugin.c — an example cost-model plugin (ABI 1): a dense, clock-driven
 * crossbar for linear layers that evaluates every synapse every timestep, whatever the firing rate.
 *
 * Build: cc -shared -fPIC example_plugin.c -o example_plugin.so $(pkg-config --cflags --libs myelin)
 * Use:   in the architecture YAML,  plugins: [path/to/example_plugin.so]
 *                                   cost_models: {linear: example-dense-linear}
 * It calls into libmyelin (myelin_layer_neurons), which the loading program provides. */
#include <myelin/cost.h>

/* Counts T x dense MACs synaptic ops (no event skipping), one synapse-memory read of each weight per
 * timestep (a crossbar row read), one integer accumulate per op and a LIF update per neuron. */
static int count_dense_linear(const myelin_cost_input *in, myelin_cost_counts *out, char *errbuf,
                              size_t errlen)
{
    const myelin_layer *l = in->layer;
    if (l->kind != MYELIN_LAYER_LINEAR) {
        snprintf(errbuf, errlen, "example-dense-linear only prices linear layers (got %s)", l->name);
        return -1;
    }
    int wb = in->quant->weight_bits == MYELIN_BITS_FLOAT ? 32 : in->quant->weight_bits;
    int mb = in->quant->membrane_bits == MYELIN_BITS_FLOAT ? 32 : in->quant->membrane_bits;
    double macs = (double)l->out_shape.h * l->out_shape.w * l->c_in * l->c_out;
    double ops = macs * in->timesteps;
    double neurons = (double)myelin_layer_neurons(l);
    out->synaptic_ops = ops;
    out->count[MYELIN_ACT_SYNAPTIC_OP] = ops;
    out->count[MYELIN_ACT_SRAM_READ_BITS] = ops * wb;
    out->count[MYELIN_ACT_ADD_INT_BITS] = ops * mb;
    out->count[MYELIN_ACT_NEURON_UPDATE_ACTIVE] = neurons * in->timesteps * in->rate_out;
    out->count[MYELIN_ACT_NEURON_UPDATE_IDLE] = neurons * in->timesteps * (1.0 - in->rate_out);
    out->count[MYELIN_ACT_MEMBRANE_RW_BITS] = neurons * in->timesteps * 2.0 * mb;
    int cores = in->map->cores > 0 ? in->map->cores : 1;
    out->cycles = ops / ((double)cores * in->arch->core.accumulator_lanes);
    return 0;
}

const myelin_cost_model myelin_cost_plugin_v1 = {
    MYELIN_COST_ABI_VERSION,
    "example-dense-linear",
    MYELIN_LAYER_LINEAR,
    "example plugin: dense crossbar, every synapse every timestep",
    count_dense_linear,
};
