#include "model/ring_mappings.h"

#include <charconv>

namespace agentmon {

namespace {

// Consumes one space-separated field from `line`.
std::string_view next_field(std::string_view& line) {
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    const std::size_t end = line.find(' ');
    std::string_view field = line.substr(0, end);
    line.remove_prefix(end == std::string_view::npos ? line.size() : end);
    return field;
}

bool hex(std::string_view text, std::uint64_t& out) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
    return ec == std::errc() && ptr == text.data() + text.size();
}

bool dec(std::string_view text, std::uint64_t& out) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 10);
    return ec == std::errc() && ptr == text.data() + text.size();
}

// "7f12a0000000-7f12a0101000 rw-s 00000000 00:1a 12345   /dev/shm/agent_ring_x_1_0"
bool parse_line(std::string_view line, std::string_view prefix, RingMapping& out) {
    const std::string_view range = next_field(line);
    next_field(line);  // permissions
    const std::string_view offset = next_field(line);
    const std::string_view device = next_field(line);
    const std::string_view inode = next_field(line);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    std::string_view path = line;
    constexpr std::string_view kDeleted = " (deleted)";
    if (path.size() > kDeleted.size() && path.substr(path.size() - kDeleted.size()) == kDeleted) {
        path.remove_suffix(kDeleted.size());
        out.deleted = true;
    }
    if (path.substr(0, prefix.size()) != prefix) return false;
    const std::size_t dash = range.find('-'), colon = device.find(':');
    std::uint64_t off = 0, major = 0, minor = 0;
    if (dash == std::string_view::npos || colon == std::string_view::npos) return false;
    if (!hex(range.substr(0, dash), out.start) || !hex(range.substr(dash + 1), out.end) ||
        !hex(offset, off) || !hex(device.substr(0, colon), major) ||
        !hex(device.substr(colon + 1), minor) || !dec(inode, out.inode))
        return false;
    if (off != 0 || out.end < out.start + 4096) return false;
    out.device = major << 32 | minor;
    out.name = std::string(path.substr(path.rfind('/') + 1));
    return true;
}

}  // namespace

std::vector<RingMapping> parse_ring_mappings(std::string_view maps_text,
                                             std::string_view file_prefix) {
    std::vector<RingMapping> rings;
    while (!maps_text.empty()) {
        const std::size_t eol = maps_text.find('\n');
        std::string_view line = maps_text.substr(0, eol);
        maps_text.remove_prefix(eol == std::string_view::npos ? maps_text.size() : eol + 1);
        RingMapping mapping;
        if (parse_line(line, file_prefix, mapping)) rings.push_back(std::move(mapping));
    }
    return rings;
}

}  // namespace agentmon
