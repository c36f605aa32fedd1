/* workloads/info.h — a workload described per layer as a report-module table (base/report.h):
 * kind, input and output shapes, parameters, weight bits and memory, neurons and dense MACs per
 * timestep, with a total; what `myelin info` prints and the scripting API's workload
 * description holds. */
#ifndef MYELIN_WORKLOADS_INFO_H
#define MYELIN_WORKLOADS_INFO_H

#include "base/report.h"
#include "workloads/qsetting.h"
#include "workloads/workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The table of wl at the resolved setting lq (wl->n_layers entries); rows key "layers", meta
 * workload, params_millions, timesteps.  NULL when out of memory. */
myelin_report *myelin_workload_info_table(const myelin_workload *wl, const myelin_layer_quant *lq);

#ifdef __cplusplus
}
#endif
#endif
