#pragma once
// Owns the pid translator's BPF object (bpf/pid_translate.bpf.c). When agentmon
// runs in a pid namespace of its own, its /proc numbers tasks in that namespace
// while every kernel map is keyed by host ids; read() runs the task iterator once
// and returns, for every task visible in agentmon's namespace, both ids.
#include <cstdint>
#include <memory>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "kernel/bpf_program_ref.h"
#include "kernel/bpf_skeleton.h"

struct pid_translate;

namespace agentmon {

// One task's ids: the host's (the kernel's) and the namespace's.
struct PidPair {
    std::uint32_t host_tid = 0, host_tgid = 0;
    std::uint32_t ns_tid = 0, ns_tgid = 0;
};

class PidTranslator {
  public:
    // `pidns_inode`: the namespace to translate from (/proc/self/ns/pid).
    static Result<std::unique_ptr<PidTranslator>> create(std::uint64_t pidns_inode, Logger& log);

    // Every task visible in the namespace, in the kernel's task order.
    Result<std::vector<PidPair>> read();

    std::vector<BpfProgramRef> programs() const;

  private:
    using Skel = BpfSkeleton<pid_translate>;
    explicit PidTranslator(Skel skel) : skel_(std::move(skel)) {}

    Skel skel_;
    bpf_link* iterator_ = nullptr;  // owned by skel_
};

}  // namespace agentmon
