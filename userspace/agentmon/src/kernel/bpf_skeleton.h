#pragma once
// The one owner of a BPF object agentmon loads, over its bpftool skeleton type:
//
//   auto object = BpfSkeleton<socket_trace>::open(kSocketTraceOps, plan);
//   object->rodata->... = ...;       // configure between open and load
//   object.load(log);                 // pinned maps reused or re-created
//   object.attach_all(log);           // pinned links adopted or created
//
// Destruction closes the links first (pinned ones stay attached), then destroys
// the skeleton. The skeleton type may be incomplete where the owner is only held
// (the thin owners' headers); open/load/attach are used where the .skel.h is
// included.
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "kernel/bpf_lifecycle.h"

namespace agentmon {

template <class Skel>
class BpfSkeleton {
  public:
    // The skeleton's generated functions, e.g. {socket_trace__open, socket_trace__load,
    // socket_trace__destroy}.
    struct Ops {
        Skel* (*open)();
        int (*load)(Skel*);
        void (*destroy)(Skel*);
    };

    BpfSkeleton() = default;
    ~BpfSkeleton() { reset(); }
    BpfSkeleton(const BpfSkeleton&) = delete;
    BpfSkeleton& operator=(const BpfSkeleton&) = delete;
    BpfSkeleton(BpfSkeleton&& other) noexcept { *this = std::move(other); }
    BpfSkeleton& operator=(BpfSkeleton&& other) noexcept {
        if (this != &other) {
            reset();
            ops_ = other.ops_;
            skel_ = std::exchange(other.skel_, nullptr);
            lifecycle_ = std::move(other.lifecycle_);
        }
        return *this;
    }

    static Result<BpfSkeleton> open(const Ops& ops, BpfObjectPlan plan) {
        BpfSkeleton owner;
        owner.ops_ = ops;
        owner.skel_ = ops.open();
        if (!owner.skel_) return errno_error("open the " + plan.what + "'s BPF object", errno);
        owner.lifecycle_ = BpfLifecycle(std::move(plan));
        return owner;
    }

    Skel* operator->() const { return skel_; }
    Skel& operator*() const { return *skel_; }

    // Loads the programs (rodata is frozen from here on), reusing pinned maps.
    Status load(Logger& log) {
        lifecycle_.prepare_pins(skel_->obj, log);
        if (int err = ops_.load(skel_)) {
            const BpfObjectPlan& plan = lifecycle_.plan();
            return errno_error("load the " + plan.what + "'s BPF programs" +
                                   (plan.load_hint.empty() ? "" : " (" + plan.load_hint + ")"),
                               -err);
        }
        return Status::success();
    }

    Status attach_all(Logger& log) { return lifecycle_.attach_all(skel_->obj, log); }
    bpf_link* link(const bpf_program* prog) const { return lifecycle_.link(prog); }
    std::vector<BpfProgramRef> programs() const { return lifecycle_.programs(skel_->obj); }
    const BpfLifecycle& lifecycle() const { return lifecycle_; }

  private:
    void reset() {
        lifecycle_.release();
        if (skel_) ops_.destroy(skel_);
        skel_ = nullptr;
    }

    Ops ops_{};
    Skel* skel_ = nullptr;
    BpfLifecycle lifecycle_;
};

// Sets a `const volatile char name[N]` of an object's rodata to `text` (cut to N - 1
// characters, zero-padded), between open and load: the comm prefixes that make the
// kernel's task hooks mark a task by its name.
template <std::size_t N>
void set_rodata_string(const volatile char (&field)[N], const std::string& text) {
    char padded[N] = {};
    std::strncpy(padded, text.c_str(), N - 1);
    std::memcpy(const_cast<char*>(field), padded, N);
}

}  // namespace agentmon
