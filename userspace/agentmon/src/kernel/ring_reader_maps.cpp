#include "kernel/ring_reader_maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>

#include "kernel/bpf_handles.h"
#include "kernel/ring_records.h"
#include "ring_reader.skel.h"

namespace agentmon {

static_assert(sizeof(ring_slot) == 40, "ring_slot layout shared with bpf/ring_reader.bpf.c");
static_assert(sizeof(ring_proc) == 4 + 4 * RING_PER_PROC_MAX, "ring_proc layout shared");

namespace {

// The rings' configuration and the reader's counters; the ring buffer of copies
// is per run (no program writes it while agentmon is down: the iterator runs
// only when a tick reads it, so its link is not pinned either).
bool pin_all_but_internal_and_ringbuf(const bpf_map* map) {
    return bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF && pin_all_but_internal_maps(map);
}

// ring_procs is per-tick configuration: an earlier run's entries name processes
// this run has not chosen to read through.
void clear_ring_procs(int fd) {
    std::uint32_t key = 0;
    while (bpf_map_get_next_key(fd, nullptr, &key) == 0)
        if (bpf_map_delete_elem(fd, &key)) break;
}

}  // namespace

RingReaderMaps::~RingReaderMaps() {
    if (reads_) ring_buffer__free(reads_);
}

Result<std::unique_ptr<RingReaderMaps>> RingReaderMaps::create(const std::string& pin_dir,
                                                               Logger& log) {
    BpfObjectPlan plan{"ring path",
                       "a sleepable task iterator with bpf_copy_from_user_task, kernel 5.18+, "
                       "and root or CAP_BPF+CAP_PERFMON+CAP_SYS_PTRACE; `agentmon check` shows "
                       "which is missing",
                       pin_dir, pin_all_but_internal_and_ringbuf, /*pin_links=*/false};
    auto opened =
        Skel::open({ring_reader__open, ring_reader__load, ring_reader__destroy}, std::move(plan));
    if (!opened) return opened.error();
    Skel skel = std::move(opened).value();
    if (Status st = skel.load(log); !st) return st.error();
    std::unique_ptr<RingReaderMaps> maps(new RingReaderMaps(std::move(skel)));
    if (Status st = maps->skel_.attach_all(log); !st) return st.error();
    maps->iterator_ = maps->skel_.link(maps->skel_->progs.read_rings);
    clear_ring_procs(bpf_map__fd(maps->skel_->maps.ring_procs));
    maps->reads_ = ring_buffer__new(bpf_map__fd(maps->skel_->maps.ring_reads),
                                    &RingReaderMaps::on_record, maps.get(), nullptr);
    if (!maps->reads_) return errno_error("open the ring_reads ring buffer", errno);
    return maps;
}

Status RingReaderMaps::configure(const std::vector<RingTarget>& targets) {
    const int slots_fd = bpf_map__fd(skel_->maps.ring_slots);
    const int procs_fd = bpf_map__fd(skel_->maps.ring_procs);
    std::map<std::uint32_t, ring_proc> procs;
    generation_of_.clear();
    for (const auto& t : targets) {
        ring_proc& proc = procs[t.tgid];
        if (proc.count >= RING_PER_PROC_MAX) continue;  // the collector reports these
        proc.slots[proc.count++] = t.slot;
        ring_slot slot{t.addr, t.map_len, t.sample_from, t.tgid, t.windows, t.generation, 0};
        if (bpf_map_update_elem(slots_fd, &t.slot, &slot, BPF_ANY))
            return errno_error("update ring_slots", errno);
        generation_of_[t.slot] = t.generation;
    }
    for (std::uint32_t tgid : procs_)
        if (!procs.count(tgid)) bpf_map_delete_elem(procs_fd, &tgid);
    procs_.clear();
    for (const auto& [tgid, proc] : procs) {
        if (bpf_map_update_elem(procs_fd, &tgid, &proc, BPF_ANY))
            return errno_error("update ring_procs", errno);
        procs_.push_back(tgid);
    }
    return Status::success();
}

int RingReaderMaps::on_record(void* self_ptr, void* data, std::size_t size) {
    auto* self = static_cast<RingReaderMaps*>(self_ptr);
    if (self->collecting_)
        collect_ring_record(data, size, self->generation_of_, *self->collecting_);
    return 0;
}

Result<std::map<std::uint32_t, RingRead>> RingReaderMaps::read(
    const std::vector<RingTarget>& targets) {
    std::map<std::uint32_t, RingRead> reads;
    if (Status st = configure(targets); !st) return st.error();
    if (targets.empty()) return reads;
    // Records left from a tick that failed half-way belong to no one now.
    collecting_ = nullptr;
    ring_buffer__consume(reads_);
    if (Status st = run_iterator(iterator_, "ring reader"); !st) return st.error();
    collecting_ = &reads;
    const int consumed = ring_buffer__consume(reads_);
    collecting_ = nullptr;
    if (consumed < 0) return errno_error("consume ring_reads", -consumed);
    drop_unplaced_reads(reads);
    return reads;
}

std::array<std::uint64_t, RING_EVENT_COUNT> RingReaderMaps::events() const {
    std::array<std::uint64_t, RING_EVENT_COUNT> out{};
    const int fd = bpf_map__fd(skel_->maps.reader_events);
    for (std::uint32_t i = 0; i < RING_EVENT_COUNT; ++i) bpf_map_lookup_elem(fd, &i, &out[i]);
    return out;
}

std::vector<BpfProgramRef> RingReaderMaps::programs() const { return skel_.programs(); }

}  // namespace agentmon
