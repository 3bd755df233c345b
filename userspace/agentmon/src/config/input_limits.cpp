#include "config/input_limits.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/fd.h"

namespace agentmon {

Result<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes) {
    int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (raw < 0) return errno_error("cannot read config file " + path, errno);
    Fd fd(raw);
    std::string text;
    char buffer[65536];
    while (text.size() <= max_bytes) {
        ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error("cannot read config file " + path, errno);
        if (n == 0) return text;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return Error{"config file " + path + " is larger than " + std::to_string(max_bytes >> 20) +
                     " MiB; a config is a few KiB (is this the right file?)",
                 EFBIG};
}

std::optional<std::string> json_depth_problem(std::string_view text, std::size_t max_depth) {
    std::size_t depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return "nested deeper than " + std::to_string(max_depth) +
                       " levels of arrays and objects (at byte " + std::to_string(i) + ")";
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::nullopt;
}

std::string one_line(std::string_view problem) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(problem.size());
    for (const char c : problem) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace agentmon
