// sim/mesh.cpp — XY routing over the routers' link reservations (see mesh.h, sim/README.md).
#include "sim/mesh.h"

#include <cstdlib>

namespace myelin_sim {

mesh::mesh(sc_core::sc_module_name name, int rows, int cols, int hop_latency_cycles)
    : sc_module(name), rows_(rows), cols_(cols), hop_(hop_latency_cycles),
      r_((size_t)rows * (size_t)cols)
{
}

route_result mesh::send(int src, int dst, int64_t packets, int flits, int64_t ready)
{
    route_result rr{};
    int64_t len = packets * flits;
    int sx = src % cols_, sy = src / cols_, dx = dst % cols_, dy = dst / cols_;
    rr.hops_x = std::abs(dx - sx);
    rr.hops_y = std::abs(dy - sy);
    router *cur = &r_[(size_t)src];
    int64_t w0 = cur->wait_cycles;
    int64_t t = cur->reserve_inject(ready, len);
    rr.link_wait += cur->wait_cycles - w0;
    int x = sx, y = sy;
    while (x != dx || y != dy) {
        int port;
        if (x != dx)
            port = dx > x ? PORT_EAST : PORT_WEST;
        else
            port = dy > y ? PORT_SOUTH : PORT_NORTH;
        w0 = cur->wait_cycles;
        t = cur->reserve(port, t, len) + hop_;
        rr.link_wait += cur->wait_cycles - w0;
        if (port == PORT_EAST)
            x++;
        else if (port == PORT_WEST)
            x--;
        else if (port == PORT_SOUTH)
            y++;
        else
            y--;
        cur = &r_[(size_t)y * cols_ + x];
    }
    w0 = cur->wait_cycles;
    t = cur->reserve(PORT_EJECT, t, len);
    rr.link_wait += cur->wait_cycles - w0;
    rr.head = t + flits;
    rr.tail = t + len;
    return rr;
}

} // namespace myelin_sim
