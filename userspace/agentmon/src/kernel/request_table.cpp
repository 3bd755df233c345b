#include "kernel/request_table.h"

#include <sys/mman.h>

#include <cerrno>

namespace agentmon {

namespace {

constexpr std::size_t kTableBytes = sizeof(request_slot) * REQUEST_SLOTS;

}  // namespace

void expire_request_slots(std::span<request_slot> slots, std::uint64_t now_ns,
                          std::uint64_t timeout_ns,
                          std::array<std::uint64_t, AGENT_TYPE_SLOTS>& unanswered) {
    for (auto& slot : slots) {
        __u64 received = __atomic_load_n(&slot.received_ns, __ATOMIC_ACQUIRE);
        if (received <= 1 || received + timeout_ns > now_ns) continue;  // free, or in time
        // Read before freeing: a new request may take the slot at once.
        std::uint32_t type = slot.responder_type;
        if (__atomic_compare_exchange_n(&slot.received_ns, &received, 0, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE) &&
            type < AGENT_TYPE_SLOTS)
            unanswered[type] += 1;
    }
}

Result<RequestTable> RequestTable::map(int map_fd) {
    void* p = mmap(nullptr, kTableBytes, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
    if (p == MAP_FAILED) return errno_error("mmap the requests map", errno);
    return RequestTable(static_cast<request_slot*>(p));
}

RequestTable::RequestTable(RequestTable&& other) noexcept : slots_(other.slots_) {
    other.slots_ = nullptr;
}

RequestTable::~RequestTable() {
    if (slots_) munmap(slots_, kTableBytes);
}

void RequestTable::expire(std::uint64_t now_ns, std::uint64_t timeout_ns,
                          std::array<std::uint64_t, AGENT_TYPE_SLOTS>& unanswered) {
    expire_request_slots({slots_, REQUEST_SLOTS}, now_ns, timeout_ns, unanswered);
}

}  // namespace agentmon
