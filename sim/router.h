// sim/router.h — one mesh router's state: the occupancy of its output links (east, west, north,
// south, and the ejection port to its core) and of its core's injection port, plus statistics.
#ifndef MYELIN_SIM_ROUTER_H
#define MYELIN_SIM_ROUTER_H

#include <cstdint>

namespace myelin_sim {

enum router_port { PORT_EAST = 0, PORT_WEST, PORT_NORTH, PORT_SOUTH, PORT_EJECT, PORT_COUNT };

struct router {
    int64_t next_free[PORT_COUNT] = {0, 0, 0, 0, 0}; // first cycle each output link is free
    int64_t inject_free = 0;                          // the core's injection port
    int64_t flits = 0;                                // flits forwarded (all ports)
    int64_t wait_cycles = 0;                          // cycles bursts waited for a busy link here
    int64_t peak_queue_flits = 0;                     // flits buffered at once, at most

    // Reserves `port` for a burst of `len` flit-cycles whose head arrives at `arrive`; returns
    // the cycle its head leaves on the link (first come, first served; buffers unbounded).
    int64_t reserve(int port, int64_t arrive, int64_t len);
    int64_t reserve_inject(int64_t ready, int64_t len);
};

} // namespace myelin_sim
#endif
