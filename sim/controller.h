// sim/controller.h — the array's controller: injects each image, starts every timestep and
// closes it with a barrier (all cores finished their LIF phase, all packets delivered).
#ifndef MYELIN_SIM_CONTROLLER_H
#define MYELIN_SIM_CONTROLLER_H

#include <memory>

#include <systemc>

#include "sim/model.h"

namespace myelin_sim {

SC_MODULE(controller) {
public:
    SC_HAS_PROCESS(controller);
    controller(sc_core::sc_module_name name, const spec &s, model &m, sc_core::sc_trace_file *trace);

    sc_core::sc_event step_start; // cores wait on it
    int status = 0;               // 0, or the MYELIN_E* that stopped the run
    myelin_error err{};

private:
    void run();
    const spec &s_;
    model &m_;
    sc_core::sc_event barrier_;
    std::unique_ptr<sc_core::sc_signal<int>> step_sig_;
    std::unique_ptr<sc_core::sc_signal<int>> image_sig_;
};

} // namespace myelin_sim
#endif
