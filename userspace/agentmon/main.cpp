// agentmon: all logic lives in agentmon_core; see src/cli.cpp.
#include "cli.h"

int main(int argc, char** argv) { return agentmon::run_cli(argc, argv); }
