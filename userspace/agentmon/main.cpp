// agentmon: all logic lives in the layer libraries under src/; see src/cli/cli.cpp.
#include "cli/cli.h"

int main(int argc, char** argv) { return agentmon::run_cli(argc, argv); }
