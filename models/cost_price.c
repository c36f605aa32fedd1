/* models/cost_price.c — pricing: action counts x the array's prices (the one place they meet),
 * leakage as layer cores x the inference's cycles, and assembling reports (from the cost models'
 * counts or from counts measured elsewhere, e.g. the SystemC model). */
#include <stdio.h>
#include <stdlib.h>

#include "models/cost.h"
#include "models/cost_internal.h"

void myelin_cost_report_free(myelin_cost_report *r)
{
    if (!r)
        return;
    free(r->layers);
    free(r);
}

/* The price of `count` units of action a, in pJ: the one multiplication of counts by prices. */
static double price_one(const myelin_arch *arch, myelin_action a, double count)
{
    return count * arch->prices[a].pj;
}

double myelin_cost_price(const myelin_arch *arch, const myelin_cost_counts *counts,
                         double *energy_pj)
{
    double total = 0;
    for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
        double e = price_one(arch, (myelin_action)a, counts->count[a]);
        if (energy_pj)
            energy_pj[a] = e;
        total += e;
    }
    return total;
}

/* Adds leakage (layer cores x the inference's cycles) to every layer's counts, then prices every
 * count and sums layers, components and totals: the one place counts meet prices. */
void myelin_cost_report_price(myelin_cost_report *r, const myelin_workload *wl, const myelin_arch *arch)
{
    /* Leakage (power x time, priced once): resident cores leak for the whole inference. */
    myelin_layer_cost *t = &r->total;
    for (int i = 0; i < wl->n_layers; i++) {
        myelin_layer_cost *lc = &r->layers[i];
        lc->counts.count[MYELIN_ACT_LEAKAGE_CORE_CYCLES] += (double)lc->cores * r->inference_cycles;
        for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
            lc->energy_pj[a] = price_one(arch, (myelin_action)a, lc->counts.count[a]);
            lc->component_pj[myelin_action_component((myelin_action)a)] += lc->energy_pj[a];
            lc->total_pj += lc->energy_pj[a];
            t->counts.count[a] += lc->counts.count[a];
            t->energy_pj[a] += lc->energy_pj[a];
        }
        for (int c = 0; c < MYELIN_COMP_COUNT; c++)
            t->component_pj[c] += lc->component_pj[c];
        t->total_pj += lc->total_pj;
        t->counts.synaptic_ops += lc->counts.synaptic_ops;
        t->counts.cycles += lc->counts.cycles;
        t->memory.weight_bits += lc->memory.weight_bits;
        t->memory.bias_bits += lc->memory.bias_bits;
        t->memory.scale_bits += lc->memory.scale_bits;
        t->memory.membrane_bits += lc->memory.membrane_bits;
        t->cores += lc->cores;
        t->neuron_util += lc->cores * lc->neuron_util; /* core-weighted means, divided below */
        t->synapse_util += lc->cores * lc->synapse_util;
    }
    if (r->total.cores > 0) {
        r->total.neuron_util /= r->total.cores;
        r->total.synapse_util /= r->total.cores;
    }
    r->latency_s = r->inference_cycles / arch->clock_hz;
}

/* An empty report for wl on arch with map's core counts, or NULL with err set (out of memory). */
myelin_cost_report *myelin_cost_report_new(const myelin_workload *wl, const myelin_arch *arch,
                                      const myelin_mapping *map, myelin_error *err)
{
    myelin_cost_report *r = calloc(1, sizeof *r);
    if (r)
        r->layers = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *r->layers);
    if (!r || !r->layers) {
        myelin_cost_report_free(r);
        myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (cost report)");
        return NULL;
    }
    r->n_layers = wl->n_layers;
    r->timesteps = wl->timesteps;
    r->cores_used = map->cores_used;
    r->cores_total = map->cores_total;
    snprintf(r->workload, sizeof r->workload, "%s", wl->name);
    snprintf(r->arch, sizeof r->arch, "%s", arch->name);
    r->area_total_mm2 = myelin_arch_area_mm2(arch, (int64_t)arch->rows * arch->cols, r->area_mm2);
    r->area_used_mm2 = myelin_arch_area_mm2(arch, map->cores_used, NULL);
    return r;
}

int myelin_cost_report_from_counts(const myelin_workload *wl, const myelin_layer_quant *lq,
                                   const myelin_arch *arch, const myelin_mapping *map,
                                   const myelin_cost_counts *counts, const double *rate_in,
                                   double inference_cycles, const char *model, const char *activity,
                                   myelin_cost_report **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    if (map->n_layers != wl->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "mapping (%d layers) does not match workload %s (%d)", map->n_layers,
                                wl->name, wl->n_layers);
    myelin_cost_report *r = myelin_cost_report_new(wl, arch, map, err);
    if (!r)
        return MYELIN_ENOMEM;
    r->inference_cycles = inference_cycles;
    snprintf(r->activity, sizeof r->activity, "%s", activity ? activity : "");
    for (int i = 0; i < wl->n_layers; i++) {
        myelin_layer_cost *lc = &r->layers[i];
        lc->counts = counts[i];
        lc->counts.count[MYELIN_ACT_LEAKAGE_CORE_CYCLES] = 0;
        snprintf(lc->model, sizeof lc->model, "%s", model ? model : "");
        lc->memory = myelin_layer_memory_of(&wl->layers[i], &lq[i]);
        lc->cores = map->layers[i].cores;
        lc->neuron_util = map->layers[i].neuron_util;
        lc->synapse_util = map->layers[i].synapse_util;
        lc->rate_in = rate_in ? rate_in[i] : 0;
    }
    myelin_cost_report_price(r, wl, arch);
    *out = r;
    return 0;
}
