#include "base/signals.h"

#include <atomic>
#include <csignal>

namespace agentmon {

namespace {
std::atomic<int> requested_by{0};
static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need a lock-free flag");

extern "C" void on_shutdown_signal(int sig) { requested_by.store(sig); }
}  // namespace

void install_shutdown_handlers() {
    struct sigaction action {};
    action.sa_handler = on_shutdown_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

bool shutdown_requested() { return requested_by.load() != 0; }
int shutdown_signal() { return requested_by.load(); }

}  // namespace agentmon
