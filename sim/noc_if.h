// sim/noc_if.h — what the model needs of a network on chip: send a burst of spike packets from
// one core to one core (unicast) or to several along one tree (multicast), and learn when it is
// delivered.  The model calls only this; sim/mesh.h is the one implementation (the XY mesh).
#ifndef MYELIN_SIM_NOC_IF_H
#define MYELIN_SIM_NOC_IF_H

#include <cstdint>

namespace myelin_sim {

struct route_result {
    int64_t head, tail;   // cycles: first / last packet delivered into the destination core
    int hops_x, hops_y;   // per packet
    int64_t link_wait;    // cycles the burst queued behind other traffic
};

class noc_if {
public:
    virtual ~noc_if() = default;
    // Sends `packets` packets of `flits` flits each from core `src` to core `dst` (raster
    // indices), ready at cycle `ready`; returns when its first and last packet are delivered.
    virtual route_result send(int src, int dst, int64_t packets, int flits, int64_t ready) = 0;
    // Multicast: the burst injected once for the n destinations `dst`; out[i] is destination i's
    // delivery; *links_x / *links_y get the links the burst's packets each pay in hops.
    virtual void send_tree(int src, const int *dst, int n, int64_t packets, int flits,
                           int64_t ready, route_result *out, int *links_x, int *links_y) = 0;
};

} // namespace myelin_sim
#endif
