/* cli/cmd_sim.c — `myelin sim`: runs a workload on the SystemC cycle-level model of a core array
 * and prints energy per layer in `myelin cost`'s formats, the cycle breakdown per layer (and per
 * core), queue depths, memory occupancy, end-to-end latency, and the analytical cost model's
 * energy for the same mapping and activity. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "sim/array.h"
#include "sim/engine.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: myelin sim [--workload W] [--weights F.safetensors|random[:SEED]] [--dataset SPEC]\n"
            "                  [--quant Q.yaml] [--arch A] [--limit N] [--statistical] [--rate R]\n"
            "                  [--seed S] [--format table|csv|json|markdown|latex] [--columns LIST]\n"
            "                  [--per-core] [--vcd FILE] [--logits FILE.csv] [--progress] [--quiet]\n\n"
            "Runs a workload on the cycle-level SystemC model of a core array: cores with synapse\n"
            "memory banks and accumulator lanes, a 2-D mesh with XY routing and link contention, a\n"
            "controller closing every timestep with a barrier.  Prints energy per layer (as 'myelin\n"
            "cost' does, from the actions the simulation counted), cycles per layer (busy, stalled on\n"
            "memory, waiting on the NoC, idle), peak queue depths, memory occupancy, end-to-end\n"
            "latency, and the analytical cost model's energy for the same mapping and activity.\n"
            "  --workload W     workload YAML or zoo name (default: the embedded tiny model)\n"
            "  --weights F|random[:S]  weights (default: the workload's); real-weight mode: the\n"
            "                   cores compute with the engine's integers, spikes equal 'myelin run'\n"
            "  --dataset SPEC   images for real-weight mode (default synthetic:split=test,count=1000,\n"
            "                   seed=1 at the workload's shape)\n"
            "  --quant Q.yaml   quantization setting (default: float)\n"
            "  --arch A         architecture YAML or preset (default generic-45nm)\n"
            "  --limit N        images to simulate (default 100 with weights, 1 statistical)\n"
            "  --statistical    no weights: every LIF layer fires at the workload's statistical rates\n"
            "                   (seeded Bernoulli draws); the default when the workload has no weights\n"
            "  --rate R         statistical mode with every layer at R spikes per neuron per step\n"
            "  --seed S         seed of the statistical draws (default 1)\n"
            "  --format F       table (uJ), csv and json (pJ, full precision), markdown, latex\n"
            "  --columns LIST   the columns of the energy table to write (e.g. layer,total_uJ)\n"
            "  --per-core       also print one row per core\n"
            "  --vcd FILE       write a VCD trace (per-core busy, queue depth, spikes per step; '.vcd'\n"
            "                   is appended when FILE lacks it)\n"
            "  --logits F.csv   real-weight mode: one row per image, index,label,logit_0..logit_{K-1}\n"
            "                   (the format of 'myelin run --logits', so the two files can be compared)\n"
            "  --progress       images done on stderr (default: when stderr is a terminal)\n"
            "  -q, --quiet      print only the summary lines\n"
            "One process runs one simulation (SystemC elaborates one netlist per process).\n");
}

/* ---- options ------------------------------------------------------------------------------------ */

enum { O_STAT = 1000, O_RATE, O_PERCORE, O_VCD, O_LOGITS };

typedef struct sim_args {
    int statistical, per_core;
    double rate;
    const char *vcd, *logits;
} sim_args;

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    sim_args *a = user;
    switch (id) {
    case O_STAT: a->statistical = 1; break;
    case O_PERCORE: a->per_core = 1; break;
    case O_VCD: a->vcd = arg; break;
    case O_LOGITS: a->logits = arg; break;
    default:
        if (myelin_cli_parse_rate(arg, &a->rate))
            return myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0,
                                    "--rate: expected a firing rate between 0 and 1 (got '%s')", arg);
        a->statistical = 1;
    }
    return 0;
}

/* ---- the simulation ------------------------------------------------------------------------------ */

typedef struct sim_ctx {
    int progress;
    int64_t total;
    FILE *logits; /* memstream, or NULL */
} sim_ctx;

static int on_image(void *user, int64_t index, int label, const double *logits, int classes,
                    const int64_t *spikes, int64_t latency_cycles)
{
    (void)spikes;
    (void)latency_cycles;
    sim_ctx *c = user;
    if (c->logits && logits) {
        fprintf(c->logits, "%" PRId64 ",%d", index, label);
        for (int k = 0; k < classes; k++)
            fprintf(c->logits, ",%.9g", logits[k]);
        fprintf(c->logits, "\n");
    }
    if (c->progress && (index % 10 == 9 || index + 1 == c->total))
        fprintf(stderr, "\rmyelin sim: %" PRId64 "/%" PRId64 " images", index + 1, c->total);
    return 0;
}

/* What one simulation gives: its result, its energy report, the cost model's for the measured
 * activity (crep) and for the statistical activity model (drep, what `myelin cost` says). */
typedef struct sim_out {
    myelin_engine *e;
    myelin_activity act, meas, dact;
    myelin_array_result *res;
    myelin_cost_report *srep, *crep, *drep;
    char mode[2048];
    /* figures per inference */
    double n_img, lat_s, dpct, ddyn, pps, d_epct, d_lat;
} sim_out;

/* Loads what the command needs: real weights unless asked for statistics or the workload has
 * none (the ImageNet-scale zoo), the setting, the array and its mapping, the images. */
static int setup(myelin_cli *c, sim_args *a, sim_out *o)
{
    int rc = myelin_cli_load_workload(c);
    if (!rc && a->statistical && (c->weights || c->dataset || a->logits))
        rc = myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0,
                              "--statistical / --rate draw spikes: give no --weights, --dataset or --logits");
    if (!rc && !a->statistical && !c->weights && !c->embedded && !c->wl->weights_path[0])
        a->statistical = 1;
    if (!rc && !a->statistical)
        rc = myelin_cli_load_weights(c);
    if (!rc)
        rc = myelin_cli_load_quant(c, 0);
    if (!rc)
        rc = myelin_cli_load_arch(c);
    if (!rc && !a->statistical)
        rc = myelin_engine_new(c->wl, c->w, c->lq, myelin_qsetting_input_bits(c->qs), &o->e, &c->err);
    if (!rc && !a->statistical) {
        rc = myelin_cli_open_dataset(c);
        if (!rc && c->limit <= 0)
            c->limit = 100;
    }
    if (!rc && a->statistical)
        rc = myelin_activity_from_workload(c->wl, a->rate, &o->act, &c->err);
    if (!rc && a->logits && a->statistical)
        rc = myelin_error_set(&c->err, MYELIN_EUSAGE, NULL, 0, 0,
                              "--logits needs weights (workload %s runs in statistical mode)", c->wl->name);
    if (!rc && a->statistical) {
        snprintf(o->mode, sizeof o->mode, "statistical (%s, seed %" PRIu64 ")", o->act.source, c->seed);
        myelin_provenance_add(&c->prov, "seed", "%" PRIu64, c->seed);
    } else if (!rc) {
        snprintf(o->mode, sizeof o->mode, "real weights %s on %s", c->weights_desc, c->dataset_spec);
    }
    return rc;
}

/* Runs the array (logits into a_logits when asked), then prices what it counted. */
static int simulate(myelin_cli *c, const sim_args *a, sim_out *o)
{
    sim_ctx ctx = {myelin_cli_progress(c), 1, NULL};
    char *lbuf = NULL;
    size_t llen = 0;
    int rc = 0;
    if (a->logits) {
        ctx.logits = open_memstream(&lbuf, &llen);
        if (!ctx.logits)
            return myelin_error_set(&c->err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
        fprintf(ctx.logits, "index,label");
        for (int k = 0; k < c->wl->classes; k++)
            fprintf(ctx.logits, ",logit_%d", k);
        fprintf(ctx.logits, "\n");
    }
    if (c->ds) {
        myelin_dataset_info info;
        myelin_dataset_info_get(c->ds, &info);
        ctx.total = c->limit < info.count ? c->limit : info.count;
    } else if (c->limit > 0) {
        ctx.total = c->limit;
    }
    myelin_array_options opt = {c->wl, c->lq, c->arch_obj, c->map, o->e, c->ds, c->limit,
                                a->statistical ? o->act.rate : NULL, c->seed, a->vcd, on_image, &ctx};
    rc = myelin_array_run(&opt, &o->res, &c->err);
    if (ctx.progress)
        fprintf(stderr, "\n");
    if (ctx.logits) {
        fclose(ctx.logits);
        if (!rc)
            rc = myelin_write_file_atomic(a->logits, lbuf, llen, &c->err);
    }
    free(lbuf);
    if (!rc)
        rc = myelin_array_report(o->res, c->wl, c->lq, c->arch_obj, c->map, &o->srep, &c->err);
    if (!rc)
        rc = myelin_array_activity(o->res, c->wl, &o->meas, &c->err);
    if (!rc)
        rc = myelin_cost_evaluate(c->wl, c->lq, &o->meas, c->arch_obj, c->map, c->reg, &o->crep, &c->err);
    if (!rc)
        rc = myelin_activity_from_workload(c->wl, a->rate, &o->dact, &c->err);
    if (!rc)
        rc = myelin_cost_evaluate(c->wl, c->lq, &o->dact, c->arch_obj, c->map, c->reg, &o->drep, &c->err);
    if (rc)
        return rc;
    const myelin_array_result *r = o->res;
    double ts = o->srep->total.total_pj, tc = o->crep->total.total_pj, td = o->drep->total.total_pj;
    double dyn_s = ts - o->srep->total.energy_pj[MYELIN_ACT_LEAKAGE_CORE_CYCLES];
    double dyn_c = tc - o->crep->total.energy_pj[MYELIN_ACT_LEAKAGE_CORE_CYCLES];
    o->n_img = (double)r->images;
    o->lat_s = r->mean_latency_cycles / r->clock_hz;
    o->dpct = tc > 0 ? 100.0 * (ts - tc) / tc : 0.0;
    o->ddyn = dyn_c > 0 ? 100.0 * (dyn_s - dyn_c) / dyn_c : 0.0;
    o->pps = r->wall_s > 0 ? (double)r->packets / r->wall_s : 0.0;
    o->d_epct = td > 0 ? 100.0 * (ts - td) / td : 0.0;
    o->d_lat = o->drep->latency_s > 0 ? o->lat_s / o->drep->latency_s : 0.0;
    return 0;
}

/* ---- tables --------------------------------------------------------------------------------------- */

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

static myelin_report *layers_table(const myelin_cli *c, const sim_out *o)
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
                          c->wl->name, c->arch_obj->name);
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

static myelin_report *cores_table(const myelin_cli *c, const sim_out *o)
{
    myelin_report *t = myelin_report_new(core_cols, (int)(sizeof core_cols / sizeof core_cols[0]));
    if (!t)
        return NULL;
    double syn_bits = (double)c->arch_obj->core.synapse_memory_bytes * 8;
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

/* ---- output ---------------------------------------------------------------------------------------- */

/* A table as JSON text (no trailing newline) with the context's provenance; NULL on failure. */
static char *json_of(myelin_cli *c, myelin_report *t)
{
    char *buf = NULL;
    size_t len = 0;
    if (t)
        myelin_report_provenance(t, &c->prov);
    if (!t || myelin_report_write_buffer(t, MYELIN_REPORT_JSON, &buf, &len, &c->err))
        return NULL;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        buf[--len] = 0;
    return buf;
}

static int write_json(myelin_cli *c, const sim_args *a, const sim_out *o)
{
    const myelin_array_result *r = o->res;
    myelin_report *lt = layers_table(c, o), *ct = a->per_core ? cores_table(c, o) : NULL;
    myelin_report *st = myelin_cost_report_table(o->srep, c->wl, MYELIN_REPORT_JSON);
    myelin_report *mt = myelin_cost_report_table(o->crep, c->wl, MYELIN_REPORT_JSON);
    int rc = st ? myelin_report_columns(st, c->columns, &c->err) : 0; /* --columns: the energy table's */
    char *sj = rc ? NULL : json_of(c, st), *mj = rc ? NULL : json_of(c, mt), *cj = ct && !rc ? json_of(c, ct) : NULL;
    if (!rc && !(lt && sj && mj && (!a->per_core || cj)))
        rc = myelin_error_set(&c->err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    if (!rc) {
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
        myelin_report_meta_str(lt, "mode", a->statistical ? "statistical" : "real");
        myelin_report_meta_num(lt, "images", (double)r->images);
        if (!a->statistical) {
            myelin_report_meta_num(lt, "top1_correct", (double)r->top1_correct);
            myelin_report_meta_num(lt, "top1_percent", 100.0 * (double)r->top1_correct / o->n_img);
        }
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
            myelin_report_meta_num(lt, nums[k].key, nums[k].v);
        myelin_report_meta_raw(lt, "report", sj);
        myelin_report_meta_raw(lt, "cost_model_report", mj);
        if (cj)
            myelin_report_meta_raw(lt, "cores", cj);
        const char *cols = c->columns;
        c->columns = NULL;
        rc = myelin_cli_emit(c, lt, NULL, NULL);
        c->columns = cols;
    }
    free(sj);
    free(mj);
    free(cj);
    myelin_report_free(lt);
    myelin_report_free(ct);
    myelin_report_free(st);
    myelin_report_free(mt);
    return rc;
}

/* The summary lines (as comments in CSV and LaTeX); speed only without --quiet. */
static void summary_lines(const myelin_cli *c, const sim_args *a, const sim_out *o, FILE *f)
{
    const myelin_array_result *r = o->res;
    const char *pre = c->format == MYELIN_REPORT_CSV ? "# " : c->format == MYELIN_REPORT_LATEX ? "% " : "";
    if (!a->statistical)
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
            c->arch_obj->noc_multicast == MYELIN_MULTICAST_TREE ? "tree" : "none",
            c->arch_obj->noc_buffer_flits > 0 ? "bounded" : "unbounded", (double)r->credit_stall_cycles / o->n_img);
    if (!c->quiet)
        fprintf(f, "%sspeed     %.3f s wall, %.4g simulated packets/s, %.3g images/s, %.4g bursts/s, %.4g "
                   "SystemC process wake-ups/s (packets inside a burst are not simulated one by one)\n",
                pre, r->wall_s, o->pps, r->wall_s > 0 ? o->n_img / r->wall_s : 0.0,
                r->wall_s > 0 ? (double)r->bursts / r->wall_s : 0.0,
                r->wall_s > 0 ? (double)r->process_wakeups / r->wall_s : 0.0);
}

static int write_text(myelin_cli *c, const sim_args *a, const sim_out *o)
{
    FILE *f = stdout;
    int rc = 0;
    if (!c->quiet) {
        const char *const *extra = NULL; /* the captions say where the activity came from */
        char wsrc[MYELIN_PATH_MAX], asrc[MYELIN_PATH_MAX];
        myelin_path_relative(c->wl->source, wsrc, sizeof wsrc);
        myelin_path_relative(c->arch_obj->source, asrc, sizeof asrc);
        if (c->format == MYELIN_REPORT_TABLE) {
            fprintf(f, "workload  %s (%s)\n", c->wl->name, wsrc);
            fprintf(f, "arch      %s (%s), %dx%d mesh, %d cores used\n", c->arch_obj->name,
                    asrc, c->arch_obj->rows, c->arch_obj->cols, c->map->cores_used);
            fprintf(f, "mode      %s\n", o->mode);
            fprintf(f, "quant     %s\n\n", c->quant ? c->quant : "float reference");
        }
        myelin_report *st = myelin_cost_report_table(o->srep, c->wl, c->format);
        rc = myelin_cli_emit(c, st, extra, f);
        myelin_report_free(st);
        const char *cols = c->columns; /* --columns chooses the energy table's columns */
        c->columns = NULL;
        myelin_report *lt = rc ? NULL : layers_table(c, o);
        fputc('\n', f);
        if (!rc)
            rc = myelin_cli_emit(c, lt, extra, f);
        myelin_report_free(lt);
        if (!rc && a->per_core) {
            myelin_report *ct = cores_table(c, o);
            fputc('\n', f);
            rc = myelin_cli_emit(c, ct, extra, f);
            myelin_report_free(ct);
        }
        c->columns = cols;
        fputc('\n', f);
    }
    if (!rc)
        summary_lines(c, a, o, f);
    return rc;
}

int myelin_cmd_sim(int argc, char **argv)
{
    static const myelin_cli_opt own[] = {{"statistical", 0, O_STAT}, {"rate", 1, O_RATE},
                                         {"per-core", 0, O_PERCORE}, {"vcd", 1, O_VCD},
                                         {"logits", 1, O_LOGITS}, {NULL, 0, 0}};
    myelin_cli c;
    myelin_cli_init(&c, "sim", usage,
                    MYELIN_OPT_WORKLOAD | MYELIN_OPT_WEIGHTS | MYELIN_OPT_DATASET | MYELIN_OPT_QUANT |
                        MYELIN_OPT_ARCH | MYELIN_OPT_FORMAT | MYELIN_OPT_LIMIT | MYELIN_OPT_SEED |
                        MYELIN_OPT_PROGRESS);
    sim_args a = {0, 0, -1, NULL, NULL};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (c.npos) {
        myelin_error_set(&c.err, MYELIN_EUSAGE, NULL, 0, 0, "unexpected argument '%s'", c.pos[0]);
        return myelin_cli_failed(&c);
    }
    sim_out o;
    memset(&o, 0, sizeof o);
    int rc = setup(&c, &a, &o);
    if (!rc)
        rc = simulate(&c, &a, &o);
    if (!rc)
        rc = c.format == MYELIN_REPORT_JSON ? write_json(&c, &a, &o) : write_text(&c, &a, &o);
    if (!rc && ferror(stdout))
        rc = myelin_error_set(&c.err, MYELIN_EIO, NULL, 0, 0, "write error on standard output");
    status = rc ? myelin_cli_failed(&c) : 0;
    myelin_cost_report_free(o.srep);
    myelin_cost_report_free(o.crep);
    myelin_cost_report_free(o.drep);
    myelin_array_result_free(o.res);
    myelin_activity_free(&o.act);
    myelin_activity_free(&o.meas);
    myelin_activity_free(&o.dact);
    myelin_engine_free(o.e);
    myelin_cli_free(&c);
    return status;
}
