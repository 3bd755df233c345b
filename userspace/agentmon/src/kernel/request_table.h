#pragma once
// User space's side of the socket path's request table (`requests` in
// bpf/socket_maps.bpf.h, request_slot in bpf/abi/socket_trace.h): the kernel
// fills a slot when an agent receives a request and frees it when the agent
// replies; what stays longer than the request timeout was never answered.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "abi/socket_trace.h"
#include "base/result.h"

namespace agentmon {

static_assert(sizeof(request_key) == 16, "request_key layout shared with the BPF side");
static_assert(sizeof(request_slot) == 32, "request_slot layout shared with the BPF side");
static_assert((REQUEST_SLOTS & (REQUEST_SLOTS - 1)) == 0, "the kernel masks slot indexes");

// Frees the live slots received more than `timeout_ns` before `now_ns` and counts
// them by responding agent type. A slot is freed by compare-and-swap, as the
// kernel frees it: a reply that frees it first was answered, and is not counted.
void expire_request_slots(std::span<request_slot> slots, std::uint64_t now_ns,
                          std::uint64_t timeout_ns,
                          std::array<std::uint64_t, AGENT_TYPE_SLOTS>& unanswered);

// The kernel's table, mapped into this process (the map is BPF_F_MMAPABLE): one
// expiry pass reads memory, with no syscall per request.
class RequestTable {
  public:
    static Result<RequestTable> map(int map_fd);
    RequestTable(RequestTable&& other) noexcept;
    RequestTable& operator=(RequestTable&&) = delete;
    RequestTable(const RequestTable&) = delete;
    ~RequestTable();

    void expire(std::uint64_t now_ns, std::uint64_t timeout_ns,
                std::array<std::uint64_t, AGENT_TYPE_SLOTS>& unanswered);

  private:
    explicit RequestTable(request_slot* slots) : slots_(slots) {}
    request_slot* slots_;
};

}  // namespace agentmon
