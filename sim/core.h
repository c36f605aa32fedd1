// sim/core.h — one neuromorphic core: an input spike queue, synapse memory with banks and a word
// width, accumulator lanes, a LIF phase per timestep and output packetisation (sim/README.md).
#ifndef MYELIN_SIM_CORE_H
#define MYELIN_SIM_CORE_H

#include <memory>
#include <vector>

#include <systemc>

#include "sim/model.h"

namespace myelin_sim {

SC_MODULE(core) {
public:
    // id: index into s.places; m: the run state it calls; step_start: the controller's timestep
    // event; trace: with signals
    SC_HAS_PROCESS(core);
    core(sc_core::sc_module_name name, const spec &s, model &m, int id,
         const sc_core::sc_event &step_start, sc_core::sc_trace_file *trace);

    void reset_step(int pending_streams); // controller, before a step starts
    void deliver(const burst &b);         // a burst for this step (arrival times in the future)
    void producer_done();                 // one input stream has nothing more this step

    myelin_array_core_stats stats{};
    int64_t spikes_step = 0;

private:
    static const std::size_t stack_bytes = 64 * 1024; // the thread's stack (set_stack_size)
    void run();
    const spec &s_;
    model &m_;
    int id_;
    const sc_core::sc_event &step_start_;
    sc_core::sc_event wake_;
    int pending_ = 0;
    std::vector<burst> inbox_;
    // trace signals exist only when tracing
    std::unique_ptr<sc_core::sc_signal<bool>> busy_sig_;
    std::unique_ptr<sc_core::sc_signal<int>> queue_sig_;
    std::unique_ptr<sc_core::sc_signal<int>> spikes_sig_;
};

} // namespace myelin_sim
#endif
