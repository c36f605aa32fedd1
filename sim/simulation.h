/* sim/simulation.h — one run of the SystemC core array as `myelin sim` and the scripting API
 * (api/api.c) do it, over a resolved context (api/context.h): the engine or the statistical
 * activity, the run, its energy priced from the counted actions, the cost model on the measured
 * activity and on the statistical activity model (what `myelin cost` says), the figures that
 * compare them, and the tables and JSON document that report them. */
#ifndef MYELIN_SIM_SIMULATION_H
#define MYELIN_SIM_SIMULATION_H

#include "api/context.h"
#include "base/report.h"
#include "models/cost.h"
#include "sim/array.h"
#include "sim/engine.h"
#include "sim/engine_report.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_simulation {
    /* what to run: set before myelin_simulation_prepare */
    int statistical;     /* neurons fire at the workload's rates (or rate) */
    double rate;         /* < 0: the workload's rates */
    uint64_t seed;       /* statistical draws */
    int64_t limit;       /* images (real: <= 0 is 100) or inferences (statistical: <= 0 is one) */
    const char *vcd;     /* a VCD trace, or NULL */
    myelin_array_image_fn on_image; /* after each image, or NULL */
    void *user;
    const char *logits_path;     /* real mode: the logits CSV (sim/engine_report.h), or NULL */
    myelin_progress_fn progress; /* images done, or NULL */
    void *progress_user;
    /* what it gives */
    myelin_engine *e;
    myelin_activity act, meas, dact;
    myelin_array_result *res;
    myelin_cost_report *srep, *crep, *drep; /* simulated; cost model on measured / default activity */
    char mode[2048];
    double n_img, lat_s, dpct, ddyn, pps, d_epct, d_lat; /* per inference; see the JSON keys */
} myelin_simulation;

/* Starts s: real weights, the workload's rates, seed 1, default limit. */
void myelin_simulation_init(myelin_simulation *s);
/* After the context has its workload, setting and array (and, in real mode, its weights and
 * dataset): makes the engine (real) or the statistical activity, the limit's default, the mode
 * line, and records the seed (statistical) as provenance. */
int myelin_simulation_prepare(myelin_simulation *s, myelin_context *x);
/* Resolves the inputs in the order provenance records them: real weights (unless statistical;
 * a workload without weights, none given and not the embedded one runs statistical), the
 * setting (qs lent, else quant_path loaded; both NULL: float), the array (arch lent, else
 * arch_name loaded; NULL: generic-45nm), the images (real mode; NULL: the default); then
 * myelin_simulation_prepare. */
int myelin_simulation_setup(myelin_simulation *s, myelin_context *x, const char *weights,
                            const myelin_qsetting *qs, const char *quant_path, const myelin_arch *arch,
                            const char *arch_name, const char *dataset);
/* The inputs block of `myelin sim`'s terminal output: workload, arch and mesh, mode, quant. */
void myelin_simulation_write_header(const myelin_simulation *s, const myelin_context *x, FILE *f);
/* Runs the array (the logits CSV written when it succeeds), then prices what it counted and evaluates the cost model on the measured and
 * on the statistical activity. */
int myelin_simulation_run(myelin_simulation *s, myelin_context *x);
/* Cycles per image by layer (rows "layers_sim") and by core (rows "cores"); NULL when out of
 * memory. */
myelin_report *myelin_simulation_layers_table(const myelin_simulation *s, const myelin_context *x);
myelin_report *myelin_simulation_cores_table(const myelin_simulation *s, const myelin_context *x);
/* The JSON document of `myelin sim --format json`: the layers table with the figures, the
 * simulated energy report ("report", its columns chosen by energy_columns, may be NULL), the cost
 * model's ("cost_model_report") and with per_core the cores table; NULL with x->err set. */
myelin_report *myelin_simulation_json_table(const myelin_simulation *s, myelin_context *x, int per_core,
                                            const char *energy_columns);
/* The summary lines (accuracy, latency, energy against the cost models, NoC, and with speed the
 * simulator's own speed), each line starting with pre ("# " makes them CSV comments). */
void myelin_simulation_write_summary(const myelin_simulation *s, const myelin_context *x, const char *pre, int speed,
                                     FILE *f);
void myelin_simulation_free(myelin_simulation *s);

#ifdef __cplusplus
}
#endif
#endif
