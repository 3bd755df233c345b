#include "base/caps.h"

#include <charconv>
#include <fstream>
#include <string>

namespace agentmon {

std::optional<std::uint64_t> parse_cap_eff(std::istream& status) {
    constexpr std::string_view kKey = "CapEff:";
    std::string line;
    while (std::getline(status, line)) {
        if (line.compare(0, kKey.size(), kKey) != 0) continue;
        std::string_view rest(line);
        rest.remove_prefix(kKey.size());
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t'))
            rest.remove_prefix(1);
        while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r')) rest.remove_suffix(1);
        if (rest.empty() || rest.size() > 16) return std::nullopt;
        std::uint64_t mask = 0;
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), mask, 16);
        if (ec != std::errc() || end != rest.data() + rest.size()) return std::nullopt;
        return mask;
    }
    return std::nullopt;
}

std::string_view cap_name(int cap) {
    switch (cap) {
        case kCapSysPtrace:
            return "CAP_SYS_PTRACE";
        case kCapSysAdmin:
            return "CAP_SYS_ADMIN";
        case kCapSysResource:
            return "CAP_SYS_RESOURCE";
        case kCapPerfmon:
            return "CAP_PERFMON";
        case kCapBpf:
            return "CAP_BPF";
        case kCapDacReadSearch:
            return "CAP_DAC_READ_SEARCH";
        case kCapCheckpointRestore:
            return "CAP_CHECKPOINT_RESTORE";
    }
    return "CAP_?";
}

bool may_load_bpf() {
    std::ifstream status("/proc/self/status");
    const auto caps = parse_cap_eff(status);
    if (!caps) return false;
    return has_cap(*caps, kCapSysAdmin) || (has_cap(*caps, kCapBpf) && has_cap(*caps, kCapPerfmon));
}

}  // namespace agentmon
