// sim/controller.cpp — images and timesteps, the end-of-step barrier (see controller.h).
#include "sim/controller.h"
#include "sim/stack_note.h"

#include <string>

namespace myelin_sim {

using namespace sc_core;

controller::controller(sc_module_name name, const spec &s, model &m, sc_trace_file *trace)
    : sc_module(name), s_(s), m_(m)
{
    m_.on_barrier = [this]() { barrier_.notify(SC_ZERO_TIME); };
    if (trace) {
        step_sig_.reset(new sc_signal<int>("step_sig"));
        image_sig_.reset(new sc_signal<int>("image_sig"));
        sc_trace(trace, *step_sig_, std::string(this->name()) + ".timestep");
        sc_trace(trace, *image_sig_, std::string(this->name()) + ".image");
    }
    SC_THREAD(run);
}

void controller::run()
{
    const stack_note note((std::size_t)SC_DEFAULT_STACK_SIZE);
    const sc_time period((double)s_.period_ps, SC_PS);
    for (;;) {
        int got = m_.begin_image(&err);
        if (got < 0) {
            status = got;
            break;
        }
        if (got == 0)
            break;
        int64_t img_start = (int64_t)(sc_time_stamp().value() / (sc_dt::uint64)s_.period_ps);
        if (image_sig_)
            image_sig_->write((int)m_.image());
        for (int t = 0; t < s_.T; t++) {
            int64_t now = (int64_t)(sc_time_stamp().value() / (sc_dt::uint64)s_.period_ps);
            m_.begin_step(t, now);
            if (step_sig_)
                step_sig_->write(t);
            step_start.notify(SC_ZERO_TIME);
            wait(barrier_);
            wait(period * (double)s_.barrier_cycles);
            m_.wakeups(2);
        }
        int64_t end = (int64_t)(sc_time_stamp().value() / (sc_dt::uint64)s_.period_ps);
        int rc = m_.end_image(end - img_start, &err);
        if (rc) {
            status = rc;
            break;
        }
    }
    m_.finish();
    step_start.notify(SC_ZERO_TIME);
    wait(SC_ZERO_TIME);
    sc_stop();
}

} // namespace myelin_sim
