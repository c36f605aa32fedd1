// sim/mesh.cpp — XY routing (unicast and XY-tree multicast) over the routers' link reservations,
// with optional credit-based back-pressure of bounded input buffers (see mesh.h, sim/README.md).
#include "sim/mesh.h"

#include <algorithm>
#include <cstdlib>

namespace myelin_sim {

mesh::mesh(sc_core::sc_module_name name, int rows, int cols, int hop_latency_cycles, int buffer_flits)
    : sc_module(name), rows_(rows), cols_(cols), hop_(hop_latency_cycles), buf_(buffer_flits),
      r_((size_t)rows * (size_t)cols)
{
}

int64_t mesh::hop(router &at, int port, int64_t arrive, int64_t len, int64_t *prev_free,
                  int64_t prev_base, int64_t *wait)
{
    int64_t w0 = at.wait_cycles;
    int64_t dep = at.reserve(port, arrive, len);
    *wait += at.wait_cycles - w0;
    // credits: a burst waiting dep - arrive cycles here fills this port's input buffer; once
    // buf_ flits are queued, the rest of it stays on the previous link, which stays busy until
    // prev_base (its release without the wait) + the excess.  Branches of a multicast tree that
    // share the previous link hold it until the last of them has room: the longest hold, not
    // their sum.
    if (buf_ > 0 && prev_free && dep - arrive > buf_) {
        int64_t until = prev_base + (dep - arrive - buf_);
        if (until > *prev_free) {
            credit_stall_ += until - *prev_free;
            *prev_free = until;
        }
    }
    return dep;
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
    int64_t *prev = &cur->inject_free, base = *prev;
    int x = sx, y = sy;
    while (x != dx || y != dy) {
        int port;
        if (x != dx)
            port = dx > x ? PORT_EAST : PORT_WEST;
        else
            port = dy > y ? PORT_SOUTH : PORT_NORTH;
        t = hop(*cur, port, t, len, prev, base, &rr.link_wait) + hop_;
        prev = &cur->next_free[port];
        base = *prev;
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
    t = hop(*cur, PORT_EJECT, t, len, prev, base, &rr.link_wait);
    rr.head = t + flits;
    rr.tail = t + len;
    return rr;
}

void mesh::send_tree(int src, const int *dst, int n, int64_t packets, int flits, int64_t ready,
                     route_result *out, int *links_x, int *links_y)
{
    int64_t len = packets * flits;
    int sx = src % cols_, sy = src / cols_;
    *links_x = *links_y = 0;
    if (n <= 0)
        return;
    int minc = sx, maxc = sx;
    std::vector<int> lo((size_t)cols_, rows_), hi((size_t)cols_, -1);
    for (int i = 0; i < n; i++) {
        int x = dst[i] % cols_, y = dst[i] / cols_;
        minc = std::min(minc, x);
        maxc = std::max(maxc, x);
        lo[(size_t)x] = std::min(lo[(size_t)x], y);
        hi[(size_t)x] = std::max(hi[(size_t)x], y);
    }
    int64_t wait = 0;
    router *s = &r_[(size_t)src];
    int64_t w0 = s->wait_cycles;
    int64_t t0 = s->reserve_inject(ready, len);
    wait += s->wait_cycles - w0;
    // the X trunk along the source's row, east and west: the time the burst reaches each column
    // (with the release cycle of each link before any hold: the base its holds start from)
    std::vector<int64_t> tcol((size_t)cols_, -1), bcol((size_t)cols_, 0);
    std::vector<int64_t *> pcol((size_t)cols_, nullptr);
    int64_t inj_base = s->inject_free;
    tcol[(size_t)sx] = t0;
    pcol[(size_t)sx] = &s->inject_free;
    bcol[(size_t)sx] = inj_base;
    for (int dir = 0; dir < 2; dir++) {
        int64_t t = t0;
        int64_t *prev = &s->inject_free, base = inj_base;
        for (int x = sx; dir == 0 ? x < maxc : x > minc; x += dir == 0 ? 1 : -1) {
            router &r = r_[(size_t)sy * cols_ + x];
            int port = dir == 0 ? PORT_EAST : PORT_WEST;
            t = hop(r, port, t, len, prev, base, &wait) + hop_;
            prev = &r.next_free[port];
            base = *prev;
            int nx = dir == 0 ? x + 1 : x - 1;
            tcol[(size_t)nx] = t;
            pcol[(size_t)nx] = prev;
            bcol[(size_t)nx] = base;
            ++*links_x;
        }
    }
    // Y branches in every destination column, then each destination's ejection port
    std::vector<int64_t> trow((size_t)rows_), brow((size_t)rows_);
    std::vector<int64_t *> prow((size_t)rows_);
    for (int x = minc; x <= maxc; x++) {
        if (hi[(size_t)x] < 0)
            continue;
        trow[(size_t)sy] = tcol[(size_t)x];
        prow[(size_t)sy] = pcol[(size_t)x];
        brow[(size_t)sy] = bcol[(size_t)x];
        for (int dir = 0; dir < 2; dir++) {
            int64_t t = tcol[(size_t)x];
            int64_t *prev = pcol[(size_t)x], base = bcol[(size_t)x];
            int end = dir == 0 ? hi[(size_t)x] : lo[(size_t)x];
            for (int y = sy; dir == 0 ? y < end : y > end; y += dir == 0 ? 1 : -1) {
                router &r = r_[(size_t)y * cols_ + x];
                int port = dir == 0 ? PORT_SOUTH : PORT_NORTH;
                t = hop(r, port, t, len, prev, base, &wait) + hop_;
                prev = &r.next_free[port];
                base = *prev;
                int ny = dir == 0 ? y + 1 : y - 1;
                trow[(size_t)ny] = t;
                prow[(size_t)ny] = prev;
                brow[(size_t)ny] = base;
                ++*links_y;
            }
        }
        for (int i = 0; i < n; i++) {
            int dx = dst[i] % cols_, dy = dst[i] / cols_;
            if (dx != x)
                continue;
            route_result &rr = out[i];
            rr = route_result{};
            rr.hops_x = std::abs(dx - sx);
            rr.hops_y = std::abs(dy - sy);
            int64_t te = hop(r_[(size_t)dst[i]], PORT_EJECT, trow[(size_t)dy], len, prow[(size_t)dy],
                             brow[(size_t)dy], &rr.link_wait);
            rr.head = te + flits;
            rr.tail = te + len;
        }
    }
    out[0].link_wait += wait;
}

} // namespace myelin_sim
