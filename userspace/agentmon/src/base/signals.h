#pragma once
// SIGTERM and SIGINT only set a flag; the main thread polls it. The flag is the one
// piece of process-wide mutable state a signal handler can touch
// (a lock-free std::atomic<bool>, async-signal-safe).
namespace agentmon {

// Installs the handlers (without SA_RESTART, so blocking calls return EINTR).
void install_shutdown_handlers();
bool shutdown_requested();
// The signal that requested shutdown, 0 if none.
int shutdown_signal();

}  // namespace agentmon
