#pragma once
// RAII owners for libbpf objects: skeletons in a unique_ptr whose deleter calls the
// skeleton's destroy(), and a Link that detaches in its destructor.
#include <bpf/libbpf.h>

#include <memory>
#include <string>

#include "base/result.h"

namespace agentmon {

// SkelPtr<features, features__destroy> owns a skeleton opened with features__open().
template <class Skel, void (*Destroy)(Skel*)>
struct SkelDeleter {
    void operator()(Skel* skel) const {
        if (skel) Destroy(skel);
    }
};
template <class Skel, void (*Destroy)(Skel*)>
using SkelPtr = std::unique_ptr<Skel, SkelDeleter<Skel, Destroy>>;

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

}  // namespace agentmon
