#include "base/mounts.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace agentmon {

namespace {

std::string unescape_octal(const std::string& in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\\' && i + 3 < in.size()) {
            const char a = in[i + 1], b = in[i + 2], c = in[i + 3];
            if (a >= '0' && a <= '7' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
                out += static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0'));
                i += 3;
                continue;
            }
        }
        out += in[i];
    }
    return out;
}

}  // namespace

std::vector<MountEntry> parse_mounts(std::istream& mounts) {
    std::vector<MountEntry> entries;
    std::string line;
    while (std::getline(mounts, line)) {
        std::istringstream fields(line);
        MountEntry entry;
        if (!(fields >> entry.source >> entry.target >> entry.fs_type)) continue;
        entry.source = unescape_octal(entry.source);
        entry.target = unescape_octal(entry.target);
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::optional<std::string> find_mount_by_type(const std::vector<MountEntry>& mounts,
                                              const std::string& fs_type) {
    for (const auto& entry : mounts)
        if (entry.fs_type == fs_type) return entry.target;
    return std::nullopt;
}

bool is_mounted_at(const std::vector<MountEntry>& mounts, const std::string& target,
                   const std::string& fs_type) {
    for (const auto& entry : mounts)
        if (entry.target == target && entry.fs_type == fs_type) return true;
    return false;
}

std::vector<MountEntry> read_mounts() {
    std::ifstream file("/proc/self/mounts");
    return parse_mounts(file);
}

Result<MountState> ensure_mounted(const std::string& target, const std::string& fs_type,
                                  const std::string& source, bool may_mount) {
    if (is_mounted_at(read_mounts(), target, fs_type)) return MountState::already_mounted;
    const std::string fix = "mount -t " + fs_type + " " + source + " " + target;
    if (!may_mount)
        return Error{fs_type + " is not mounted at " + target + "; run `" + fix + "` as root"};
    if (::mount(source.c_str(), target.c_str(), fs_type.c_str(), 0, nullptr) != 0) {
        int err = errno;
        return errno_error("mounting " + fs_type + " at " + target + " failed (try `" + fix + "`)",
                           err);
    }
    return MountState::mounted_now;
}

Status ensure_directory(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) return Status::success();
    return errno_error("cannot create " + dir, errno);
}

}  // namespace agentmon
