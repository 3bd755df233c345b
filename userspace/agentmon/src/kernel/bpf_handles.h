#pragma once
// RAII owner of a bpf_link: destroying the Link closes it, which detaches its
// program unless the link is pinned (skeletons are owned by BpfSkeleton); and one
// run of an iterator link.
#include <bpf/libbpf.h>

#include <memory>
#include <string>

#include "base/result.h"

namespace agentmon {

// An attached BPF program; destroying the Link detaches it.
class Link {
  public:
    Link() = default;
    explicit Link(bpf_link* link) : link_(link) {}
    ~Link() { reset(); }
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;
    Link(Link&& other) noexcept : link_(other.link_) { other.link_ = nullptr; }
    Link& operator=(Link&& other) noexcept {
        if (this != &other) {
            reset();
            link_ = other.link_;
            other.link_ = nullptr;
        }
        return *this;
    }

    bpf_link* get() const { return link_; }
    void reset() {
        if (link_) bpf_link__destroy(link_);
        link_ = nullptr;
    }

    // Attaches by the program's section name (tp_btf/, raw_tp/, tp/, iter/...).
    static Result<Link> attach(bpf_program* prog);
    // Attaches a cgroup program (sockops, cgroup_skb) to the cgroup open as cgroup_fd.
    static Result<Link> attach_cgroup(bpf_program* prog, int cgroup_fd);

  private:
    bpf_link* link_ = nullptr;
};

// Runs an attached iterator program once: reading its iterator fd to the end runs the
// program over every task (or socket, ...); what it writes is discarded. `what` names the
// iterator in errors: "agent state" gives "run the agent state iterator: ...".
Status run_iterator(bpf_link* link, const std::string& what);

}  // namespace agentmon
