// The agentbus parent: forks the agents, injects the timed faults, ends the
// run when every frame sent has been received, and writes the truth file.
#pragma once

#include "options.h"

namespace agentbus {

// Runs a whole bus; returns the process exit code (0 ok, 1 run failure).
int run_bus(const Options& opt);

}  // namespace agentbus
