#pragma once
#include <string>

namespace agentmon {

// A loaded BPF program whose run-time statistics the loop exports as
// agentmon_bpf_program_{run_time_seconds,runs}_total{program}.
struct BpfProgramRef {
    std::string name;
    int fd = -1;  // owned by the collector that loaded it
};

}  // namespace agentmon
