#include "kernel/bpf_handles.h"

#include <cerrno>
#include <cstring>

namespace agentmon {

namespace {
Result<Link> wrap(bpf_link* link, bpf_program* prog, const char* how) {
    if (!link) {
        int err = errno;
        return errno_error(std::string(how) + " " + bpf_program__name(prog) + " (" +
                               bpf_program__section_name(prog) + ")",
                           err);
    }
    return Link(link);
}
}  // namespace

Result<Link> Link::attach(bpf_program* prog) {
    return wrap(bpf_program__attach(prog), prog, "attach");
}

Result<Link> Link::attach_cgroup(bpf_program* prog, int cgroup_fd) {
    return wrap(bpf_program__attach_cgroup(prog, cgroup_fd), prog, "attach to cgroup");
}

}  // namespace agentmon
