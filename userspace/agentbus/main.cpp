// agentbus: the reference multi-agent bus (docs/transport.md "agentbus").
#include <cstdio>

#include "bus.h"
#include "options.h"

int main(int argc, char** argv) {
    const agentbus::ParseResult p = agentbus::parse_options(argc, argv);
    if (!p.options) {
        std::fputs(p.message.c_str(), p.exit_code == 0 ? stdout : stderr);
        return p.exit_code;
    }
    return agentbus::run_bus(*p.options);
}
