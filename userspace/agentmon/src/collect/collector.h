#pragma once
// The seam later stages plug into: a Collector reads its BPF maps (or /proc) once
// per tick and appends metric families to the tick's snapshot. The loop owns the
// collectors; /metrics only ever serves the last complete snapshot.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "kernel/bpf_program_ref.h"
#include "metrics/snapshot.h"

namespace agentmon {

class Collector {
  public:
    virtual ~Collector() = default;
    virtual std::string_view name() const = 0;
    // Called from the collection thread once per tick; must not block for long.
    virtual Status collect(SnapshotBuilder& out) = 0;
    // Programs this collector keeps loaded (empty for /proc-only collectors).
    virtual std::vector<BpfProgramRef> programs() const { return {}; }
};

}  // namespace agentmon
