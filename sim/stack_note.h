// sim/stack_note.h — tells Valgrind's memcheck where a SystemC thread's stack lies.
//
// SystemC 2.3.4 switches threads with QuickThreads, each on a stack of its own allocated on the
// heap. Memcheck cannot tell such a switch from a large stack allocation or release when the
// stacks are near each other (under --max-stackframe), so it marks the memory in between
// undefined or inaccessible: thousands of false reports on every simulation
// (accellera-official/systemc issue 89). A stack_note made first thing in an SC_THREAD
// registers the thread's stack (VALGRIND_STACK_REGISTER; valgrind then sees a switch between
// registered stacks as a switch) and forgets it when the thread returns. Outside Valgrind the
// client request is a few instructions that do nothing; without <valgrind/valgrind.h> at build
// time (configure checks) the class is empty.
#ifndef MYELIN_SIM_STACK_NOTE_H
#define MYELIN_SIM_STACK_NOTE_H

#include <cstddef>
#include <cstdint>

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

namespace myelin_sim {

class stack_note {
public:
    // bytes: the thread's stack size (set_stack_size, or SystemC's default). The stack's top is
    // a little above this frame (the coroutine's entry frames), so the region noted runs from
    // one stack size below this frame to slack bytes above it.
    explicit stack_note(std::size_t bytes)
    {
#ifdef HAVE_VALGRIND_VALGRIND_H
        volatile char here = 0;
        std::uintptr_t at = (std::uintptr_t)&here; // an address in the thread's first frame
        id_ = VALGRIND_STACK_REGISTER(at - bytes, at + slack);
#else
        (void)bytes;
#endif
    }
    ~stack_note()
    {
#ifdef HAVE_VALGRIND_VALGRIND_H
        VALGRIND_STACK_DEREGISTER(id_);
#endif
    }
    stack_note(const stack_note &) = delete;
    stack_note &operator=(const stack_note &) = delete;

private:
    static const std::size_t slack = 1024;
    unsigned id_ = 0;
};

} // namespace myelin_sim

#endif
