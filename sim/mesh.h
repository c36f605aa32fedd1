// sim/mesh.h — the 2-D mesh network on chip: rows x cols routers, dimension-ordered XY routing,
// per-hop latency, links carrying link_width_bits per cycle, first-come-first-served contention.
#ifndef MYELIN_SIM_MESH_H
#define MYELIN_SIM_MESH_H

#include <cstdint>
#include <vector>

#include <systemc>

#include "sim/noc_if.h"
#include "sim/router.h"

namespace myelin_sim {

// The XY mesh behind the model's network interface (sim/noc_if.h).
class mesh : public sc_core::sc_module, public noc_if {
public:
    // buffer_flits > 0: input buffers of that depth per port, credit-based back-pressure (a burst
    // that waits for a link holds the link behind it until its buffer has room); 0 = unbounded
    mesh(sc_core::sc_module_name name, int rows, int cols, int hop_latency_cycles,
         int buffer_flits = 0);
    int64_t credit_stall_cycles() const { return credit_stall_; }

    // Sends `packets` packets of `flits` flits each from core `src` to core `dst` (raster
    // indices), ready at cycle `ready`: the injection port, every link on the XY path and the
    // ejection port each carry the burst for packets x flits cycles, pipelined hop by hop.
    route_result send(int src, int dst, int64_t packets, int flits, int64_t ready) override;

    // XY-tree multicast (noc.multicast: tree): the burst is injected once and copied where the
    // routes to the n destinations part, so every link of their union carries it once; out[i] is
    // destination i's delivery (hops_x/y: its own XY distance).  *links_x / *links_y get the
    // links of the tree (what the burst's packets each pay in hops).
    void send_tree(int src, const int *dst, int n, int64_t packets, int flits, int64_t ready,
                   route_result *out, int *links_x, int *links_y) override;

    const std::vector<router> &routers() const { return r_; }

private:
    int rows_, cols_, hop_, buf_;
    int64_t credit_stall_ = 0;
    std::vector<router> r_;
    // reserves `port` of router `at` for a burst arriving at `arrive`; with bounded buffers, a
    // wait beyond the buffer's depth extends the previous link's hold (prev_free) by the excess
    // (prev_base: the previous link's release before any hold of this burst)
    int64_t hop(router &at, int port, int64_t arrive, int64_t len, int64_t *prev_free,
                int64_t prev_base, int64_t *wait);
};

} // namespace myelin_sim
#endif
