#pragma once
// Command-line front end (CLI11): parses, builds the logger and config, and
// dispatches to the subcommands. Exit codes: 0 success, 1 failure, 2 usage error.
namespace agentmon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int run_cli(int argc, char** argv);

}  // namespace agentmon
