// sim/mesh.h — the 2-D mesh network on chip: rows x cols routers, dimension-ordered XY routing,
// per-hop latency, links carrying link_width_bits per cycle, first-come-first-served contention.
#ifndef MYELIN_SIM_MESH_H
#define MYELIN_SIM_MESH_H

#include <cstdint>
#include <vector>

#include <systemc>

#include "sim/router.h"

namespace myelin_sim {

struct route_result {
    int64_t head, tail;   // cycles: first / last packet delivered into the destination core
    int hops_x, hops_y;   // per packet
    int64_t link_wait;    // cycles the burst queued behind other traffic
};

SC_MODULE(mesh) {
public:
    mesh(sc_core::sc_module_name name, int rows, int cols, int hop_latency_cycles);

    // Sends `packets` packets of `flits` flits each from core `src` to core `dst` (raster
    // indices), ready at cycle `ready`: the injection port, every link on the XY path and the
    // ejection port each carry the burst for packets x flits cycles, pipelined hop by hop.
    route_result send(int src, int dst, int64_t packets, int flits, int64_t ready);

    const std::vector<router> &routers() const { return r_; }

private:
    int rows_, cols_, hop_;
    std::vector<router> r_;
};

} // namespace myelin_sim
#endif
