#pragma once
// What happens to one BPF object between open and destruction, the same for
// every object agentmon loads: pinned maps reused (or re-created when their
// layout changed) before load, programs attached after it through pinned links
// that survive agentmon, and the attached programs listed for the run-time
// statistics. Nothing pinned is removed here: pins belong to the pin directory
// and only `agentmon detach` removes them.
#include <bpf/libbpf.h>

#include <map>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/log.h"
#include "base/result.h"
#include "kernel/bpf_handles.h"
#include "kernel/bpf_program_ref.h"

namespace agentmon {

struct BpfObjectPlan {
    std::string what;       // "socket path": named in log lines and errors
    std::string load_hint;  // what a refused load needs, and how to find out
    std::string pin_dir;    // "" = nothing pinned; maps and links die with agentmon
    // Which maps are pinned at <pin_dir>/<map name> and reused by the next start.
    bool (*pin_map)(const bpf_map*) = nullptr;
    // Programs stay attached while agentmon is down, through links pinned at
    // <pin_dir>/links/<object>/<program>.
    bool pin_links = false;
};

// Every map but the per-load internal ones (.rodata, .bss: their names hold a
// dot): a program kept attached across a restart must use the very maps the new
// run reads and writes, or its version check fails and it is replaced. The
// usual `pin_map`; objects that keep some maps per run narrow it.
bool pin_all_but_internal_maps(const bpf_map* map);

class BpfLifecycle {
  public:
    explicit BpfLifecycle(BpfObjectPlan plan = {}) : plan_(std::move(plan)) {}

    const BpfObjectPlan& plan() const { return plan_; }

    // Between open and load: each map to pin gets its pin path, after a pinned map
    // of another layout is unpinned (with a log line) so the load creates it anew.
    void prepare_pins(bpf_object* obj, Logger& log);

    // After load: attaches every program that was loaded (a program with autoload
    // off is skipped), adopting pinned links when plan().pin_links, and removes
    // pinned links of programs this start did not load.
    Status attach_all(bpf_object* obj, Logger& log);

    // The link of an attached program (nullptr before attach_all).
    bpf_link* link(const bpf_program* prog) const;

    // The attached programs: for an adopted link, the earlier run's program.
    std::vector<BpfProgramRef> programs(const bpf_object* obj) const;

    // Closes the links (pinned ones stay attached through their pin).
    void release() {
        links_.clear();
        adopted_.clear();
    }

    // Maps this start re-created because the pinned one's layout differed.
    const std::vector<std::string>& recreated_maps() const { return recreated_; }

  private:
    void drop_orphan_links(const std::string& dir, const bpf_object* obj, Logger& log);

    BpfObjectPlan plan_;
    std::map<const bpf_program*, Link> links_;
    std::map<const bpf_program*, Fd> adopted_;
    std::vector<std::string> recreated_;
};

// <pin_dir>/links/<object name>, where an object's program links are pinned.
std::string link_pin_dir(const std::string& pin_dir, const bpf_object* obj);

}  // namespace agentmon
