#include "model/pid_namespace.h"

#include <unistd.h>

#include <charconv>

namespace agentmon {

std::optional<std::uint64_t> pid_namespace_inode(std::string_view text) {
    constexpr std::string_view kPrefix = "pid:[";
    if (text.substr(0, kPrefix.size()) != kPrefix || text.empty() || text.back() != ']')
        return std::nullopt;
    std::string_view digits = text.substr(kPrefix.size(), text.size() - kPrefix.size() - 1);
    std::uint64_t inode = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty())
        return std::nullopt;
    return inode;
}

bool proc_root_shows_host_pids(const std::string& proc_root) {
    char buf[64] = {};
    const ssize_t n = readlink((proc_root + "/1/ns/pid").c_str(), buf, sizeof(buf) - 1);
    if (n <= 0) return true;
    auto inode = pid_namespace_inode(std::string_view(buf, static_cast<std::size_t>(n)));
    return !inode || *inode == kInitialPidNamespaceInode;
}

}  // namespace agentmon
