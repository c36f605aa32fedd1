/* models/noc.c — NoC geometry for the cost model: mean XY hops and multicast-tree links from
 * producers to a layer's cores, the spike packet format (one definition, shared with the SystemC
 * model) and the NoC serialization bound per layer (cost.h states the rule). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/cost.h"
#include "models/cost_internal.h"

int64_t myelin_noc_tensor_elems(const myelin_workload *wl, int producer)
{
    const myelin_shape *s = producer == MYELIN_INPUT_IMAGE ? &wl->input : &wl->layers[producer].out_shape;
    return (int64_t)s->c * s->h * s->w;
}

/* Mean XY hops of the spikes of producer `src` to the cores of `dst`.  A layer with cores sends
 * from them; MAXPOOL and ADD have none: their spikes are their inputs' spikes, so the hops are the
 * inputs' hops weighted by the spikes each input contributes (rate x elements) — a residual
 * stream comes from every block that fed it, not only from its first input. */
/* Mean XY-tree links per spike from the cores of `src` to those of `dst` (each of its token
 * slices is a tree of its own when dst is token-sliced and sliced): X links along the source's
 * row to the farthest destination columns, Y links in each destination column to its farthest
 * rows on either side (dimension-ordered routing).  The mean is over source cores and slices. */
static void tree_hops(const myelin_arch *arch, const myelin_layer_map *src, const myelin_layer_map *dst,
                      int sliced, double *ex, double *ey)
{
    *ex = *ey = 0;
    int C = arch->cols;
    int slices = sliced && dst->token_slices > 1 ? dst->token_slices : 1;
    if (src->cores <= 0 || dst->cores <= 0 || C <= 0)
        return;
    int *lo = malloc((size_t)C * 2 * sizeof *lo);
    if (!lo)
        return;
    int *hi = lo + C;
    double sx = 0, sy = 0;
    for (int s = 0; s < slices; s++) {
        int minc = C, maxc = -1;
        for (int x = 0; x < C; x++) {
            lo[x] = 1 << 30;
            hi[x] = -1;
        }
        for (int k = s; k < dst->cores; k += slices) {
            int r = dst->first_core + k, x = r % C, y = r / C;
            if (y < lo[x])
                lo[x] = y;
            if (y > hi[x])
                hi[x] = y;
            if (x < minc)
                minc = x;
            if (x > maxc)
                maxc = x;
        }
        if (maxc < 0)
            continue;
        for (int k = 0; k < src->cores; k++) {
            int r = src->first_core + k, px = r % C, py = r / C;
            int a = px < minc ? px : minc, b = px > maxc ? px : maxc;
            sx += b - a;
            for (int x = minc; x <= maxc; x++) {
                if (hi[x] < 0)
                    continue;
                if (hi[x] > py)
                    sy += hi[x] - py;
                if (lo[x] < py)
                    sy += py - lo[x];
            }
        }
    }
    free(lo);
    double n = (double)src->cores * slices;
    *ex = sx / n;
    *ey = sy / n;
}

/* tree: 0 the mean unicast distance; 1 the mean XY-tree links (2: to each token slice apart). */
int myelin_noc_source_hops(const myelin_workload *wl, const myelin_mapping *map,
                       const myelin_activity *act, const myelin_arch *arch, int src,
                       const myelin_layer_map *dst, int tree, double *hx, double *hy,
                       myelin_error *err)
{
    *hx = *hy = 0;
    if (src < 0 || src >= wl->n_layers)
        return 0; /* the image comes from outside the array */
    if (map->layers[src].cores > 0) {
        if (tree) {
            tree_hops(arch, &map->layers[src], dst, tree == 2, hx, hy);
            return 0;
        }
        return myelin_mapping_mean_hops(arch, &map->layers[src], dst, hx, hy, err);
    }
    const myelin_layer *l = &wl->layers[src];
    double wsum = 0, sx = 0, sy = 0;
    int n = l->kind == MYELIN_LAYER_ADD ? l->n_inputs : 1;
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in < 0 || in >= src)
            continue;
        double x, y;
        int rc = myelin_noc_source_hops(wl, map, act, arch, in, dst, tree, &x, &y, err);
        if (rc)
            return rc;
        double w = act->rate[in] * (double)myelin_noc_tensor_elems(wl, in);
        if (!(w > 0))
            w = 1e-300; /* silent inputs: fall back to an unweighted mean */
        sx += w * x;
        sy += w * y;
        wsum += w;
    }
    if (wsum > 0) {
        *hx = sx / wsum;
        *hy = sy / wsum;
    }
    return 0;
}

/* ---- NoC serialization bound ----------------------------------------------------------------- */

static int bits_for(int64_t n)
{
    int b = 0;
    while (b < 62 && ((int64_t)1 << b) < n)
        b++;
    return b ? b : 1;
}

int myelin_noc_packet_bits(const myelin_workload *wl, const myelin_arch *arch)
{
    int64_t max_elems = 1;
    for (int i = 0; i < wl->n_layers; i++) {
        int64_t e = myelin_noc_tensor_elems(wl, i);
        if (e > max_elems)
            max_elems = e;
    }
    return bits_for(arch->cols) + bits_for(arch->rows) + bits_for(max_elems);
}

int myelin_noc_flits_per_packet(const myelin_workload *wl, const myelin_arch *arch)
{
    int w = arch->noc.link_width_bits;
    if (w <= 0)
        return 1;
    return (myelin_noc_packet_bits(wl, arch) + w - 1) / w;
}

/* Spikes per timestep that the cores of each layer send into input `src`'s stream: a layer with
 * cores sends its own; a MAXPOOL's pooled spikes leave from its input's cores; an ADD's spikes are
 * its inputs' spikes (each input's share is its rate x elements).  Adds `spikes` into w[]. */
void myelin_noc_stream_producers(const myelin_workload *wl, const myelin_mapping *map,
                             const myelin_activity *act, int src, double spikes, double *w, int depth)
{
    if (src < 0 || src >= wl->n_layers || !(spikes > 0) || depth > wl->n_layers)
        return;
    if (map->layers[src].cores > 0) {
        w[src] += spikes;
        return;
    }
    const myelin_layer *l = &wl->layers[src];
    int n = l->kind == MYELIN_LAYER_ADD ? l->n_inputs : (l->n_inputs > 0 ? 1 : 0);
    double sum = 0;
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in >= 0 && in < src)
            sum += act->rate[in] * (double)myelin_noc_tensor_elems(wl, in);
    }
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in < 0 || in >= src)
            continue;
        double share = sum > 0 ? act->rate[in] * (double)myelin_noc_tensor_elems(wl, in) / sum : 1.0 / n;
        myelin_noc_stream_producers(wl, map, act, in, spikes * share, w, depth + 1);
    }
}

/* NoC serialization per timestep, in cycles at one flit per cycle per port and link (the NoC bound
 * in cost.h).  send[P]: the spikes of producer layer P to all of its consumers (directly or through
 * pools and residual adds) leave through its cores' injection ports and the XY links together, so
 * the busiest of them bounds P's output (a producer core sends each spike once per destination
 * core; a row link carries the packets of the sources of its row on one side of it to the
 * destination columns on the other; a column link those for its column's destinations on one side
 * from every source row on the other).  recv[D]: the busiest ejection port of consumer D (a core
 * receives every spike of its token slice, from every producer).  Producer cores send equal
 * shares of their layer's spikes; a token-sliced destination receives 1/slices of them.
 * only >= 0: producer `only` alone, and when `arrive` and `link_free` are given, when each of
 * its consumers has all of its packets (arrive[only * n + D], cycles of the whole inference, 0
 * where it does not feed D): a producer core hands its packets over consumer by consumer in layer
 * order, and every link serves the packets in the order they enter the network, producer after
 * producer (layer order): producer P's packets start on link L at max(finish_only, the cycle L
 * has served the earlier producers' packets, link_free) and D has them once P's packets to D
 * and to the consumers before it have passed its injection ports and every link they use
 * (T x flits x their loads); link_free (4 x rows x cols, zeroed before the first producer) is
 * then advanced by P's whole load, and to when the last of P's packets can reach the link (its
 * injection, the row links upstream of a column link; see the update below). */
/* the per-step bound of the loads so far: the busiest port or link, plus the credit stall of
 * bounded buffers (see below) */
/* when a link whose earlier traffic is served by `free` is done with `load` more flit-cycles
 * that become ready at `from` */
static double link_done(double free, double from, double load)
{
    return (free > from ? free : from) + load;
}

static double noc_bound(double best, double inj, double beta, int flits, int B)
{
    double stall = 0;
    if (B > 0 && beta * flits > B) {
        stall = ((best - inj) * flits) / 2 - B;
        if (stall < 0)
            stall = 0;
    }
    return best * flits + stall;
}

int myelin_noc_bounds(const myelin_workload *wl, const myelin_mapping *map,
                      const myelin_activity *act, const myelin_arch *arch, int flits, int only,
                      double finish_only, int timesteps, double *link_free, double *send,
                      double *recv, double *arrive, myelin_error *err)
{
    int n = wl->n_layers, C = arch->cols;
    int64_t cells = (int64_t)arch->rows * C;
    for (int i = 0; i < n; i++)
        send[i] = recv[i] = 0;
    if (only >= 0 && arrive)
        for (int d = 0; d < n; d++)
            arrive[(size_t)only * n + d] = 0;
    double tf = (double)timesteps * flits; /* per-step packets to flit-cycles of the inference */
    double *fe = NULL, *fw = NULL, *fs = NULL, *fn = NULL;
    /* only the rows up to the last used core carry traffic */
    int R = 0;
    for (int i = 0; i < n; i++) {
        const myelin_layer_map *m = &map->layers[i];
        if (m->cores > 0 && m->first_core >= 0) {
            int64_t last = (int64_t)m->first_core + m->cores - 1;
            if (last >= cells)
                last = cells - 1;
            if (last / C + 1 > R)
                R = (int)(last / C + 1);
        }
    }
    if (R == 0 || n == 0)
        return 0;
    size_t g = (size_t)R * C;
    if (only >= 0 && arrive && link_free) {
        fe = link_free;
        fw = fe + cells;
        fs = fw + cells;
        fn = fs + cells;
    }
    double *w = calloc((size_t)n * n, sizeof *w);
    double *dfrac = calloc((size_t)n, sizeof *dfrac);
    /* per destination layer: cores per column, cores per cell; per producer: cores per cell;
     * link loads: east/west of the cut right of each cell, south/north of the cut below it */
    double *dcol = calloc((size_t)C, sizeof *dcol), *dwest = calloc((size_t)C, sizeof *dwest);
    double *dcell = calloc(g, sizeof *dcell), *dnorth = calloc(g, sizeof *dnorth);
    double *pcell = calloc(g, sizeof *pcell), *pwest = calloc(g, sizeof *pwest);
    double *prow = calloc((size_t)R, sizeof *prow), *pnorth = calloc((size_t)R, sizeof *pnorth);
    double *le = calloc(g, sizeof *le), *lw = calloc(g, sizeof *lw);
    double *ls = calloc(g, sizeof *ls), *ln = calloc(g, sizeof *ln);
    /* scheduling one producer (fe): per link (4 x g, ports as le, lw, ls, ln), the producer
     * cores' injection sequence up to the last consumer whose packets use it, in cycles */
    double *lastinj = fe ? calloc(4 * g, sizeof *lastinj) : NULL;
    int rc = 0;
    if (!w || !dfrac || !dcol || !dwest || !dcell || !dnorth || !pcell || !pwest || !prow ||
        !pnorth || !le || !lw || !ls || !ln || (fe && !lastinj)) {
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (NoC bound)");
        goto done;
    }
    /* w[D * n + P]: spikes per timestep that producer P sends into consumer D's inputs */
    for (int d = 0; d < n; d++) {
        const myelin_layer *l = &wl->layers[d];
        const myelin_layer_map *dm = &map->layers[d];
        if (dm->cores <= 0 || dm->first_core < 0)
            continue;
        for (int j = 0; j < l->n_inputs && j < 3; j++) {
            int s = l->inputs[j];
            if (s < 0 || s >= n)
                continue; /* the image comes from outside the array */
            myelin_noc_stream_producers(wl, map, act, s, act->rate[s] * (double)myelin_noc_tensor_elems(wl, s), w + (size_t)d * n, 0);
        }
        /* a spike goes to every core of its token slice (attention: every core) */
        dfrac[d] = (l->kind != MYELIN_LAYER_ATTN && dm->token_slices > 1) ? 1.0 / dm->token_slices : 1.0;
        double tot = 0;
        for (int p = 0; p < n; p++)
            tot += w[(size_t)d * n + p];
        recv[d] = tot * dfrac[d] * flits;
    }
    for (int p = only >= 0 ? only : 0; p < (only >= 0 ? only + 1 : n); p++) {
        const myelin_layer_map *pm = &map->layers[p];
        if (pm->cores <= 0 || pm->first_core < 0)
            continue;
        int any = 0;
        for (int d = 0; d < n && !any; d++)
            any = w[(size_t)d * n + p] > 0;
        if (!any)
            continue;
        memset(pcell, 0, g * sizeof *pcell);
        memset(le, 0, g * sizeof *le);
        memset(lw, 0, g * sizeof *lw);
        memset(ls, 0, g * sizeof *ls);
        memset(ln, 0, g * sizeof *ln);
        if (lastinj)
            memset(lastinj, 0, 4 * g * sizeof *lastinj);
        int y0 = pm->first_core / C, y1 = y0;
        for (int k = 0; k < pm->cores; k++) {
            int64_t r = (int64_t)pm->first_core + k;
            if (r >= (int64_t)g)
                break;
            pcell[r] = 1;
            y1 = (int)(r / C);
        }
        double pall = 0;
        for (int y = 0; y < R; y++) {
            double acc = 0;
            for (int x = 0; x < C; x++) {
                acc += pcell[(size_t)y * C + x];
                pwest[(size_t)y * C + x] = acc; /* producer cores of row y at columns <= x */
            }
            prow[y] = acc;
            pall += acc;
            pnorth[y] = pall; /* producer cores in rows <= y */
        }
        double inj = 0, beta = 0; /* beta: the longest burst, packets per producer core per
                                     destination core (unicast) or per producer core (tree) */
        double best = 0;          /* the busiest link so far (loads only grow) */
        for (int d = 0; d < n; d++) {
            double sp = w[(size_t)d * n + p];
            const myelin_layer_map *dm = &map->layers[d];
            if (!(sp > 0))
                continue;
            double per = sp / pm->cores * dfrac[d]; /* packets per producer core per destination core */
            double at = 0; /* cycle this consumer has all of the producer's packets */
            int tree = arch->noc_multicast == MYELIN_MULTICAST_TREE;
            /* tree multicast: one packet per spike per producer core; a link carries it once
             * when the tree of the consumer's cores (the union of routes) uses the link */
            double pt = sp / pm->cores;
            inj += tree ? pt : per * dm->cores;
            if ((tree ? pt : per) > beta)
                beta = tree ? pt : per;
            memset(dcol, 0, (size_t)C * sizeof *dcol);
            int dy0 = dm->first_core / C, dy1 = dy0;
            for (int k = 0; k < dm->cores; k++) {
                int64_t r = (int64_t)dm->first_core + k;
                if (r >= (int64_t)g)
                    break;
                dcell[r] = 1;
                dcol[r % C] += 1;
                dy1 = (int)(r / C);
            }
            double dall = 0;
            for (int x = 0; x < C; x++) {
                dall += dcol[x];
                dwest[x] = dall;
            }
            /* column links carry this pair's packets only between its topmost and lowest rows */
            int yl = y0 < dy0 ? y0 : dy0, yh = y1 > dy1 ? y1 : dy1;
            for (int x = 0; x < C; x++) {
                double acc = 0;
                for (int y = yl; y <= yh; y++) {
                    acc += dcell[(size_t)y * C + x];
                    dnorth[(size_t)y * C + x] = acc;
                }
            }
            for (int k = 0; k < dm->cores && (int64_t)dm->first_core + k < (int64_t)g; k++)
                dcell[dm->first_core + k] = 0;
            /* row links (X first): only the producer's rows carry its packets */
            for (int y = y0; y <= y1; y++)
                for (int x = 0; x + 1 < C; x++) {
                    size_t c = (size_t)y * C + x;
                    double ae = tree ? pt * pwest[c] * (dall - dwest[x] > 0)
                                     : per * pwest[c] * (dall - dwest[x]);
                    double aw = tree ? pt * (prow[y] - pwest[c]) * (dwest[x] > 0)
                                     : per * (prow[y] - pwest[c]) * dwest[x];
                    le[c] += ae;
                    lw[c] += aw;
                    if (lastinj && ae > 0)
                        lastinj[c] = tf * inj;
                    if (lastinj && aw > 0)
                        lastinj[g + c] = tf * inj;
                    if (fe && ae > 0 && link_done(fe[c], finish_only, tf * le[c]) > at)
                        at = link_done(fe[c], finish_only, tf * le[c]);
                    if (fe && aw > 0 && link_done(fw[c], finish_only, tf * lw[c]) > at)
                        at = link_done(fw[c], finish_only, tf * lw[c]);
                    if (le[c] > best)
                        best = le[c];
                    if (lw[c] > best)
                        best = lw[c];
                }
            /* column links: to the destination's row, in the destination's column */
            for (int x = 0; x < C; x++) {
                if (!(dcol[x] > 0))
                    continue;
                for (int y = yl; y < yh && y + 1 < R; y++) {
                    size_t c = (size_t)y * C + x;
                    double as = tree ? pt * pnorth[y] * (dcol[x] - dnorth[c] > 0)
                                     : per * pnorth[y] * (dcol[x] - dnorth[c]);
                    double an = tree ? pt * (pall - pnorth[y]) * (dnorth[c] > 0)
                                     : per * (pall - pnorth[y]) * dnorth[c];
                    ls[c] += as;
                    ln[c] += an;
                    if (lastinj && as > 0)
                        lastinj[2 * g + c] = tf * inj;
                    if (lastinj && an > 0)
                        lastinj[3 * g + c] = tf * inj;
                    if (fe && as > 0 && link_done(fs[c], finish_only, tf * ls[c]) > at)
                        at = link_done(fs[c], finish_only, tf * ls[c]);
                    if (fe && an > 0 && link_done(fn[c], finish_only, tf * ln[c]) > at)
                        at = link_done(fn[c], finish_only, tf * ln[c]);
                    if (ls[c] > best)
                        best = ls[c];
                    if (ln[c] > best)
                        best = ln[c];
                }
            }
            if (fe) { /* the injection ports, then the credit stall of bounded buffers */
                double bi = best > inj ? best : inj;
                if (finish_only + tf * inj > at)
                    at = finish_only + tf * inj;
                arrive[(size_t)p * n + d] =
                    at + (double)timesteps *
                             (noc_bound(bi, inj, beta, flits, arch->noc_buffer_flits) - bi * flits);
            }
        }
        if (fe) { /* the links have served this producer's packets: the next ones queue behind */
            /* A link serves packets in the order they entered the network and keeps one
             * reservation (sim/README.md, *Service order*): a packet that reaches it late, having
             * queued upstream, is still served before every packet that entered after it, and
             * the link idles until it arrives.  So a link is done with the producer's packets
             * not before (1) its load has passed, (2) the last core has injected the last of
             * them (its sequence up to the last consumer using the link), and, for a column
             * link, (3) the row links that bring them into its column are done with them (XY:
             * a packet turns into its destination's column after its row links). */
            double *f[4] = {fe, fw, fs, fn}, *l4[4] = {le, lw, ls, ln};
            for (size_t c = 0; c < g; c++)
                for (int k = 0; k < 2; k++) /* rows first: the columns' upstream */
                    if (l4[k][c] > 0) {
                        f[k][c] = link_done(f[k][c], finish_only, tf * l4[k][c]);
                        if (finish_only + lastinj[(size_t)k * g + c] > f[k][c])
                            f[k][c] = finish_only + lastinj[(size_t)k * g + c];
                    }
            for (size_t c = 0; c < g; c++)
                for (int k = 2; k < 4; k++)
                    if (l4[k][c] > 0) {
                        double t = link_done(f[k][c], finish_only, tf * l4[k][c]);
                        if (finish_only + lastinj[(size_t)k * g + c] > t)
                            t = finish_only + lastinj[(size_t)k * g + c];
                        /* the producer's rows on the side the link's packets come from: above
                         * a south link (its cell's row and up), below a north link */
                        int x = (int)(c % (size_t)C), y = (int)(c / (size_t)C);
                        int ya = k == 2 ? y0 : (y + 1 > y0 ? y + 1 : y0);
                        int yb = k == 2 ? (y < y1 ? y : y1) : y1;
                        for (int yy = ya; yy <= yb; yy++) {
                            size_t r = (size_t)yy * C + x;
                            if (x > 0 && le[r - 1] > 0 && fe[r - 1] > t)
                                t = fe[r - 1];
                            if (x + 1 < C && lw[r] > 0 && fw[r] > t)
                                t = fw[r];
                        }
                        f[k][c] = t;
                    }
        }
        /* bounded buffers (noc.buffer_flits B > 0; credit back-pressure as in the SystemC mesh):
         * a burst (one producer core's packets for one destination core, or its tree) that queues
         * at the busiest link fills its B-flit input buffer and holds the link behind it, back to
         * the producer core's injection port, for the rest of its wait; the core's later bursts
         * start that much later.  The core's own bursts are serialized at its injection port
         * anyway (inj), so what a burst waits for is the other cores' traffic at that link,
         * best - inj; first come first served among bursts released together, half of it on
         * average.  The bound grows by max(0, (best - inj) / 2 - B) flits, nothing when the
         * burst fits in the buffer (beta <= B) or the injection port is the bottleneck
         * (noc_bound). */
        send[p] = noc_bound(best > inj ? best : inj, inj, beta, flits, arch->noc_buffer_flits);
    }
done:
    free(w);
    free(dfrac);
    free(dcol);
    free(dwest);
    free(dcell);
    free(dnorth);
    free(pcell);
    free(pwest);
    free(prow);
    free(pnorth);
    free(le);
    free(lw);
    free(ls);
    free(ln);
    free(lastinj);
    return rc;
}
