// One agent process: a single-threaded nonblocking event loop over its
// listeners, connections and rings. Runs in a child forked by the bus.
#pragma once

#include <string>

#include "options.h"
#include "shared.h"

namespace agentbus {

// Runs agent `index` (0-based; id = index + 1) until the parent sets
// exit_now. Returns the process exit code.
int run_agent(const Options& opt, SharedBlock* shm, uint32_t index, const std::string& run_dir);

}  // namespace agentbus
