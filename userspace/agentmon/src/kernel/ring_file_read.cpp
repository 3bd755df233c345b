#include "kernel/ring_file_read.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "base/clock.h"

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

// Reads and checks the control block, as the kernel's check_control does; the
// status says why the ring cannot be used. `file_size` bounds the data area.
std::uint32_t read_control(int fd, RingRead& read, std::uint64_t& file_size) {
    std::uint8_t control[RING_CONTROL_BYTES];
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0 || !read_at(fd, control, sizeof control, 0))
        return RING_READ_CONTROL_FAILED;
    file_size = static_cast<std::uint64_t>(st.st_size);
    read.control = parse_control_block(control);
    const RingControlBlock& c = read.control;
    read.head_after = c.head;
    if (c.size == 0 || (c.size & (c.size - 1)) || c.mask != c.size - 1) return RING_READ_BAD_SIZE;
    if (RING_DATA_OFFSET + std::uint64_t{c.size} > file_size) return RING_READ_TRUNCATED;
    if (c.tail > c.head) return RING_READ_TAIL_AHEAD;
    return RING_READ_OK;
}

// A window's length at `pos`: 4 KiB, cut at the data area's end (records never
// wrap) and at `end`.
std::uint64_t window_len(std::uint64_t pos, std::uint64_t end, std::uint32_t size) {
    std::uint64_t len = RING_WINDOW_BYTES;
    if (len > size - (pos & (size - 1))) len = size - (pos & (size - 1));
    if (len > end - pos) len = end - pos;
    return len;
}

bool read_window(int fd, const RingControlBlock& c, std::uint64_t pos, std::uint64_t len,
                 RingRead& read) {
    RingWindow w;
    w.position = pos;
    w.data.resize(len);
    if (!read_at(fd, w.data.data(), len, RING_DATA_OFFSET + (pos & c.mask))) return false;
    read.windows.push_back(std::move(w));
    return true;
}

// The header of the oldest unconsumed frame; a pad record there (or too little
// room for a header before the data area's end) puts it at the start.
void read_hol(int fd, const RingControlBlock& c, RingRead& read) {
    std::uint64_t pos = c.tail, offset = pos & c.mask;
    std::vector<std::uint8_t> hol(RING_HOL_BYTES);
    if (offset + RING_HOL_BYTES > c.size) {
        pos += c.size - offset;
        offset = 0;
    }
    if (!read_at(fd, hol.data(), hol.size(), RING_DATA_OFFSET + offset)) return;
    std::uint32_t magic = 0;
    std::memcpy(&magic, hol.data(), sizeof magic);
    if (magic == RING_PAD_MAGIC && offset != 0) {
        pos += c.size - offset;
        if (!read_at(fd, hol.data(), hol.size(), RING_DATA_OFFSET)) return;
    }
    read.hol_position = pos;
    read.hol = std::move(hol);
}

}  // namespace

RingRead read_ring_file(int fd, const RingCursor& before, std::uint64_t now_ns) {
    RingRead read;
    read.read_ns = now_ns;
    read.final_read = true;
    std::uint64_t file_size = 0;
    read.status = read_control(fd, read, file_size);
    if (read.status != RING_READ_OK) return read;
    const RingControlBlock& c = read.control;
    // Nothing writes any more: every record from the last tail (or the oldest still
    // in the ring) to the head is intact. Windows end at the data area's end, as
    // the kernel's do, so the walker sees pads the same way.
    std::uint64_t pos = before.tail > c.tail ? c.tail : before.tail;
    if (c.head > c.size && pos < c.head - c.size) pos = c.head - c.size;
    while (pos < c.head) {
        const std::uint64_t len = window_len(pos, c.head, c.size);
        if (!read_window(fd, c, pos, len, read)) break;
        pos += len;
    }
    return read;
}

RingRead read_ring_live(int fd, std::uint64_t sample_from, std::uint32_t windows) {
    RingRead read;
    std::uint64_t file_size = 0;
    read.status = read_control(fd, read, file_size);
    // When the control block was read, as the kernel stamps it: what was consumed
    // by then bounds the latency of this tick's frames.
    read.read_ns = monotonic_ns();
    if (read.status != RING_READ_OK) return read;
    const RingControlBlock& c = read.control;
    if (c.tail < c.head) read_hol(fd, c, read);
    // The kernel's plan_windows: from the last tick's tail to the head, minus what
    // the producer may overwrite while they are copied (an eighth of the ring); end
    // to end when the span fits the windows less one, else spread evenly.
    std::uint64_t lo = sample_from > c.tail ? c.tail : sample_from;
    const std::uint64_t keep = c.size - c.size / 8;
    if (c.head > keep && lo < c.head - keep) lo = c.head - keep;
    if (windows > RING_WINDOWS_MAX) windows = RING_WINDOWS_MAX;
    const std::uint64_t span = c.head - lo;
    const bool contiguous = windows > 1 && span <= std::uint64_t{windows - 1} * RING_WINDOW_BYTES;
    std::uint64_t next = lo;
    for (std::uint32_t i = 0; i < windows; ++i) {
        const std::uint64_t pos = contiguous ? next : (lo + span * i / windows) & ~7ull;
        if (pos >= c.head) break;
        const std::uint64_t len = window_len(pos, c.head, c.size);
        next = pos + len;
        if (!read_window(fd, c, pos, len, read)) ++read.window_errors;
    }
    // The head once more: user space drops a window the producer may have
    // overwritten while it was copied.
    std::uint8_t head[sizeof(std::uint64_t)];
    if (read_at(fd, head, sizeof head, 0)) std::memcpy(&read.head_after, head, sizeof head);
    return read;
}

}  // namespace agentmon
