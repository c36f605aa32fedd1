// sim/model.h — what the SystemC modules of one simulation share, in four parts (STYLE.md: specs
// apart from stats, objects that only count, the network behind an interface):
//   spec    built once by init from the options, then read-only (const spec &): placement of
//           layers on cores, spike streams between layers, packet format, per-core timing rules;
//   ledger  the action counts, per layer (the result's counts) and per core; it only counts;
//   noc_if  the network the model sends bursts through (sim/noc_if.h; sim/mesh.h implements it);
//   model   the run state: image, timestep, tensors, logits, queued bursts, and the arithmetic
//           each core performs (shared kernels on the engine's integers, or statistical draws).
// No SystemC types here (the modules reach it through plain calls).
#ifndef MYELIN_SIM_MODEL_H
#define MYELIN_SIM_MODEL_H

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "base/rng.h"
#include "models/kernels.h"
#include "sim/array.h"
#include "sim/noc_if.h"

namespace myelin_sim {

class core;

// Where one core sits and what slice of its layer it holds.
struct core_place {
    int layer = 0, index = 0;     // layer, rank within it
    int raster = 0, x = 0, y = 0; // mesh position
    int co_lo = 0, co_hi = 0;     // output channels
    int tok_lo = 0, tok_hi = 0;   // output tokens
    int tslice = 0;               // token slice index
};

// The spikes of LIF layer `src` as they reach consumer `dst` (directly or merged through residual
// adds); `pool` >= 0 when a max pool sits between them (its output is what travels).
struct stream {
    int src = 0, dst = 0, pool = -1;
    int role = 0; // input slot of dst (attention: 0 q, 1 k, 2 v)
};

// Spike packets of one (source core, destination core, timestep), sent back to back on one route.
struct burst {
    int64_t head = 0, tail = 0; // cycles: first packet arrives / last packet arrives
    int64_t events = 0;         // packets (one spike each)
    int64_t busy = 0, stall = 0; // cycles the destination spends on them (accumulate, memory stall)
    int phase = 0;              // attention: 0 first product, 1 second (needs the first: Q after
                                // K^T V, or V after Q K^T)
};

// A burst (unicast: one destination; tree: the destinations of one XY tree) waiting to be routed:
// bursts are routed in the order they enter the network (estimated injection start), not in the
// order their cores fired, so that a link serves them first come, first served (sim/README.md).
struct pending_send {
    int64_t key = 0;     // cycle its first flit leaves the source's injection port (est.)
    int64_t ready = 0;   // cycle the source core handed it over
    int64_t packets = 0;
    int src = 0;         // source raster
    int layer = 0;       // destination layer (its ledger)
    int first = 0, n = 0; // destinations: pend_core[first .. first + n), their bursts likewise
    int tree = 0;
};

// What the spec holds of a layer: its cores and its streams.
struct layer_plan {
    std::vector<int> cores;          // indices into spec::places
    std::vector<int> out_streams;    // streams whose src is this layer
    std::vector<int> in_streams;     // streams whose dst is this layer
};

// The configuration of one simulation and what init derives from it; never changed afterwards.
class spec {
public:
    spec(const myelin_array_options &o, int64_t period_ps);
    spec(const spec &) = delete;
    spec &operator=(const spec &) = delete;
    int init(myelin_error *err); // builds placement, streams, packet format; 0 or MYELIN_E*

    const myelin_array_options &opt;
    const myelin_workload *wl;
    const myelin_arch *arch;
    int T;
    int64_t period_ps;
    int statistical;
    int packet_bits = 32, flits = 1;
    int64_t barrier_cycles = 1;

    std::vector<core_place> places;
    std::vector<layer_plan> layers;
    std::vector<stream> streams;

    // timing rules of a core (cycles)
    int64_t pe_cycles(int64_t fanout, int64_t bits_per_syn, int64_t *stall) const;
    int64_t lif_cycles(int c) const;
    int64_t head_final_cycles(int c, int64_t *stall) const;

private:
    int add_streams(int dst, int producer, int role, int pool, myelin_error *err);
};

// The action ledger: counts per layer (into the result's counts) and per core.  Nothing else.
class ledger {
public:
    // per_layer: [n_layers] counts to add to (the result's); throws std::bad_alloc
    ledger(const spec &s, myelin_cost_counts *per_layer);
    void count(int l, int core, myelin_action a, double n);
    void count_accumulates(int l, int core, double ops, int pot); // membrane adds of the setting
    void count_synaptic_ops(int l, int core, double ops);         // the synaptic_ops figure
    const myelin_cost_counts &core_counts(int c) const { return core_[(size_t)c]; }

private:
    const myelin_layer_quant *lq_;
    myelin_cost_counts *layer_;
    std::vector<myelin_cost_counts> core_;
};

// The run state of one simulation and the hooks the controller and the cores call.
class model {
public:
    // res: where images, spikes, cycles and the traffic statistics are summed (the action
    // counts go to the ledger)
    model(const spec &s, ledger &led, noc_if &noc, myelin_array_result *res);
    ~model();
    model(const model &) = delete;
    model &operator=(const model &) = delete;
    int init(myelin_error *err); // tensors, draw streams; 0 or MYELIN_E*

    // wiring, by the netlist
    std::vector<core *> cores;         // same order as spec::places
    std::function<void()> on_barrier;  // the controller's barrier event

    // run state the modules read
    int step() const { return step_; }
    int64_t image() const { return image_; }
    int finished() const { return finished_; }
    int64_t step_start_cycle() const { return step_start_cycle_; }
    void wakeups(int64_t n) { res_->process_wakeups += n; } // SystemC process resumptions

    // controller hooks
    int begin_image(myelin_error *err); // 1 image loaded, 0 none left, < 0 error
    void begin_step(int t, int64_t now_cycle);
    int end_image(int64_t latency_cycles, myelin_error *err);
    void finish() { finished_ = 1; }

    // core hooks
    void accumulate(int c, int t);           // arithmetic of the accumulation phase (at wake)
    int64_t fire(int c, int t);              // LIF (or draws) of the core's slice; returns spikes
    void head_final(int c);                  // logits of the head core's classes
    void core_done(int c, int t, int64_t now_cycle);
    int64_t image_work(int c, int64_t *stall);  // dense first-layer work at t = 0 (busy, stall)
    // Bursts are routed lazily, in the order they enter the network: a core whose producers are
    // all done asks for the cycle its last queued burst starts injecting (input_key), waits until
    // then (no burst queued later can enter the network earlier), and routes every queued burst
    // up to that cycle (route_until), which delivers its inputs.
    int64_t input_key(int c) const;
    void route_until(int64_t key);

private:
    struct layer_state {
        int cores_done = 0;              // in the current step
        int64_t done_cycle = 0;
        int ready = 0;                   // core-less layers: computed this step
    };
    struct tensors;
    const spec &sp_;
    ledger &led_;
    noc_if &noc_;
    myelin_array_result *res_;
    int step_ = 0;
    int64_t image_ = 0;
    int finished_ = 0;
    int cores_done_ = 0;
    int64_t step_start_cycle_ = 0;
    int label_ = -1;
    std::vector<double> logits_;
    std::vector<int64_t> img_spikes_;  // [n][T] of the current image
    std::vector<layer_state> lstate_;
    tensors *tz;
    std::vector<myelin_rng> rng; // one stream per core (statistical draws)
    std::vector<myelin_rng> pool_rng; // one stream per layer (statistical draws of max pools)
    std::vector<int64_t> scratch_cnt, scratch_tok;
    std::vector<int64_t> kv;
    void emit(int c, int64_t now_cycle); // non-pooled streams of core c
    void layer_done(int l, int t, int64_t now_cycle);
    void send_stream(int s, int c, int64_t now_cycle);
    void queue_send(int src_raster, int layer, int64_t packets, int64_t ready, int tree);
    std::vector<pending_send> pend;  // queued this step, in the order queued
    std::vector<std::pair<int64_t, int64_t>> pend_heap; // (key, index into pend): min-heap
    std::vector<int> pend_core;     // destination core of each queued burst
    std::vector<burst> pend_burst;  // its work (head and tail filled when routed)
    std::vector<int64_t> inject_est; // per raster: the injection port's next free cycle (est.)
    std::vector<int64_t> need_key;   // per core: the latest key of a burst queued for it
    void compute_coreless(int t);
    int layer_complete(int l) const;
};

} // namespace myelin_sim
#endif
