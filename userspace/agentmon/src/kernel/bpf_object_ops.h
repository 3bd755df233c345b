#pragma once
// What every collector that owns a BPF object does with it after load: attach all
// its programs, pin the maps worth reading from outside, list its programs for the
// run-time statistics.
#include <bpf/libbpf.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "kernel/bpf_handles.h"
#include "kernel/bpf_program_ref.h"

namespace agentmon {

// Attaches every program of `obj` by its section name; the first failure is returned.
Result<std::vector<Link>> attach_all(bpf_object* obj);

// Pins each map `want` accepts at dir/<map name>, replacing a stale pin a previous
// run left; appends each path to `pinned` (the caller unpins them).
Status pin_maps(bpf_object* obj, const std::string& dir, bool (*want)(const bpf_map*),
                std::vector<std::string>& pinned);

std::vector<BpfProgramRef> program_refs(const bpf_object* obj);

}  // namespace agentmon
