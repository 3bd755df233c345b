#include "kernel/ring_file_read.h"

#include <sys/stat.h>
#include <unistd.h>

namespace agentmon {

namespace {

bool read_at(int fd, std::uint8_t* out, std::size_t len, std::uint64_t offset) {
    std::size_t have = 0;
    while (have < len) {
        ssize_t n = ::pread(fd, out + have, len - have, static_cast<off_t>(offset + have));
        if (n <= 0) return false;
        have += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

RingRead read_ring_file(int fd, const RingCursor& before, std::uint64_t now_ns) {
    RingRead read;
    read.read_ns = now_ns;
    read.final_read = true;
    std::uint8_t control[RING_CONTROL_BYTES];
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0 || !read_at(fd, control, sizeof control, 0)) {
        read.status = RING_READ_CONTROL_FAILED;
        return read;
    }
    read.control = parse_control_block(control);
    const RingControlBlock& c = read.control;
    read.head_after = c.head;
    if (c.size == 0 || (c.size & (c.size - 1)) || c.mask != c.size - 1) {
        read.status = RING_READ_BAD_SIZE;
        return read;
    }
    if (RING_DATA_OFFSET + std::uint64_t{c.size} > static_cast<std::uint64_t>(st.st_size)) {
        read.status = RING_READ_TRUNCATED;
        return read;
    }
    if (c.tail > c.head) {
        read.status = RING_READ_TAIL_AHEAD;
        return read;
    }
    // Nothing writes any more: every record from the last tail (or the oldest still
    // in the ring) to the head is intact. Windows end at the data area's end, as
    // the kernel's do, so the walker sees pads the same way.
    std::uint64_t pos = before.tail > c.tail ? c.tail : before.tail;
    if (c.head > c.size && pos < c.head - c.size) pos = c.head - c.size;
    while (pos < c.head) {
        const std::uint64_t offset = pos & c.mask;
        std::uint64_t len = RING_WINDOW_BYTES;
        if (len > c.size - offset) len = c.size - offset;
        if (len > c.head - pos) len = c.head - pos;
        RingWindow w;
        w.position = pos;
        w.data.resize(len);
        if (!read_at(fd, w.data.data(), len, RING_DATA_OFFSET + offset)) break;
        read.windows.push_back(std::move(w));
        pos += len;
    }
    return read;
}

}  // namespace agentmon
