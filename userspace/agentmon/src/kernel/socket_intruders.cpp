// The socket path's intruders: frames a process that is not an agent sent to an
// agent, by (offender, target type, carrier). Apart from socket_maps.cpp, which
// loads the object and reads the frame counters.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel/socket_maps.h"

// After socket_trace.h (via socket_reading.h): the skeleton embeds its types.
#include "socket_trace.skel.h"

namespace agentmon {

void SocketMaps::read_intruders(SocketReading& reading) const {
    // Few keys (offenders): one lookup each.
    const int intruders_fd = bpf_map__fd(skel_->maps.intruders);
    intruder_key key{}, next{};
    const void* prev = nullptr;
    while (bpf_map_get_next_key(intruders_fd, prev, &next) == 0) {
        key = next;
        prev = &key;
        frame_counts counts{};
        if (bpf_map_lookup_elem(intruders_fd, &key, &counts)) continue;
        IntruderEntry e;
        e.tgid = key.tgid;
        e.uid = key.uid;
        e.target_type = key.target_type;
        e.carrier = key.carrier;
        e.frames = counts.frames;
        e.bytes = counts.bytes;
        reading.intruders.push_back(e);
    }
}

}  // namespace agentmon
