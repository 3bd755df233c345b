// The socket path's queue-depth reading, once per tick: the packets waiting in
// each agent's socket receive queues (from the unix and tcp socket iterators)
// and its receive errors (from the backlog map). Apart from socket_maps.cpp,
// which loads the object and reads the frame counters.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <vector>

#include "kernel/socket_maps.h"

// After socket_trace.h (via socket_reading.h): the skeleton embeds its types.
#include "socket_trace.skel.h"

namespace agentmon {

namespace {

// Adds each record a backlog iterator writes (one per socket with packets
// waiting) to its owner's packets. A failure leaves the packets at 0 this tick.
void add_iterated_backlog(bpf_link* iterator, std::map<std::uint32_t, backlog>& out) {
    if (!iterator) return;
    const int fd = bpf_iter_create(bpf_link__fd(iterator));
    if (fd < 0) return;
    backlog_record records[256];
    ssize_t n = 0;
    while ((n = ::read(fd, records, sizeof records)) > 0)
        for (ssize_t i = 0; i < n / static_cast<ssize_t>(sizeof(backlog_record)); ++i)
            out[records[i].owner_tgid].packets += records[i].packets;
    close(fd);
}

}  // namespace

std::map<std::uint32_t, backlog> SocketMaps::read_backlog(const std::set<std::uint32_t>& alive) {
    const int fd = bpf_map__fd(skel_->maps.backlog);
    std::map<std::uint32_t, backlog> out;
    std::vector<std::uint32_t> gone;
    std::uint32_t key = 0, next = 0;
    const void* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        key = next;
        prev = &key;
        if (!alive.count(key)) {
            gone.push_back(key);
            continue;
        }
        backlog value{};
        if (bpf_map_lookup_elem(fd, &key, &value) == 0) out[key].errors = value.errors;
    }
    for (std::uint32_t tgid : gone) bpf_map_delete_elem(fd, &tgid);
    add_iterated_backlog(skel_.link(skel_->progs.unix_backlog), out);
    add_iterated_backlog(skel_.link(skel_->progs.tcp_backlog), out);
    std::erase_if(out, [&](const auto& entry) { return !alive.count(entry.first); });
    return out;
}

}  // namespace agentmon
