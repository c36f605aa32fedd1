// sim/core.cpp — a core's timestep: wait for its input streams, account for the queue of spike
// bursts (synapse fetch and accumulate per event), the LIF phase, then send its spikes.
#include "sim/core.h"
#include "sim/stack_note.h"

#include <algorithm>
#include <string>

namespace myelin_sim {

using namespace sc_core;

core::core(sc_module_name name, const spec &s, model &m, int id, const sc_event &step_start,
           sc_trace_file *trace)
    : sc_module(name), s_(s), m_(m), id_(id), step_start_(step_start)
{
    const core_place &p = s.places[(size_t)id];
    stats.layer = p.layer;
    stats.index = p.index;
    stats.raster = p.raster;
    stats.x = p.x;
    stats.y = p.y;
    stats.co_lo = p.co_lo;
    stats.co_hi = p.co_hi;
    stats.tok_lo = p.tok_lo;
    stats.tok_hi = p.tok_hi;
    if (trace) {
        std::string base = std::string(this->name());
        busy_sig_.reset(new sc_signal<bool>((base + "_busy").c_str()));
        queue_sig_.reset(new sc_signal<int>((base + "_queue").c_str()));
        spikes_sig_.reset(new sc_signal<int>((base + "_spikes").c_str()));
        sc_trace(trace, *busy_sig_, base + ".busy");
        sc_trace(trace, *queue_sig_, base + ".queue_events");
        sc_trace(trace, *spikes_sig_, base + ".spikes");
    }
    SC_THREAD(run);
    set_stack_size(stack_bytes);
}

void core::reset_step(int pending_streams)
{
    pending_ = pending_streams;
    inbox_.clear();
}

void core::deliver(const burst &b)
{
    inbox_.push_back(b);
}

void core::producer_done()
{
    if (--pending_ == 0)
        wake_.notify(SC_ZERO_TIME);
}

static int64_t now_cycles(int64_t period_ps)
{
    return (int64_t)(sc_time_stamp().value() / (sc_dt::uint64)period_ps);
}

void core::run()
{
    const stack_note note(stack_bytes);
    const core_place &p = s_.places[(size_t)id_];
    const sc_time period((double)s_.period_ps, SC_PS);
    const int is_head = s_.wl->layers[p.layer].kind == MYELIN_LAYER_HEAD;
    const int is_image = s_.wl->layers[p.layer].real_input ||
                         s_.wl->layers[p.layer].inputs[0] == MYELIN_INPUT_IMAGE;
    for (;;) {
        wait(step_start_);
        m_.wakeups(1);
        if (m_.finished())
            return;
        int t = m_.step();
        int64_t start = m_.step_start_cycle();
        while (pending_ > 0) {
            wait(wake_);
            m_.wakeups(1);
        }
        int64_t wake = now_cycles(s_.period_ps);
        // the arithmetic at wake, while no core of the layer has fired (a token slice's LIF
        // reads what slice 0 accumulated for the whole channel)
        m_.accumulate(id_, t);
        // the inputs: routed once every burst that enters the network before them has been
        int64_t key = m_.input_key(id_);
        if (key > wake) {
            wait(period * (double)(key - wake));
            m_.wakeups(1);
        }
        m_.route_until(key);
        // the queue: first-layer dense work, then bursts in arrival order (attention: K and V
        // before Q, whose products need K^T V complete)
        int64_t busy = 0, stall = 0, tc = start, last_tail = 0, events = 0;
        if (is_image && t == 0) {
            int64_t st = 0;
            busy = m_.image_work(id_, &st);
            stall = st;
            tc = start + busy + stall;
        }
        std::sort(inbox_.begin(), inbox_.end(), [](const burst &a, const burst &b) {
            return a.phase != b.phase ? a.phase < b.phase : a.head < b.head;
        });
        int64_t phase0_tail = 0, arrived = 0, done_events = 0, peak = 0;
        size_t arr = 0;
        for (size_t i = 0; i < inbox_.size(); i++) {
            const burst &b = inbox_[i];
            if (b.phase == 1 && (i == 0 || inbox_[i - 1].phase == 0))
                tc = std::max(tc, phase0_tail);
            int64_t s = std::max(tc, b.head);
            while (arr < inbox_.size() && inbox_[arr].head <= s) // queued events when it starts
                arrived += inbox_[arr++].events;
            if (arr <= i)
                arrived += inbox_[arr++].events;
            peak = std::max(peak, arrived - done_events);
            int64_t work = b.busy + b.stall;
            int64_t e = std::max(s + work, b.tail + (b.events ? work / b.events : 0));
            tc = e;
            busy += b.busy;
            stall += b.stall;
            done_events += b.events;
            events += b.events;
            last_tail = std::max(last_tail, b.tail);
            if (b.phase == 0)
                phase0_tail = std::max(phase0_tail, b.tail);
        }
        int64_t inputs_end = std::max(tc, wake);
        int64_t noc_wait = last_tail > wake ? last_tail - wake : 0;
        int64_t lif = s_.lif_cycles(id_);
        int64_t fin = 0, fin_stall = 0;
        if (is_head && t == s_.T - 1)
            fin = s_.head_final_cycles(id_, &fin_stall);
        int64_t done = inputs_end + lif + fin + fin_stall;
        busy += lif + fin;
        stall += fin_stall;
        if (busy_sig_) {
            busy_sig_->write(true);
            queue_sig_->write((int)std::min<int64_t>(events, 2147483647));
        }
        int64_t now = std::max(wake, key);
        if (done > now) {
            wait(period * (double)(done - now));
            m_.wakeups(1);
        }
        int64_t spikes = m_.fire(id_, t);
        if (is_head && t == s_.T - 1)
            m_.head_final(id_);
        int64_t span = done - start;
        int64_t idle = span - busy - stall - noc_wait;
        stats.busy_cycles += busy;
        stats.mem_stall_cycles += stall;
        stats.noc_wait_cycles += noc_wait;
        stats.idle_cycles += idle > 0 ? idle : 0;
        stats.events_in += events;
        stats.spikes_out += spikes;
        stats.peak_queue_events = std::max(stats.peak_queue_events, peak);
        spikes_step = spikes;
        if (busy_sig_) {
            busy_sig_->write(false);
            queue_sig_->write(0);
            spikes_sig_->write((int)spikes);
        }
        m_.core_done(id_, t, done);
    }
}

} // namespace myelin_sim
