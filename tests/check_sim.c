/* tests/check_sim.c — the SystemC core-array suite: spikes and logits equal the functional
 * engine's image by image (float and 8-bit, whole layers per core and sliced layers), action
 * counts and energy against the analytical cost model, statistical draws (rates, seeds), the
 * directions time moves when the architecture changes, the VCD trace, and the API's errors.
 * SystemC elaborates one netlist per process: every test runs in Check's forked child, and the
 * direction tests fork once more per simulation, so this suite needs CK_FORK=yes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/arch.h"
#include "arch/mapper.h"
#include "models/cost.h"
#include "sim/array.h"
#include "sim/engine.h"
#include "workloads/dataset.h"
#include "workloads/qsetting.h"
#include "workloads/weights.h"
#include "workloads/workload.h"

Suite *make_sim_suite(void);

#define N_IMAGES 16
#define DS_SPEC "synthetic:split=test,count=16,seed=1,h=16,w=16,c=3,classes=10"

typedef struct setup {
    myelin_workload *wl;
    myelin_weights *w;
    myelin_qsetting *qs;
    myelin_layer_quant *lq;
    myelin_arch *arch;
    myelin_mapping *map;
    myelin_engine *e;
    myelin_dataset *ds;
} setup;

static void arch_path(const char *name, char *out, size_t n)
{
    if (strchr(name, '/'))
        snprintf(out, n, "%s/%s", MYELIN_TEST_SRCDIR, name);
    else
        snprintf(out, n, "%s/arch/presets/%s.yaml", MYELIN_TEST_SRCDIR, name);
}

/* The tiny model with its trained weights at a zoo setting ("float" or "w8") on an arch. */
static void setup_tiny(setup *s, const char *quant, const char *arch, int with_weights)
{
    char p[1024];
    myelin_error err;
    memset(s, 0, sizeof *s);
    snprintf(p, sizeof p, "%s/workloads/zoo/tiny.yaml", MYELIN_TEST_SRCDIR);
    ck_assert_msg(myelin_workload_load(p, &s->wl, &err) == 0, "%s", err.message);
    snprintf(p, sizeof p, "%s/workloads/zoo/quant/%s.yaml", MYELIN_TEST_SRCDIR, quant);
    ck_assert_msg(myelin_qsetting_load(p, &s->qs, &err) == 0, "%s", err.message);
    s->lq = calloc((size_t)s->wl->n_layers, sizeof *s->lq);
    ck_assert_int_eq(myelin_qsetting_resolve(s->qs, s->wl, s->lq, &err), 0);
    arch_path(arch, p, sizeof p);
    ck_assert_msg(myelin_arch_load(p, &s->arch, &err) == 0, "%s", err.message);
    ck_assert_msg(myelin_map(s->wl, s->lq, s->arch, &s->map, &err) == 0, "%s", err.message);
    if (with_weights) {
        ck_assert_msg(myelin_weights_load(s->wl, s->wl->weights_path, &s->w, &err) == 0, "%s",
                      err.message);
        ck_assert_msg(myelin_engine_new(s->wl, s->w, s->lq, myelin_qsetting_input_bits(s->qs), &s->e,
                                        &err) == 0, "%s", err.message);
        ck_assert_int_eq(myelin_dataset_open(DS_SPEC, &s->ds, &err), 0);
    }
}

static void setup_free(setup *s)
{
    myelin_dataset_close(s->ds);
    myelin_engine_free(s->e);
    myelin_mapping_free(s->map);
    myelin_arch_free(s->arch);
    free(s->lq);
    myelin_qsetting_free(s->qs);
    myelin_weights_free(s->w);
    myelin_workload_free(s->wl);
}

/* ---- 1. same spikes and logits as the engine ------------------------------------------------- */

typedef struct cmp_ctx {
    const myelin_engine *e;
    myelin_engine_state *st;
    myelin_dataset *ds; /* a second reader of the same images */
    uint8_t *pix;
    double *logits;
    int images, pred_diff, spike_diff, logit_diff;
    char first[256];
} cmp_ctx;

static int compare_image(void *user, int64_t index, int label, const double *logits, int classes,
                         const int64_t *spikes, int64_t latency_cycles)
{
    cmp_ctx *c = user;
    myelin_error err;
    int lab = -2;
    ck_assert_int_eq(myelin_dataset_next(c->ds, c->pix, &lab, &err), 1);
    ck_assert_int_eq(lab, label);
    ck_assert(latency_cycles > 0);
    ck_assert_int_eq(myelin_engine_run_image(c->e, c->st, c->pix, c->logits, &err), 0);
    const myelin_workload *wl = myelin_engine_workload(c->e);
    int T = wl->timesteps;
    if (myelin_argmax(c->logits, classes) != myelin_argmax(logits, classes))
        c->pred_diff++;
    for (int k = 0; k < classes; k++)
        if (c->logits[k] != logits[k]) {
            c->logit_diff++;
            break;
        }
    for (int l = 0; l < wl->n_layers; l++) {
        const int64_t *es = myelin_engine_state_spikes(c->st, l);
        for (int t = 0; t < T; t++)
            if (es[t] != spikes[(int64_t)l * T + t]) {
                if (!c->spike_diff)
                    snprintf(c->first, sizeof c->first,
                             "image %lld layer %s step %d: engine %lld spikes, sim %lld",
                             (long long)index, wl->layers[l].name, t, (long long)es[t],
                             (long long)spikes[(int64_t)l * T + t]);
                c->spike_diff++;
            }
    }
    c->images++;
    return 0;
}

static const struct {
    const char *quant, *arch;
} same_cases[] = {
    {"w8", "generic-45nm"},
    {"float", "generic-45nm"},
    {"w8", "tests/data/sim/tiny-sliced.yaml"},    /* token slices, partial attention heads */
    {"float", "tests/data/sim/tiny-sliced.yaml"},
    {"w8", "loihi-like"},
};

START_TEST(test_same_as_engine)
{
    setup s;
    setup_tiny(&s, same_cases[_i].quant, same_cases[_i].arch, 1);
    myelin_error err;
    cmp_ctx c;
    memset(&c, 0, sizeof c);
    c.e = s.e;
    ck_assert_int_eq(myelin_engine_state_new(s.e, &c.st, &err), 0);
    ck_assert_int_eq(myelin_dataset_open(DS_SPEC, &c.ds, &err), 0);
    c.pix = malloc(16 * 16 * 3);
    c.logits = calloc((size_t)s.wl->classes, sizeof *c.logits);
    myelin_array_options o;
    memset(&o, 0, sizeof o);
    o.wl = s.wl;
    o.lq = s.lq;
    o.arch = s.arch;
    o.map = s.map;
    o.engine = s.e;
    o.dataset = s.ds;
    o.on_image = compare_image;
    o.user = &c;
    myelin_array_result *r = NULL;
    ck_assert_msg(myelin_array_run(&o, &r, &err) == 0, "%s", err.message);
    ck_assert_int_eq(r->images, N_IMAGES);
    ck_assert_int_eq(c.images, N_IMAGES);
    ck_assert_msg(c.spike_diff == 0, "%s on %s: %d spike counts differ; first: %s",
                  same_cases[_i].quant, same_cases[_i].arch, c.spike_diff, c.first);
    ck_assert_msg(c.pred_diff == 0, "%d predictions differ", c.pred_diff);
    ck_assert_msg(c.logit_diff == 0, "%d images have different logits", c.logit_diff);
    ck_assert(r->top1_correct >= N_IMAGES - 2); /* the trained model: ~99 % */
    /* a second netlist in one process is refused, not crashed */
    myelin_array_result *r2 = NULL;
    ck_assert_int_eq(myelin_array_run(&o, &r2, &err), MYELIN_EUNSUPPORTED);
    myelin_array_result_free(r);
    free(c.pix);
    free(c.logits);
    myelin_dataset_close(c.ds);
    myelin_engine_state_free(c.st);
    setup_free(&s);
}
END_TEST

/* ---- 2. the ledger against the analytical cost model ------------------------------------------- */

static const struct {
    const char *quant, *arch;
    double tol_pct; /* total energy */
} energy_cases[] = {
    {"w8", "generic-45nm", 5.0},
    {"float", "generic-45nm", 5.0},
    {"w8", "loihi-like", 5.0},
    {"w8", "paper-45nm", 1e-9}, /* prices only MACs and synaptic ops: exact */
};

START_TEST(test_energy_vs_cost_model)
{
    setup s;
    setup_tiny(&s, energy_cases[_i].quant, energy_cases[_i].arch, 1);
    myelin_error err;
    myelin_array_options o;
    memset(&o, 0, sizeof o);
    o.wl = s.wl;
    o.lq = s.lq;
    o.arch = s.arch;
    o.map = s.map;
    o.engine = s.e;
    o.dataset = s.ds;
    myelin_array_result *r = NULL;
    ck_assert_msg(myelin_array_run(&o, &r, &err) == 0, "%s", err.message);
    myelin_cost_report *sim = NULL, *cost = NULL;
    myelin_activity act;
    myelin_cost_registry *reg = NULL;
    ck_assert_int_eq(myelin_array_report(r, s.wl, s.lq, s.arch, s.map, &sim, &err), 0);
    ck_assert_int_eq(myelin_array_activity(r, s.wl, &act, &err), 0);
    ck_assert_int_eq(myelin_cost_registry_new(&reg, &err), 0);
    ck_assert_int_eq(myelin_cost_evaluate(s.wl, s.lq, &act, s.arch, s.map, reg, &cost, &err), 0);
    /* every action but hops and leakage is counted exactly as the cost model counts it */
    for (int l = 0; l < s.wl->n_layers; l++)
        for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
            if (a == MYELIN_ACT_ROUTER_HOP_X || a == MYELIN_ACT_ROUTER_HOP_Y ||
                a == MYELIN_ACT_LEAKAGE_CORE_CYCLES)
                continue;
            double x = sim->layers[l].counts.count[a], y = cost->layers[l].counts.count[a];
            ck_assert_msg(fabs(x - y) <= 1e-9 * (fabs(y) + 1), "layer %s %s: sim %.12g, cost %.12g",
                          s.wl->layers[l].name, myelin_action_name((myelin_action)a), x, y);
        }
    double es = sim->total.total_pj, ec = cost->total.total_pj;
    ck_assert(ec > 0);
    double pct = 100.0 * fabs(es - ec) / ec;
    ck_assert_msg(pct <= energy_cases[_i].tol_pct, "%s on %s: sim %.6g pJ, cost model %.6g pJ (%.3f %%)",
                  energy_cases[_i].quant, energy_cases[_i].arch, es, ec, pct);
    /* hops are measured from the real source cores: same order of magnitude as the estimate */
    double hs = sim->total.counts.count[MYELIN_ACT_ROUTER_HOP_X] +
                sim->total.counts.count[MYELIN_ACT_ROUTER_HOP_Y];
    double hc = cost->total.counts.count[MYELIN_ACT_ROUTER_HOP_X] +
                cost->total.counts.count[MYELIN_ACT_ROUTER_HOP_Y];
    ck_assert(hs > 0.5 * hc && hs < 2 * hc);
    ck_assert(r->mean_latency_cycles > 0);
    /* per-core energies (same ledger, same prices) add up to the report's total */
    double cores_pj = 0;
    for (int k = 0; k < r->n_cores; k++)
        cores_pj += r->cores[k].energy_pj;
    cores_pj /= (double)r->images;
    ck_assert_msg(fabs(cores_pj - es) <= 1e-9 * es, "cores %.12g pJ, layers %.12g pJ", cores_pj, es);
    myelin_cost_report_free(sim);
    myelin_cost_report_free(cost);
    myelin_activity_free(&act);
    myelin_cost_registry_free(reg);
    myelin_array_result_free(r);
    setup_free(&s);
}
END_TEST

/* ---- 3. directions: each architecture variant simulated in its own process -------------------- */

typedef struct timing {
    int64_t ok;              /* int64_t: no padding, so the struct goes through a pipe fully initialised */
    double compute_cycles;   /* busy + memory stall, all cores */
    double noc_wait_cycles;
    double latency_cycles;
} timing;

typedef struct variant {
    int lanes, word_bits, link_bits; /* 0: the preset's */
} variant;

static timing simulate(const char *quant, const char *arch, variant v)
{
    setup s;
    setup_tiny(&s, quant, arch, 0);
    if (v.lanes)
        s.arch->core.accumulator_lanes = v.lanes;
    if (v.word_bits)
        s.arch->core.synapse_word_bits = v.word_bits;
    if (v.link_bits)
        s.arch->noc.link_width_bits = v.link_bits;
    myelin_error err;
    myelin_activity act;
    ck_assert_int_eq(myelin_activity_from_workload(s.wl, -1, &act, &err), 0);
    myelin_array_options o;
    memset(&o, 0, sizeof o);
    o.wl = s.wl;
    o.lq = s.lq;
    o.arch = s.arch;
    o.map = s.map;
    o.rates = act.rate;
    o.seed = 3;
    o.limit = 2;
    myelin_array_result *r = NULL;
    timing tm = {0, 0, 0, 0};
    if (myelin_array_run(&o, &r, &err) == 0) {
        tm.ok = 1;
        for (int k = 0; k < r->n_cores; k++) {
            tm.compute_cycles += (double)(r->cores[k].busy_cycles + r->cores[k].mem_stall_cycles);
            tm.noc_wait_cycles += (double)r->cores[k].noc_wait_cycles;
        }
        tm.latency_cycles = r->mean_latency_cycles;
    }
    myelin_array_result_free(r);
    myelin_activity_free(&act);
    setup_free(&s);
    return tm;
}

/* Runs simulate() in a child process (one netlist per process) and returns its figures. */
static timing simulate_forked(const char *quant, const char *arch, variant v)
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        timing tm = simulate(quant, arch, v);
        ssize_t n = write(fd[1], &tm, sizeof tm);
        _exit(n == (ssize_t)sizeof tm ? 0 : 1);
    }
    close(fd[1]);
    timing tm = {0, 0, 0, 0};
    ssize_t n = read(fd[0], &tm, sizeof tm);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ck_assert_msg(n == (ssize_t)sizeof tm && WIFEXITED(status) && WEXITSTATUS(status) == 0 && tm.ok,
                  "the simulation child failed");
    return tm;
}

START_TEST(test_more_lanes_fewer_compute_cycles)
{
    timing a = simulate_forked("w8", "generic-45nm", (variant){4, 0, 0});
    timing b = simulate_forked("w8", "generic-45nm", (variant){16, 0, 0});
    timing c = simulate_forked("w8", "generic-45nm", (variant){64, 0, 0});
    ck_assert_msg(a.compute_cycles > b.compute_cycles && b.compute_cycles > c.compute_cycles,
                  "lanes 4/16/64: compute cycles %.0f %.0f %.0f", a.compute_cycles,
                  b.compute_cycles, c.compute_cycles);
    ck_assert(a.latency_cycles > c.latency_cycles);
}
END_TEST

START_TEST(test_wider_word_fewer_memory_cycles)
{
    /* float weights: 16 lanes x 32 bits want 512 bits per cycle, 4 banks give 4 words */
    timing a = simulate_forked("float", "generic-45nm", (variant){0, 16, 0});
    timing b = simulate_forked("float", "generic-45nm", (variant){0, 64, 0});
    timing c = simulate_forked("float", "generic-45nm", (variant){0, 256, 0});
    ck_assert_msg(a.compute_cycles > b.compute_cycles && b.compute_cycles > c.compute_cycles,
                  "word 16/64/256 bits: compute cycles %.0f %.0f %.0f", a.compute_cycles,
                  b.compute_cycles, c.compute_cycles);
}
END_TEST

START_TEST(test_narrower_link_more_noc_cycles)
{
    timing a = simulate_forked("w8", "generic-45nm", (variant){0, 0, 64});
    timing b = simulate_forked("w8", "generic-45nm", (variant){0, 0, 16});
    timing c = simulate_forked("w8", "generic-45nm", (variant){0, 0, 4});
    ck_assert_msg(a.noc_wait_cycles < b.noc_wait_cycles && b.noc_wait_cycles < c.noc_wait_cycles,
                  "link 64/16/4 bits: NoC wait cycles %.0f %.0f %.0f", a.noc_wait_cycles,
                  b.noc_wait_cycles, c.noc_wait_cycles);
    ck_assert(a.latency_cycles < c.latency_cycles);
    ck_assert(a.compute_cycles == c.compute_cycles); /* the cores' own work does not change */
}
END_TEST

/* Statistical mode: the drawn spikes follow each layer's rate; the same seed gives the same run. */
static timing simulate_seed(uint64_t seed, double *rate_err)
{
    setup s;
    setup_tiny(&s, "w8", "generic-45nm", 0);
    myelin_error err;
    myelin_activity act, meas;
    ck_assert_int_eq(myelin_activity_from_workload(s.wl, -1, &act, &err), 0);
    myelin_array_options o;
    memset(&o, 0, sizeof o);
    o.wl = s.wl;
    o.lq = s.lq;
    o.arch = s.arch;
    o.map = s.map;
    o.rates = act.rate;
    o.seed = seed;
    o.limit = 4;
    myelin_array_result *r = NULL;
    ck_assert_msg(myelin_array_run(&o, &r, &err) == 0, "%s", err.message);
    ck_assert_int_eq(r->images, 4);
    ck_assert_int_eq(myelin_array_activity(r, s.wl, &meas, &err), 0);
    *rate_err = 0;
    for (int l = 0; l < s.wl->n_layers; l++) {
        const myelin_layer *L = &s.wl->layers[l];
        if (!L->has_lif || L->kind == MYELIN_LAYER_HEAD)
            continue;
        double e = fabs(meas.rate[l] - act.rate[l]) / act.rate[l];
        if (e > *rate_err)
            *rate_err = e;
    }
    timing tm = {1, 0, 0, r->mean_latency_cycles};
    for (int k = 0; k < r->n_cores; k++)
        tm.compute_cycles += (double)(r->cores[k].busy_cycles + r->cores[k].mem_stall_cycles);
    myelin_array_result_free(r);
    myelin_activity_free(&act);
    myelin_activity_free(&meas);
    setup_free(&s);
    return tm;
}

static timing simulate_seed_forked(uint64_t seed, double *rate_err)
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        double e = 0;
        timing tm = simulate_seed(seed, &e);
        ssize_t n = write(fd[1], &tm, sizeof tm);
        n += write(fd[1], &e, sizeof e);
        _exit(n == (ssize_t)(sizeof tm + sizeof e) ? 0 : 1);
    }
    close(fd[1]);
    timing tm = {0, 0, 0, 0};
    ssize_t n = read(fd[0], &tm, sizeof tm);
    n += read(fd[0], rate_err, sizeof *rate_err);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ck_assert_msg(n == (ssize_t)(sizeof tm + sizeof *rate_err) && WIFEXITED(status) &&
                      WEXITSTATUS(status) == 0, "the simulation child failed");
    return tm;
}

START_TEST(test_statistical_rates_and_seeds)
{
    double e1 = 0, e2 = 0, e3 = 0;
    timing a = simulate_seed_forked(5, &e1);
    timing b = simulate_seed_forked(5, &e2);
    timing c = simulate_seed_forked(6, &e3);
    ck_assert_msg(e1 < 0.15, "a layer fires %.1f %% away from its statistical rate", 100 * e1);
    ck_assert(a.latency_cycles == b.latency_cycles && a.compute_cycles == b.compute_cycles);
    ck_assert(e1 == e2);
    ck_assert(a.compute_cycles != c.compute_cycles); /* another seed draws other spikes */
}
END_TEST

/* ---- 4. VCD ----------------------------------------------------------------------------------- */

START_TEST(test_vcd_trace)
{
    setup s;
    setup_tiny(&s, "w8", "generic-45nm", 0);
    myelin_error err;
    myelin_activity act;
    ck_assert_int_eq(myelin_activity_from_workload(s.wl, -1, &act, &err), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/sim_trace.tmp.vcd", MYELIN_TEST_BUILDDIR);
    myelin_array_options o;
    memset(&o, 0, sizeof o);
    o.wl = s.wl;
    o.lq = s.lq;
    o.arch = s.arch;
    o.map = s.map;
    o.rates = act.rate;
    o.vcd_path = path;
    myelin_array_result *r = NULL;
    ck_assert_msg(myelin_array_run(&o, &r, &err) == 0, "%s", err.message);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no VCD at %s", path);
    char line[4096];
    int enddef = 0, busy = 0, queue = 0, spikes = 0, changes = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "$enddefinitions"))
            enddef = 1;
        if (strstr(line, "$var") && strstr(line, " busy "))
            busy++;
        if (strstr(line, "$var") && strstr(line, " queue_events "))
            queue++;
        if (strstr(line, "$var") && strstr(line, " spikes "))
            spikes++;
        if (enddef && line[0] == '#')
            changes++;
    }
    fclose(f);
    remove(path);
    ck_assert(enddef);
    ck_assert_int_eq(busy, r->n_cores);
    ck_assert_int_eq(queue, r->n_cores);
    ck_assert_int_eq(spikes, r->n_cores);
    ck_assert(changes > 10);
    myelin_array_result_free(r);
    myelin_activity_free(&act);
    setup_free(&s);
}
END_TEST

/* ---- 5. API errors ------------------------------------------------------------------------------ */

START_TEST(test_bad_options)
{
    setup s;
    setup_tiny(&s, "w8", "generic-45nm", 0);
    myelin_error err;
    myelin_array_result *r = NULL;
    myelin_array_options o;
    memset(&o, 0, sizeof o);
    ck_assert_int_eq(myelin_array_run(&o, &r, &err), MYELIN_EUSAGE);
    o.wl = s.wl;
    o.lq = s.lq;
    o.arch = s.arch;
    o.map = s.map;
    ck_assert_int_eq(myelin_array_run(&o, &r, &err), MYELIN_EUSAGE); /* statistical, no rates */
    ck_assert(strstr(err.message, "rates") != NULL);
    double rates[64] = {0};
    o.rates = rates;
    o.vcd_path = "/nonexistent-dir/trace.vcd";
    ck_assert_int_eq(myelin_array_run(&o, &r, &err), MYELIN_EIO);
    ck_assert(r == NULL);
    setup_free(&s);
}
END_TEST

Suite *make_sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("same_as_engine");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_same_as_engine, 0, (int)(sizeof same_cases / sizeof same_cases[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("energy");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_energy_vs_cost_model, 0,
                        (int)(sizeof energy_cases / sizeof energy_cases[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("directions");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_more_lanes_fewer_compute_cycles);
    tcase_add_test(tc, test_wider_word_fewer_memory_cycles);
    tcase_add_test(tc, test_narrower_link_more_noc_cycles);
    tcase_add_test(tc, test_statistical_rates_and_seeds);
    suite_add_tcase(s, tc);
    tc = tcase_create("trace_and_errors");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_vcd_trace);
    tcase_add_test(tc, test_bad_options);
    suite_add_tcase(s, tc);
    return s;
}
