// sim/netlist.cpp — the one place the array is built: a mesh, one core module per core the mapper
// used, a controller, an optional VCD trace; runs the simulation and gathers the statistics
// (the C API of sim/array.h).
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "sim/array.h"
#include "sim/controller.h"
#include "sim/core.h"
#include "sim/mesh.h"
#include "sim/model.h"

using namespace sc_core;

namespace {

// SystemC elaborates one netlist per process; this records that it has been used (a fact about
// the process, not a configuration value).
bool systemc_used = false;

double wall_now()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

std::string sc_safe(const char *s)
{
    std::string o(s);
    for (char &ch : o)
        if (!(isalnum((unsigned char)ch) || ch == '_'))
            ch = '_';
    return o;
}

int check_options(const myelin_array_options *o, myelin_error *err)
{
    if (!o || !o->wl || !o->lq || !o->arch || !o->map)
        return myelin_error_set(err, MYELIN_EUSAGE, nullptr, 0, 0,
                                "sim: need a workload, its setting, an architecture and a mapping");
    if (o->map->n_layers != o->wl->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, nullptr, 0, 0,
                                "sim: the mapping does not belong to workload %s", o->wl->name);
    if (o->engine && !o->dataset)
        return myelin_error_set(err, MYELIN_EUSAGE, nullptr, 0, 0,
                                "sim: real-weight mode needs a dataset");
    if (!o->engine && !o->rates)
        return myelin_error_set(err, MYELIN_EUSAGE, nullptr, 0, 0,
                                "sim: statistical mode needs firing rates");
    if (o->engine && myelin_engine_workload(o->engine) != o->wl)
        return myelin_error_set(err, MYELIN_EUSAGE, nullptr, 0, 0,
                                "sim: the engine was built for another workload");
    if (o->dataset && o->engine) {
        myelin_dataset_info info;
        myelin_dataset_info_get(o->dataset, &info);
        const myelin_workload *wl = o->wl;
        if (info.c != wl->input.c || info.h != wl->input.h || info.w != wl->input.w)
            return myelin_error_set(err, MYELIN_ESHAPE, nullptr, 0, 0,
                                    "dataset %s has %dx%dx%d images (CxHxW); workload %s expects "
                                    "%dx%dx%d",
                                    info.description, info.c, info.h, info.w, wl->name, wl->input.c,
                                    wl->input.h, wl->input.w);
        if (info.classes > wl->classes)
            return myelin_error_set(err, MYELIN_ESHAPE, nullptr, 0, 0,
                                    "dataset %s has %d classes; workload %s has only %d",
                                    info.description, info.classes, wl->name, wl->classes);
    }
    if (!(o->arch->clock_hz > 0) || o->arch->noc.link_width_bits <= 0 ||
        o->arch->core.accumulator_lanes <= 0 || o->arch->core.synapse_word_bits <= 0 ||
        o->arch->core.synapse_banks <= 0)
        return myelin_error_set(err, MYELIN_EUSAGE, o->arch->source, 0, 0,
                                "sim: architecture %s has a non-positive clock, link width, lane, "
                                "word or bank count",
                                o->arch->name);
    return 0;
}

} // namespace

// Debian's libsystemc carries a main() that calls sc_main; the linker wants the symbol even though
// the myelin program has its own main and elaborates from myelin_array_run.  Never called.
int sc_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 70;
}

extern "C" void myelin_array_result_free(myelin_array_result *r)
{
    if (!r)
        return;
    free(r->spikes);
    free(r->counts);
    free(r->rate_in);
    free(r->layers);
    free(r->cores);
    free(r);
}

static myelin_array_result *result_new(const myelin_workload *wl)
{
    myelin_array_result *r = (myelin_array_result *)calloc(1, sizeof *r);
    if (!r)
        return nullptr;
    size_t n = (size_t)(wl->n_layers ? wl->n_layers : 1);
    r->spikes = (int64_t *)calloc(n * (size_t)wl->timesteps, sizeof *r->spikes);
    r->counts = (myelin_cost_counts *)calloc(n, sizeof *r->counts);
    r->rate_in = (double *)calloc(n, sizeof *r->rate_in);
    r->layers = (myelin_array_layer_stats *)calloc(n, sizeof *r->layers);
    if (!r->spikes || !r->counts || !r->rate_in || !r->layers) {
        myelin_array_result_free(r);
        return nullptr;
    }
    r->n_layers = wl->n_layers;
    r->timesteps = wl->timesteps;
    r->classes = wl->classes;
    r->has_top5 = wl->classes > 5;
    return r;
}

extern "C" int myelin_array_run(const myelin_array_options *o, myelin_array_result **out,
                                myelin_error *err)
{
    *out = nullptr;
    myelin_error_clear(err);
    int rc = check_options(o, err);
    if (rc)
        return rc;
    if (systemc_used)
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, nullptr, 0, 0,
                                "sim: SystemC runs one simulation per process (run a new process)");
    // SystemC names the trace <base>.vcd: check that this very file can be written
    std::string vcd_base;
    if (o->vcd_path) {
        vcd_base = o->vcd_path;
        if (vcd_base.size() > 4 && vcd_base.compare(vcd_base.size() - 4, 4, ".vcd") == 0)
            vcd_base.resize(vcd_base.size() - 4);
        std::string file = vcd_base + ".vcd";
        FILE *f = fopen(file.c_str(), "w");
        if (!f)
            return myelin_error_set(err, MYELIN_EIO, file.c_str(), 0, 0,
                                    "cannot write the VCD trace: %s", strerror(errno));
        fclose(f);
    }
    systemc_used = true;
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
    sc_report_handler::set_actions(SC_WARNING, SC_DO_NOTHING);
    sc_report_handler::set_actions(SC_ERROR, SC_THROW);
    sc_report_handler::set_actions(SC_FATAL, SC_THROW);

    myelin_array_result *res = result_new(o->wl);
    if (!res)
        return myelin_error_set(err, MYELIN_ENOMEM, nullptr, 0, 0, "sim: out of memory");
    res->statistical = o->engine == nullptr;
    res->clock_hz = o->arch->clock_hz;
    int64_t period_ps = (int64_t)llround(1e12 / o->arch->clock_hz);
    if (period_ps < 1)
        period_ps = 1;
    double t0 = wall_now();
    // the spec (read-only from here on), the network, the ledger, the run state
    myelin_sim::spec sp(*o, period_ps);
    rc = sp.init(err);
    if (rc) {
        myelin_array_result_free(res);
        return rc;
    }
    res->packet_bits = sp.packet_bits;
    res->flits_per_packet = sp.flits;
    myelin_sim::mesh *noc = nullptr;
    std::unique_ptr<myelin_sim::ledger> led;
    try {
        noc = new myelin_sim::mesh("mesh", o->arch->rows, o->arch->cols,
                                   o->arch->noc.hop_latency_cycles, o->arch->noc_buffer_flits);
        led.reset(new myelin_sim::ledger(sp, res->counts));
    } catch (const sc_report &rep) {
        rc = myelin_error_set(err, MYELIN_EINTERNAL, nullptr, 0, 0, "SystemC: %s", rep.what());
    } catch (const std::bad_alloc &) {
        rc = myelin_error_set(err, MYELIN_ENOMEM, nullptr, 0, 0, "sim: out of memory");
    }
    std::unique_ptr<myelin_sim::model> m;
    if (!rc) {
        m.reset(new myelin_sim::model(sp, *led, *noc, res));
        rc = m->init(err);
    }
    if (rc) {
        delete noc;
        myelin_array_result_free(res);
        return rc;
    }
    sc_trace_file *tf = nullptr;
    std::vector<myelin_sim::core *> cores;
    myelin_sim::controller *ctl = nullptr;
    try {
        if (o->vcd_path)
            tf = sc_create_vcd_trace_file(vcd_base.c_str());
        ctl = new myelin_sim::controller("controller", sp, *m, tf);
        cores.reserve(sp.places.size());
        for (size_t c = 0; c < sp.places.size(); c++) {
            const myelin_sim::core_place &p = sp.places[c];
            std::string nm = "core_" + std::to_string(p.raster) + "_" +
                             sc_safe(o->wl->layers[p.layer].name);
            cores.push_back(new myelin_sim::core(nm.c_str(), sp, *m, (int)c, ctl->step_start, tf));
        }
        m->cores = cores;
        sc_start();
    } catch (const sc_report &rep) {
        rc = myelin_error_set(err, MYELIN_EINTERNAL, nullptr, 0, 0, "SystemC: %s", rep.what());
    } catch (const std::bad_alloc &) {
        rc = myelin_error_set(err, MYELIN_ENOMEM, nullptr, 0, 0, "sim: out of memory");
    } catch (const std::exception &e) {
        rc = myelin_error_set(err, MYELIN_EINTERNAL, nullptr, 0, 0, "sim: %s", e.what());
    }
    if (tf)
        sc_close_vcd_trace_file(tf);
    if (!rc && ctl && ctl->status) {
        rc = ctl->status;
        *err = ctl->err;
    }
    if (!rc && res->images == 0)
        rc = myelin_error_set(err, MYELIN_EUSAGE, nullptr, 0, 0, "sim: no image was simulated");
    if (!rc) {
        res->n_cores = (int)cores.size();
        res->cores = (myelin_array_core_stats *)calloc(cores.size() ? cores.size() : 1,
                                                       sizeof *res->cores);
        if (!res->cores)
            rc = myelin_error_set(err, MYELIN_ENOMEM, nullptr, 0, 0, "sim: out of memory");
    }
    if (!rc) {
        for (size_t c = 0; c < cores.size(); c++) {
            myelin_array_core_stats &cs = res->cores[c];
            cs = cores[c]->stats;
            const myelin_layer_map &lm = o->map->layers[cs.layer];
            // a core's share of its layer's storage, from the mapping (channels it holds)
            const myelin_layer &L = o->wl->layers[cs.layer];
            int C = L.kind == MYELIN_LAYER_HEAD ? L.c_out : L.out_shape.c;
            double share = C > 0 ? (double)(cs.co_hi - cs.co_lo) / C : 0;
            cs.synapse_bits_used =
                (int64_t)llround((double)lm.synapse_bits / (lm.token_slices > 0 ? lm.token_slices : 1) *
                                 share);
            cs.membrane_bits_used = (L.has_lif && L.kind != MYELIN_LAYER_HEAD)
                                        ? (int64_t)(cs.tok_hi - cs.tok_lo) * (cs.co_hi - cs.co_lo) *
                                              myelin_storage_bits(o->lq[cs.layer].membrane_bits)
                                        : 0;
            cs.counts = led->core_counts((int)c);
            cs.counts.count[MYELIN_ACT_LEAKAGE_CORE_CYCLES] = (double)res->total_cycles;
            cs.counts.cycles = (double)res->total_cycles;
            cs.energy_pj = myelin_cost_price(o->arch, &cs.counts, nullptr);
            myelin_array_layer_stats &ls = res->layers[cs.layer];
            ls.busy_cycles += cs.busy_cycles;
            ls.mem_stall_cycles += cs.mem_stall_cycles;
            ls.noc_wait_cycles += cs.noc_wait_cycles;
            ls.idle_cycles += cs.idle_cycles;
            if (cs.peak_queue_events > ls.peak_queue_events)
                ls.peak_queue_events = cs.peak_queue_events;
        }
        for (const myelin_sim::router &r : noc->routers())
            if (r.peak_queue_flits > res->peak_router_queue_flits)
                res->peak_router_queue_flits = r.peak_queue_flits;
        res->mean_latency_cycles = (double)res->total_cycles / (double)res->images;
        res->credit_stall_cycles = noc->credit_stall_cycles();
    }
    // SystemC keeps the modules registered in its simulation context until the process ends;
    // deleting them after sc_stop is allowed.
    for (myelin_sim::core *c : cores)
        delete c;
    delete ctl;
    delete noc;
    res->wall_s = wall_now() - t0;
    if (rc) {
        myelin_array_result_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

extern "C" int myelin_array_activity(const myelin_array_result *r, const myelin_workload *wl,
                                     myelin_activity *out, myelin_error *err)
{
    int rc = myelin_activity_from_spikes(wl, r->spikes, r->images,
                                         r->statistical ? "firing rates drawn in the SystemC run"
                                                        : "firing rates measured in the SystemC run",
                                         out, err);
    if (rc)
        return rc;
    int T = wl->timesteps;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer &L = wl->layers[i];
        if (L.kind != MYELIN_LAYER_MAXPOOL && L.kind != MYELIN_LAYER_ADD)
            continue;
        int64_t s = 0;
        for (int t = 0; t < T; t++)
            s += r->spikes[(int64_t)i * T + t];
        double e = (double)L.out_shape.c * L.out_shape.h * L.out_shape.w;
        out->rate[i] = (double)s / (double)r->images / T / e;
    }
    return 0;
}

extern "C" int myelin_array_report(const myelin_array_result *r, const myelin_workload *wl,
                                   const myelin_layer_quant *lq, const myelin_arch *arch,
                                   const myelin_mapping *map, myelin_cost_report **out,
                                   myelin_error *err)
{
    std::vector<myelin_cost_counts> per(wl->n_layers > 0 ? (size_t)wl->n_layers : 1);
    std::vector<double> rate_in(per.size(), 0.0);
    myelin_activity act{};
    int rc = myelin_array_activity(r, wl, &act, err);
    if (rc)
        return rc;
    double n = (double)r->images;
    for (int i = 0; i < wl->n_layers; i++) {
        per[(size_t)i] = r->counts[i];
        for (int a = 0; a < MYELIN_ACT_COUNT; a++)
            per[(size_t)i].count[a] /= n;
        per[(size_t)i].synaptic_ops /= n;
        per[(size_t)i].cycles = (double)r->layers[i].span_cycles / n;
        int src = wl->layers[i].inputs[0];
        rate_in[(size_t)i] = src >= 0 ? act.rate[src] : 0;
    }
    char caption[400];
    snprintf(caption, sizeof caption, "%s, %lld image%s", act.source, (long long)r->images,
             r->images == 1 ? "" : "s");
    myelin_activity_free(&act);
    return myelin_cost_report_from_counts(wl, lq, arch, map, per.data(), rate_in.data(),
                                          r->mean_latency_cycles, "systemc", caption, out, err);
}
