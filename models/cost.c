/* models/cost.c — evaluation: runs each layer's cost model (the architecture's choice for its
 * kind) on its quantization, activity and mapping, applies the NoC serialization bound, takes
 * the longest path through the layer graph as the latency, and has the counts priced.  The other
 * jobs live beside it (models/cost_internal.h lists them). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/cost.h"
#include "models/cost_internal.h"


/* When layer i finishes its inference, for the longest-path latency (cost.h): its work can start
 * on each producer's spikes as soon as that producer is done (a residual consumer works on the
 * stream's early contributors while the latest one still runs), in the order producers finish,
 * each taking its share of `compute` (by spikes contributed); the NoC-bound cycles `bounded`
 * cannot end before the last producer's finish plus the NoC term.  share[] is scratch. */
static double layer_finish(const myelin_workload *wl, const myelin_mapping *map,
                           const myelin_activity *act, int i, double compute, double bounded,
                           const double *finish, double *share)
{
    const myelin_layer *l = &wl->layers[i];
    int n = wl->n_layers;
    for (int p = 0; p < n; p++)
        share[p] = 0;
    double last = 0, tot = 0;
    for (int j = 0; j < l->n_inputs && j < 3; j++) {
        int s = l->inputs[j];
        if (s < 0 || s >= i)
            continue;
        myelin_noc_stream_producers(wl, map, act, s, act->rate[s] * (double)myelin_noc_tensor_elems(wl, s) + 1e-300,
                         share, 0);
    }
    for (int p = 0; p < i; p++) {
        tot += share[p];
        if (share[p] > 0 && finish[p] > last)
            last = finish[p];
    }
    if (!(tot > 0))
        return last + bounded; /* the image: starts at once */
    double t = 0;
    for (;;) { /* producers in order of finish (ties by index) */
        int best = -1;
        for (int p = 0; p < i; p++)
            if (share[p] > 0 && (best < 0 || finish[p] < finish[best]))
                best = p;
        if (best < 0)
            break;
        t = (t > finish[best] ? t : finish[best]) + compute * share[best] / tot;
        share[best] = 0;
    }
    double nb = bounded > compute ? last + bounded : last;
    return t > nb ? t : nb;
}

int myelin_cost_evaluate(const myelin_workload *wl, const myelin_layer_quant *lq,
                         const myelin_activity *act, const myelin_arch *arch,
                         const myelin_mapping *map, const myelin_cost_registry *reg,
                         myelin_cost_report **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    if (act->n_layers != wl->n_layers || map->n_layers != wl->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "activity (%d layers) or mapping (%d) does not match workload %s (%d)",
                                act->n_layers, map->n_layers, wl->name, wl->n_layers);
    myelin_cost_report *r = myelin_cost_report_new(wl, arch, map, err);
    if (!r)
        return MYELIN_ENOMEM;
    snprintf(r->activity, sizeof r->activity, "%s", act->source);
    int flits = myelin_noc_flits_per_packet(wl, arch);
    size_t nl = (size_t)(wl->n_layers ? wl->n_layers : 1);
    double *send = calloc(nl * (5 + nl) + 4 * (size_t)arch->rows * (size_t)arch->cols, sizeof *send);
    if (!send) {
        myelin_cost_report_free(r);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (NoC bound)");
    }
    double *recv = send + nl, *finish = send + 2 * nl, *scratch = send + 3 * nl;
    double *arrive = send + 5 * nl; /* [P * n + D]: when D has all of P's packets (noc.c) */
    double *link_free = arrive + nl * nl;
    double *share = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *share);
    if (!share) {
        free(send);
        myelin_cost_report_free(r);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (NoC bound)");
    }
    int nrc = myelin_noc_bounds(wl, map, act, arch, flits, -1, 0, wl->timesteps, NULL, send, recv, NULL, err);
    if (nrc) {
        free(send);
        free(share);
        myelin_cost_report_free(r);
        return nrc;
    }
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        myelin_layer_cost *lc = &r->layers[i];
        const myelin_cost_model *m = myelin_cost_registry_find(reg, l->kind, arch->cost_model[l->kind]);
        if (!m) {
            int rc = myelin_error_set(err, MYELIN_ESCHEMA, arch->source, arch->cost_model_line[l->kind],
                                      arch->cost_model_column[l->kind],
                                      "layer %s: no cost model '%s' for kind %s is registered", l->name,
                                      arch->cost_model[l->kind], myelin_layer_kind_name(l->kind));
            free(send);
            free(share);
            myelin_cost_report_free(r);
            return rc;
        }
        myelin_cost_ctx in;
        memset(&in, 0, sizeof in);
        in.workload = wl;
        in.layer_index = i;
        in.layer = l;
        in.quant = &lq[i];
        in.map = &map->layers[i];
        in.arch = arch;
        in.timesteps = wl->timesteps;
        in.rate_out = act->rate[i];
        double hx = 0, hy = 0, tex = 0, tey = 0;
        int nh = 0;
        for (int j = 0; j < l->n_inputs && j < 3; j++) {
            int src = l->inputs[j];
            in.in_elements[j] = myelin_noc_tensor_elems(wl, src);
            if (src == MYELIN_INPUT_IMAGE)
                continue;
            in.rate_in[j] = act->rate[src];
            double x, y;
            int rc = myelin_noc_source_hops(wl, map, act, arch, src, in.map, 0, &x, &y, err);
            if (!rc && arch->noc_multicast == MYELIN_MULTICAST_TREE) {
                double tx, ty;
                int tree = (l->kind != MYELIN_LAYER_ATTN && in.map->token_slices > 1) ? 2 : 1;
                rc = myelin_noc_source_hops(wl, map, act, arch, src, in.map, tree, &tx, &ty, err);
                tex += tx;
                tey += ty;
            }
            if (rc) {
                free(send);
                free(share);
                myelin_cost_report_free(r);
                return rc;
            }
            hx += x;
            hy += y;
            nh++;
        }
        in.mean_hops_x = nh ? hx / nh : 0;
        in.mean_hops_y = nh ? hy / nh : 0;
        in.tree_edges_x = nh ? tex / nh : 0;
        in.tree_edges_y = nh ? tey / nh : 0;
        char eb[512] = "";
        memset(&lc->counts, 0, sizeof lc->counts);
        myelin_cost_input pin; /* the plugin ABI's plain-value view of `in` */
        myelin_cost_input_fill(&pin, &in);
        if (m->count(&pin, &lc->counts, eb, sizeof eb)) {
            int rc = myelin_error_set(err, MYELIN_EUNSUPPORTED, NULL, 0, 0,
                                      "layer %s: cost model '%s' failed: %s", l->name, m->name,
                                      eb[0] ? eb : "(no message)");
            free(send);
            free(share);
            myelin_cost_report_free(r);
            return rc;
        }
        for (int a = 0; a < MYELIN_ACT_COUNT; a++)
            if (!isfinite(lc->counts.count[a]) || lc->counts.count[a] < 0) {
                int rc = myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                          "layer %s: cost model '%s' returned %g %s (counts must be "
                                          "finite and >= 0)",
                                          l->name, m->name, lc->counts.count[a],
                                          myelin_action_name((myelin_action)a));
                free(send);
                free(share);
                myelin_cost_report_free(r);
                return rc;
            }
        myelin_cost_registry_check_noc(reg, m, &in, &lc->counts, r);
        /* NoC occupancy of the layer (its cycles): its output fan-out through its injection
         * ports and the links, or its input through its cores' ejection ports, whichever is
         * busier, + the hop latency (cost.h).  When it finishes (layer_finish below) follows the
         * network's discipline instead: not before its input has passed its ejection ports, nor
         * before every producer's packets have reached it through the shared links (noc.c). */
        double hop_term = (double)in.timesteps * (in.mean_hops_x + in.mean_hops_y) *
                          arch->noc.hop_latency_cycles;
        double arrive_i = 0;
        for (int p = 0; p < i; p++)
            if (arrive[(size_t)p * nl + (size_t)i] > arrive_i)
                arrive_i = arrive[(size_t)p * nl + (size_t)i];
        lc->noc_cycles = (double)in.timesteps * (send[i] > recv[i] ? send[i] : recv[i]);
        double noc = lc->noc_cycles + hop_term;
        double compute = lc->counts.cycles;
        if (!(lc->counts.cycles >= noc))
            lc->counts.cycles = noc;
        double own = (double)in.timesteps * recv[i] + hop_term;
        snprintf(lc->model, sizeof lc->model, "%s", m->name);
        lc->memory = myelin_layer_memory_of(l, &lq[i]);
        lc->cores = map->layers[i].cores;
        lc->neuron_util = map->layers[i].neuron_util;
        lc->synapse_util = map->layers[i].synapse_util;
        lc->rate_in = in.rate_in[0];
        /* layers run as soon as their inputs are done (q, k and v side by side): the inference
         * takes the longest path through the graph (cost.h) */
        finish[i] = layer_finish(wl, map, act, i, compute, own > compute ? own : compute, finish,
                                 share);
        if (arrive_i > 0 && arrive_i + hop_term > finish[i])
            finish[i] = arrive_i + hop_term;
        if (map->layers[i].cores > 0) { /* its packets, queued behind the earlier producers' */
            int arc = myelin_noc_bounds(wl, map, act, arch, flits, i, finish[i], wl->timesteps,
                                        link_free, scratch, scratch + nl, arrive, err);
            if (arc) {
                free(send);
                free(share);
                myelin_cost_report_free(r);
                return arc;
            }
        }
        lc->finish_cycles = finish[i];
        if (finish[i] > r->inference_cycles)
            r->inference_cycles = finish[i];
    }
    /* each timestep closes with a barrier across the mesh, as in the SystemC model */
    r->inference_cycles += (double)wl->timesteps * (arch->rows + arch->cols) *
                           (arch->noc.hop_latency_cycles > 0 ? arch->noc.hop_latency_cycles : 1);
    free(send);
    free(share);
    myelin_cost_report_price(r, wl, arch);
    *out = r;
    return 0;
}
