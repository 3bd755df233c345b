#include "config/pin_dir.h"

#include <linux/magic.h>
#include <sys/vfs.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace agentmon {

std::optional<std::string> pin_dir_problem(std::string_view pin_dir) {
    const std::string quoted = "\"" + std::string(pin_dir) + "\"";
    if (pin_dir.substr(0, kBpffsRoot.size()) != kBpffsRoot || pin_dir.size() <= kBpffsRoot.size())
        return quoted + " must be a directory under /sys/fs/bpf/ (bpffs), e.g. " +
               "\"/sys/fs/bpf/agentmon\"";
    std::string_view rest = pin_dir.substr(kBpffsRoot.size());
    while (!rest.empty()) {
        const size_t slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        if (part == "." || part == "..")
            return quoted + " has a \"" + std::string(part) +
                   "\" part; write the directory under /sys/fs/bpf/ plainly";
        if (part.empty()) return quoted + " has an empty part (\"//\")";
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
    }
    return std::nullopt;
}

Status verify_pin_dir_on_bpffs(const std::string& pin_dir) {
    char resolved[PATH_MAX];
    if (!realpath(pin_dir.c_str(), resolved))
        return errno_error("pin_dir " + pin_dir + " cannot be resolved", errno);
    const std::string real(resolved);
    if (real.rfind(kBpffsRoot, 0) != 0 || real.size() <= kBpffsRoot.size())
        return Error{"pin_dir " + pin_dir + " resolves to " + real +
                     ", outside /sys/fs/bpf/; refusing to pin or clean up there"};
    struct statfs fs {};
    if (statfs(resolved, &fs) != 0)
        return errno_error("pin_dir " + pin_dir + ": statfs failed", errno);
    if (static_cast<unsigned long>(fs.f_type) != BPF_FS_MAGIC)
        return Error{"pin_dir " + pin_dir + " (" + real +
                     ") is not on a bpffs mount; mount one with "
                     "`mount -t bpf bpf /sys/fs/bpf`"};
    return Status::success();
}

}  // namespace agentmon
