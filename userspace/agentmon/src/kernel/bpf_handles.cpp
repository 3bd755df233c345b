#include "kernel/bpf_handles.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd.h"

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

Status run_iterator(bpf_link* link, const std::string& what) {
    Fd iter(bpf_iter_create(bpf_link__fd(link)));
    if (!iter.valid()) return errno_error("bpf_iter_create (" + what + ")", errno);
    char buf[256];
    ssize_t n;
    while ((n = ::read(iter.get(), buf, sizeof buf)) > 0) {
    }
    if (n < 0) return errno_error("run the " + what + " iterator", errno);
    return Status::success();
}

}  // namespace agentmon
