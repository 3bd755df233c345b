#pragma once
// Programs that stay attached while agentmon is down: each program's link is
// pinned, and the next start adopts it instead of attaching anew, so no event
// between the two runs goes uncounted.
//
// A pinned link whose program is the version just loaded (same instructions by
// tag, same maps by id, same read-only config) is kept as it is: its program
// keeps running and its run-time statistics keep growing. Otherwise the link is
// moved to the new program: atomically where the link type allows it
// (bpf_link__update_program), else by attaching the new program before the old
// link is dropped, so for an instant both run (events then are counted twice,
// never missed).
#include <bpf/libbpf.h>

#include <string>

#include "base/fd.h"
#include "base/log.h"
#include "base/result.h"
#include "kernel/bpf_handles.h"

namespace agentmon {

struct AttachedProgram {
    Link link;
    // The program the link runs when that is an earlier run's load; -1 when it
    // is `prog` itself.
    Fd adopted;
};

// Attaches `prog` through the link pinned at `pin_path`, or attaches it and pins
// the new link there when nothing is pinned yet.
Result<AttachedProgram> attach_pinned(bpf_program* prog, const std::string& pin_path, Logger& log);

// Whether the program loaded as `old_fd` is the same version as `new_fd`.
bool same_program_version(int old_fd, int new_fd);

}  // namespace agentmon
