#pragma once
// The clock that ticks, rates and ages are measured on.
#include <cstdint>

namespace agentmon {

// CLOCK_MONOTONIC in seconds: the clock of the kernel's bpf_ktime_get_ns() and of
// the bus's frame timestamps, so ages computed against them need no translation.
double monotonic_seconds();
// The same clock in nanoseconds, as the kernel and the ring's stamps count it.
std::uint64_t monotonic_ns();

}  // namespace agentmon
