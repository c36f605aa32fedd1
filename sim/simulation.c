/* sim/simulation.c — one run of the SystemC core array with its reports (sim/simulation.h), shared
 * by `myelin sim` and the scripting API. */
#include "sim/simulation.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void myelin_simulation_init(myelin_simulation *s)
{
    memset(s, 0, sizeof *s);
    s->rate = -1;
    s->seed = 1;
}

void myelin_simulation_free(myelin_simulation *s)
{
    myelin_cost_report_free(s->srep);
    myelin_cost_report_free(s->crep);
    myelin_cost_report_free(s->drep);
    myelin_array_result_free(s->res);
    myelin_activity_free(&s->act);
    myelin_activity_free(&s->meas);
    myelin_activity_free(&s->dact);
    myelin_engine_free(s->e);
    memset(s, 0, sizeof *s);
}

int myelin_simulation_prepare(myelin_simulation *s, myelin_context *x)
{
    int rc = 0;
    if (s->statistical) {
        rc = myelin_activity_from_workload(x->wl, s->rate, &s->act, &x->err);
        if (rc)
            return rc;
        snprintf(s->mode, sizeof s->mode, "statistical (%s, seed %" PRIu64 ")", s->act.source, s->seed);
        myelin_provenance_add(&x->prov, "seed", "%" PRIu64, s->seed);
        return 0;
    }
    rc = myelin_engine_new(x->wl, x->w, x->lq, myelin_qsetting_input_bits(x->qs), &s->e, &x->err);
    if (s->limit <= 0)
        s->limit = 100;
    snprintf(s->mode, sizeof s->mode, "real weights %s on %s", x->weights_desc, x->dataset_spec);
    return rc;
}

int myelin_simulation_setup(myelin_simulation *s, myelin_context *x, const char *weights,
                            const myelin_qsetting *qs, const char *quant_path, const myelin_arch *arch,
                            const char *arch_name, const char *dataset)
{
    if (!s->statistical && !weights && !x->embedded && !x->wl->weights_path[0])
        s->statistical = 1; /* ImageNet-scale zoo workloads ship without weights */
    int rc = s->statistical ? 0 : myelin_context_load_weights(x, weights);
    if (!rc)
        rc = qs ? myelin_context_use_quant(x, qs, NULL) : myelin_context_load_quant(x, quant_path, 0);
    if (!rc)
        rc = arch ? myelin_context_use_arch(x, arch) : myelin_context_load_arch(x, arch_name);
    if (!rc && !s->statistical)
        rc = myelin_context_open_dataset(x, dataset);
    return rc ? rc : myelin_simulation_prepare(s, x);
}

void myelin_simulation_write_header(const myelin_simulation *s, const myelin_context *x, FILE *f)
{
    char wsrc[MYELIN_PATH_MAX], asrc[MYELIN_PATH_MAX];
    myelin_path_relative(x->wl->source, wsrc, sizeof wsrc);
    myelin_path_relative(x->arch->source, asrc, sizeof asrc);
    fprintf(f, "workload  %s (%s)\n", x->wl->name, wsrc);
    fprintf(f, "arch      %s (%s), %dx%d mesh, %d cores used\n", x->arch->name, asrc, x->arch->rows,
            x->arch->cols, x->map->cores_used);
    fprintf(f, "mode      %s\n", s->mode);
    fprintf(f, "quant     %s\n\n", x->quant_path ? x->quant_path : "float reference");
}

typedef struct image_ctx {
    const myelin_simulation *s;
    int64_t total;
    myelin_logits_csv *logits; /* or NULL */
} image_ctx;

static int on_image(void *user, int64_t index, int label, const double *logits, int classes,
                    const int64_t *spikes, int64_t latency_cycles)
{
    image_ctx *c = user;
    if (c->logits && logits)
        myelin_logits_csv_row(c->logits, index, label, logits, classes);
    if (c->s->progress)
        c->s->progress(c->s->progress_user, index + 1, c->total);
    return c->s->on_image ? c->s->on_image(c->s->user, index, label, logits, classes, spikes, latency_cycles) : 0;
}

/* The array over the images, the logits CSV and progress beside. */
static int run_array(myelin_simulation *s, myelin_context *x)
{
    image_ctx ctx = {s, 1, NULL};
    myelin_logits_csv lcsv = {NULL, NULL, 0};
    if (s->logits_path && myelin_logits_csv_open(&lcsv, x->wl->classes, &x->err))
        return x->err.code;
    if (s->logits_path)
        ctx.logits = &lcsv;
    if (x->ds) {
        myelin_dataset_info info;
        myelin_dataset_info_get(x->ds, &info);
        ctx.total = s->limit < info.count ? s->limit : info.count;
    } else if (s->limit > 0) {
        ctx.total = s->limit;
    }
    myelin_array_options opt = {x->wl, x->lq, x->arch, x->map, s->e, x->ds, s->limit,
                                s->statistical ? s->act.rate : NULL, s->seed, s->vcd, on_image, &ctx};
    int rc = myelin_array_run(&opt, &s->res, &x->err);
    if (ctx.logits) {
        int wrc = myelin_logits_csv_save(&lcsv, s->logits_path, !rc, &x->err);
        if (!rc)
            rc = wrc;
    }
    return rc;
}

int myelin_simulation_run(myelin_simulation *s, myelin_context *x)
{
    int rc = run_array(s, x);
    if (!rc)
        rc = myelin_array_report(s->res, x->wl, x->lq, x->arch, x->map, &s->srep, &x->err);
    if (!rc)
        rc = myelin_array_activity(s->res, x->wl, &s->meas, &x->err);
    if (!rc)
        rc = myelin_cost_evaluate(x->wl, x->lq, &s->meas, x->arch, x->map, x->reg, &s->crep, &x->err);
    if (!rc)
        rc = myelin_activity_from_workload(x->wl, s->rate, &s->dact, &x->err);
    if (!rc)
        rc = myelin_cost_evaluate(x->wl, x->lq, &s->dact, x->arch, x->map, x->reg, &s->drep, &x->err);
    if (rc)
        return rc;
    const myelin_array_result *r = s->res;
    double ts = s->srep->total.total_pj, tc = s->crep->total.total_pj, td = s->drep->total.total_pj;
    double dyn_s = ts - s->srep->total.energy_pj[MYELIN_ACT_LEAKAGE_CORE_CYCLES];
    double dyn_c = tc - s->crep->total.energy_pj[MYELIN_ACT_LEAKAGE_CORE_CYCLES];
    s->n_img = (double)r->images;
    s->lat_s = r->mean_latency_cycles / r->clock_hz;
    s->dpct = tc > 0 ? 100.0 * (ts - tc) / tc : 0.0;
    s->ddyn = dyn_c > 0 ? 100.0 * (dyn_s - dyn_c) / dyn_c : 0.0;
    s->pps = r->wall_s > 0 ? (double)r->packets / r->wall_s : 0.0;
    s->d_epct = td > 0 ? 100.0 * (ts - td) / td : 0.0;
    s->d_lat = s->drep->latency_s > 0 ? s->lat_s / s->drep->latency_s : 0.0;
    return 0;
}

/* ---- tables ------------------------------------------------------------------------------------- */

static int64_t layer_sum(const myelin_array_result *r, int l)
{
    int64_t s = 0;
    for (int t = 0; t < r->timesteps; t++)
        s += r->spikes[(int64_t)l * r->timesteps + t];
    return s;
}

static const myelin_report_col layer_cols[] = {
    {"layer", "", 0, 0},           {"kind", "", 0, 0},
    {"cores", "", 1, 0},           {"spikes_per_image", "", 1, 0},
    {"events_in_per_image", "", 1, 1}, {"packets_per_image", "", 1, 0},
    {"busy", "cycles", 1, 0},      {"mem_stall", "cycles", 1, 0},
    {"noc_wait", "cycles", 1, 0},  {"idle", "cycles", 1, 0},
    {"span", "cycles", 1, 0},      {"link_wait", "cycles", 1, 1},
    {"peak_queue_events", "", 1, 1}, {"synapse", "bits", 1, 1},
    {"membrane", "bits", 1, 1}};

myelin_report *myelin_simulation_layers_table(const myelin_simulation *o, const myelin_context *c)
{
    const myelin_array_result *res = o->res;
    myelin_report *t = myelin_report_new(layer_cols, (int)(sizeof layer_cols / sizeof layer_cols[0]));
    int64_t *ev = calloc((size_t)c->wl->n_layers + 1, sizeof *ev);
    if (!t || !ev) {
        free(ev);
        myelin_report_free(t);
        return NULL;
    }
    for (int k = 0; k < res->n_cores; k++)
        ev[res->cores[k].layer] += res->cores[k].events_in;
    for (int l = 0; l < c->wl->n_layers; l++) {
        const myelin_array_layer_stats *ls = &res->layers[l];
        const double per[] = {(double)layer_sum(res, l), (double)ev[l], (double)ls->packets,
                              (double)ls->busy_cycles, (double)ls->mem_stall_cycles,
                              (double)ls->noc_wait_cycles, (double)ls->idle_cycles,
                              (double)ls->span_cycles, (double)ls->link_wait_cycles};
        int r = myelin_report_row(t);
        myelin_report_set(t, r, 0, "%s", c->wl->layers[l].name);
        myelin_report_set(t, r, 1, "%s", myelin_layer_kind_name(c->wl->layers[l].kind));
        myelin_report_set(t, r, 2, "%d", c->map->layers[l].cores);
        for (int k = 0; k < 9; k++)
            myelin_report_set(t, r, 3 + k, "%.6g", per[k] / o->n_img);
        myelin_report_set(t, r, 12, "%" PRId64, ls->peak_queue_events);
        myelin_report_set(t, r, 13, "%lld", (long long)c->map->layers[l].synapse_bits);
        myelin_report_set(t, r, 14, "%lld", (long long)o->srep->layers[l].memory.membrane_bits);
    }
    free(ev);
    myelin_report_caption(t, "SystemC cycles per image by layer (summed over its cores; span = step start to "
                             "the layer's last LIF, summed over steps); %s on %s",
                          c->wl->name, c->arch->name);
    myelin_report_rows_key(t, "layers_sim");
    return t;
}

static const myelin_report_col core_cols[] = {
    {"core", "", 0, 0},         {"layer", "", 0, 0},          {"x", "", 0, 0},
    {"y", "", 0, 0},            {"channels", "", 0, 0},       {"tokens", "", 0, 0},
    {"busy", "cycles", 1, 0},   {"mem_stall", "cycles", 1, 0}, {"noc_wait", "cycles", 1, 0},
    {"idle", "cycles", 1, 0},   {"events_in_per_image", "", 1, 1}, {"spikes_out_per_image", "", 1, 0},
    {"peak_queue_events", "", 1, 1}, {"synapse_bits_used", "", 1, 1}, {"synapse_util", "pct", 1, 0},
    {"membrane_bits_used", "", 1, 1}, {"energy", "pJ", 1, 0}};

myelin_report *myelin_simulation_cores_table(const myelin_simulation *o, const myelin_context *c)
{
    myelin_report *t = myelin_report_new(core_cols, (int)(sizeof core_cols / sizeof core_cols[0]));
    if (!t)
        return NULL;
    double syn_bits = (double)c->arch->core.synapse_memory_bytes * 8;
    for (int k = 0; k < o->res->n_cores; k++) {
        const myelin_array_core_stats *cs = &o->res->cores[k];
        const double per[] = {(double)cs->busy_cycles, (double)cs->mem_stall_cycles,
                              (double)cs->noc_wait_cycles, (double)cs->idle_cycles,
                              (double)cs->events_in, (double)cs->spikes_out};
        int r = myelin_report_row(t);
        myelin_report_set(t, r, 0, "%d", cs->raster);
        myelin_report_set(t, r, 1, "%s", c->wl->layers[cs->layer].name);
        myelin_report_set(t, r, 2, "%d", cs->x);
        myelin_report_set(t, r, 3, "%d", cs->y);
        myelin_report_set(t, r, 4, "%d-%d", cs->co_lo, cs->co_hi - 1);
        myelin_report_set(t, r, 5, "%d-%d", cs->tok_lo, cs->tok_hi - 1);
        for (int j = 0; j < 6; j++)
            myelin_report_set(t, r, 6 + j, "%.6g", per[j] / o->n_img);
        myelin_report_set(t, r, 12, "%" PRId64, cs->peak_queue_events);
        myelin_report_set(t, r, 13, "%" PRId64, cs->synapse_bits_used);
        myelin_report_set(t, r, 14, "%.1f", 100.0 * (double)cs->synapse_bits_used / syn_bits);
        myelin_report_set(t, r, 15, "%" PRId64, cs->membrane_bits_used);
        myelin_report_set(t, r, 16, "%.6g", cs->energy_pj / o->n_img);
    }
    myelin_report_caption(t, "SystemC cycles per image by core");
    myelin_report_rows_key(t, "cores");
    return t;
}

/* ---- the JSON document ---------------------------------------------------------------------------- */

/* A table as JSON text (no trailing newline) with the context's provenance; NULL on failure. */
static char *json_of(myelin_context *x, myelin_report *t)
{
    char *buf = NULL;
    size_t len = 0;
    if (t)
        myelin_report_provenance(t, &x->prov);
    if (!t || myelin_report_write_buffer(t, MYELIN_REPORT_JSON, &buf, &len, &x->err))
        return NULL;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        buf[--len] = 0;
    return buf;
}

/* The figures of the run as members of lt. */
static void add_figures(const myelin_simulation *o, myelin_report *lt)
{
    const myelin_array_result *r = o->res;
    const struct {
        const char *key;
        double v;
    } nums[] = {{"latency_cycles", r->mean_latency_cycles}, {"latency_s", o->lat_s},
                {"max_latency_cycles", (double)r->max_latency_cycles},
                {"energy_J", o->srep->total.total_pj * 1e-12},
                {"cost_model_energy_J", o->crep->total.total_pj * 1e-12},
                {"energy_vs_cost_model_pct", o->dpct}, {"dynamic_energy_vs_cost_model_pct", o->ddyn},
                {"cost_model_cycles", o->crep->inference_cycles},
                {"packets_per_image", (double)r->packets / o->n_img}, {"packet_bits", r->packet_bits},
                {"flits_per_packet", r->flits_per_packet},
                {"peak_router_queue_flits", (double)r->peak_router_queue_flits}, {"wall_s", r->wall_s},
                {"packets_per_s", o->pps}, {"bursts_per_image", (double)r->bursts / o->n_img},
                {"default_cost_energy_J", o->drep->total.total_pj * 1e-12},
                {"default_cost_latency_s", o->drep->latency_s}, {"energy_vs_default_cost_pct", o->d_epct},
                {"latency_vs_default_cost_ratio", o->d_lat},
                {"credit_stall_cycles", (double)r->credit_stall_cycles / o->n_img}};
    myelin_report_meta_str(lt, "mode", o->statistical ? "statistical" : "real");
    myelin_report_meta_num(lt, "images", (double)r->images);
    if (!o->statistical) {
        myelin_report_meta_num(lt, "top1_correct", (double)r->top1_correct);
        myelin_report_meta_num(lt, "top1_percent", 100.0 * (double)r->top1_correct / o->n_img);
    }
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
        myelin_report_meta_num(lt, nums[k].key, nums[k].v);
}

myelin_report *myelin_simulation_json_table(const myelin_simulation *o, myelin_context *x, int per_core,
                                            const char *energy_columns)
{
    myelin_report *lt = myelin_simulation_layers_table(o, x);
    myelin_report *ct = per_core ? myelin_simulation_cores_table(o, x) : NULL;
    myelin_report *st = myelin_cost_report_table(o->srep, x->wl, MYELIN_REPORT_JSON);
    myelin_report *mt = myelin_cost_report_table(o->crep, x->wl, MYELIN_REPORT_JSON);
    int rc = st ? myelin_report_columns(st, energy_columns, &x->err) : 0;
    char *sj = rc ? NULL : json_of(x, st), *mj = rc ? NULL : json_of(x, mt);
    char *cj = ct && !rc ? json_of(x, ct) : NULL;
    if (!rc && !(lt && sj && mj && (!per_core || cj)))
        rc = myelin_error_set(&x->err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) {
        add_figures(o, lt);
        myelin_report_meta_raw(lt, "report", sj);
        myelin_report_meta_raw(lt, "cost_model_report", mj);
        if (cj)
            myelin_report_meta_raw(lt, "cores", cj);
    }
    free(sj);
    free(mj);
    free(cj);
    myelin_report_free(ct);
    myelin_report_free(st);
    myelin_report_free(mt);
    if (!rc)
        return lt;
    myelin_report_free(lt); /* x->err says why */
    return NULL;
}

/* ---- the summary lines ---------------------------------------------------------------------------- */


void myelin_simulation_write_summary(const myelin_simulation *o, const myelin_context *x, const char *pre, int speed,
                                     FILE *f)
{
    const myelin_array_result *r = o->res;
    if (!o->statistical)
        fprintf(f, "%saccuracy  top-1 %.2f %% (%" PRId64 " images)\n", pre,
                100.0 * (double)r->top1_correct / o->n_img, r->images);
    fprintf(f, "%slatency   %.0f cycles per inference (%.6g s at %.6g MHz; max %" PRId64 " cycles)\n", pre,
            r->mean_latency_cycles, o->lat_s, r->clock_hz / 1e6, r->max_latency_cycles);
    fprintf(f, "%senergy    %.6g J per inference; cost model, same mapping and activity: %.6g J (%+.2f %%; "
               "without leakage %+.2f %%; cost model cycles %.6g)\n",
            pre, o->srep->total.total_pj * 1e-12, o->crep->total.total_pj * 1e-12, o->dpct, o->ddyn,
            o->crep->inference_cycles);
    fprintf(f, "%sdefault   myelin cost with the statistical activity model (%s): %.6g J, %.6g s (sim %+.2f %% "
               "energy, %.3fx latency)\n",
            pre, o->dact.source, o->drep->total.total_pj * 1e-12, o->drep->latency_s, o->d_epct, o->d_lat);
    fprintf(f, "%snoc       %.6g packets per inference in %.6g bursts, %d-bit packets, %d flit%s each, peak "
               "router queue %" PRId64 " flits, multicast %s, buffers %s, credit stalls %.6g link-cycles\n",
            pre, (double)r->packets / o->n_img, (double)r->bursts / o->n_img, r->packet_bits,
            r->flits_per_packet, r->flits_per_packet == 1 ? "" : "s", r->peak_router_queue_flits,
            x->arch->noc_multicast == MYELIN_MULTICAST_TREE ? "tree" : "none",
            x->arch->noc_buffer_flits > 0 ? "bounded" : "unbounded", (double)r->credit_stall_cycles / o->n_img);
    if (speed)
        fprintf(f, "%sspeed     %.3f s wall, %.4g simulated packets/s, %.3g images/s, %.4g bursts/s, %.4g "
                   "SystemC process wake-ups/s (packets inside a burst are not simulated one by one)\n",
                pre, r->wall_s, o->pps, r->wall_s > 0 ? o->n_img / r->wall_s : 0.0,
                r->wall_s > 0 ? (double)r->bursts / r->wall_s : 0.0,
                r->wall_s > 0 ? (double)r->process_wakeups / r->wall_s : 0.0);
}
