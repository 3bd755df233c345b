// Who talks to whom. Socket carriers form a full mesh (every agent connects to
// every other agent's listener). Rings join each agent to its neighbours on a
// circle (i-1 and i+1), one SPSC ring per direction, so 28 agents use 56 rings
// (56 MiB at the default size) rather than 756.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "agent_types.h"

namespace agentbus {

inline std::vector<uint32_t> ring_neighbours(uint32_t i, uint32_t n) {
    std::vector<uint32_t> v{(i + 1) % n, (i + n - 1) % n};
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    v.erase(std::remove(v.begin(), v.end(), i), v.end());
    return v;
}

inline std::string stream_socket_path(const std::string& dir, uint32_t id) {
    return dir + "/agent_" + agen::agent_name(id) + ".sock";
}
inline std::string dgram_socket_path(const std::string& dir, uint32_t id) {
    return dir + "/agent_" + agen::agent_name(id) + ".dgram";
}
// The address of the unix socket at `path` (bus.cpp checks the run directory leaves
// room for the longest name).
inline sockaddr_un unix_address(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    return a;
}
inline std::string agent_comm(uint32_t id) {
    // The kernel keeps 15 bytes of comm: AG_PROJECT_ORCHESTRATOR reads AG_PROJECT_ORCH.
    return ("AG_" + std::string(agen::agent_type_name(id))).substr(0, 15);
}

}  // namespace agentbus
