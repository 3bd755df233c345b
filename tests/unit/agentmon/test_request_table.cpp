// expire_request_slots: the user-space half of the kernel's request table frees
// exactly the live requests older than the timeout and counts each once.
#include <doctest/doctest.h>

#include <vector>

#include "kernel/request_table.h"

using namespace agentmon;

namespace {

request_slot live(std::uint64_t received_ns, std::uint32_t type) {
    request_slot s{};
    s.key = {.responder_tgid = 7, .requester = 3, .sequence = received_ns};
    s.received_ns = received_ns;
    s.responder_type = type;
    return s;
}

}  // namespace

TEST_CASE("requests older than the timeout are freed and counted by responder type") {
    std::vector<request_slot> slots = {live(100, 2), live(900, 2), live(150, 5), {}};
    std::array<std::uint64_t, AGENT_TYPE_SLOTS> unanswered{};
    expire_request_slots(slots, 1000, 500, unanswered);
    CHECK(unanswered[2] == 1);  // 100 expired, 900 still in time
    CHECK(unanswered[5] == 1);
    CHECK(slots[0].received_ns == 0);
    CHECK(slots[1].received_ns == 900);
    CHECK(slots[2].received_ns == 0);
}

TEST_CASE("free slots and slots being written are never counted") {
    std::vector<request_slot> slots(3);
    slots[1].received_ns = 1;  // the kernel is writing this one
    slots[1].responder_type = 4;
    std::array<std::uint64_t, AGENT_TYPE_SLOTS> unanswered{};
    expire_request_slots(slots, 1'000'000, 10, unanswered);
    for (auto n : unanswered) CHECK(n == 0);
    CHECK(slots[1].received_ns == 1);
}

TEST_CASE("a second pass counts nothing again") {
    std::vector<request_slot> slots = {live(10, 9)};
    std::array<std::uint64_t, AGENT_TYPE_SLOTS> unanswered{};
    expire_request_slots(slots, 1000, 100, unanswered);
    expire_request_slots(slots, 2000, 100, unanswered);
    CHECK(unanswered[9] == 1);
}

TEST_CASE("an out-of-range responder type is freed but not counted") {
    std::vector<request_slot> slots = {live(10, AGENT_TYPE_SLOTS)};
    std::array<std::uint64_t, AGENT_TYPE_SLOTS> unanswered{};
    expire_request_slots(slots, 1000, 100, unanswered);
    CHECK(slots[0].received_ns == 0);
    std::uint64_t total = 0;
    for (auto n : unanswered) total += n;
    CHECK(total == 0);
}
