// sim/router.cpp — link reservation of one router (see router.h).
#include "sim/router.h"

namespace myelin_sim {

static int64_t reserve_link(int64_t &free, int64_t arrive, int64_t len, router &r)
{
    int64_t dep = arrive > free ? arrive : free;
    if (dep > arrive) {
        r.wait_cycles += dep - arrive;
        int64_t queued = free - arrive + len; // flits ahead of it still to leave, plus its own
        if (queued > r.peak_queue_flits)
            r.peak_queue_flits = queued;
    } else if (len > r.peak_queue_flits) {
        r.peak_queue_flits = len;
    }
    free = dep + len;
    r.flits += len;
    return dep;
}

int64_t router::reserve(int port, int64_t arrive, int64_t len)
{
    return reserve_link(next_free[port], arrive, len, *this);
}

int64_t router::reserve_inject(int64_t ready, int64_t len)
{
    return reserve_link(inject_free, ready, len, *this);
}

} // namespace myelin_sim
