#include "ring.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <new>

namespace agentbus {

agen::RingControl* ring_init(void* mem, uint32_t size, uint32_t producer, uint32_t consumer) {
    std::memset(mem, 0, agen::kRingDataOffset);
    auto* c = new (mem) agen::RingControl();
    c->size = size;
    c->mask = size - 1;
    c->producer_agent = producer;
    c->consumer_agent = consumer;
    return c;
}

void RingProducer::attach(agen::RingControl* c) {
    ctl_ = c;
    data_ = agen::ring_data(c);
    size_ = c->size;
    mask_ = c->mask;
    head_ = published_ = c->head.load(std::memory_order_relaxed);
    tail_cache_ = c->tail.load(std::memory_order_acquire);
    msgs_ = c->msgs_written.load(std::memory_order_relaxed);
    bytes_ = c->bytes_written.load(std::memory_order_relaxed);
}

uint8_t* RingProducer::reserve(size_t frame_bytes) {
    const uint64_t rec = agen::ring_record_size(frame_bytes);
    const uint32_t pos = static_cast<uint32_t>(head_) & mask_;
    const uint64_t pad = pos + rec > size_ ? size_ - pos : 0;
    if (head_ + pad + rec - tail_cache_ > size_) {
        tail_cache_ = ctl_->tail.load(std::memory_order_acquire);
        if (head_ + pad + rec - tail_cache_ > size_) return nullptr;
    }
    if (pad) {
        const uint32_t zero = agen::kRingPadMagic;
        std::memcpy(data_ + pos, &zero, 4);
        head_ += pad;
    }
    return data_ + (static_cast<uint32_t>(head_) & mask_);
}

void RingProducer::publish() {
    if (head_ == published_) return;
    ctl_->msgs_written.store(msgs_, std::memory_order_relaxed);
    ctl_->bytes_written.store(bytes_, std::memory_order_relaxed);
    ctl_->head.store(head_, std::memory_order_release);
    published_ = head_;
}

void RingConsumer::attach(agen::RingControl* c) {
    ctl_ = c;
    data_ = agen::ring_data(c);
    size_ = c->size;
    mask_ = c->mask;
    tail_ = c->tail.load(std::memory_order_relaxed);
    msgs_ = c->msgs_read.load(std::memory_order_relaxed);
    bytes_ = c->bytes_read.load(std::memory_order_relaxed);
}

std::string ring_file_name(const std::string& ns, int pid, uint32_t n) {
    return "agent_ring_" + ns + "_" + std::to_string(pid) + "_" + std::to_string(n);
}

agen::RingControl* create_ring_file(const std::string& name, uint32_t size, uint32_t producer,
                                    uint32_t consumer) {
    const std::string path = "/dev/shm/" + name;
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return nullptr;
    const size_t len = agen::kRingDataOffset + size_t{size};
    if (ftruncate(fd, static_cast<off_t>(len)) != 0) {
        close(fd);
        return nullptr;
    }
    void* mem = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    close(fd);
    if (mem == MAP_FAILED) return nullptr;
    return ring_init(mem, size, producer, consumer);
}

agen::RingControl* map_ring_file(const std::string& name) {
    const std::string path = "/dev/shm/" + name;
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st {};
    if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(agen::kRingDataOffset)) {
        close(fd);
        return nullptr;
    }
    void* mem = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_POPULATE, fd, 0);
    close(fd);
    if (mem == MAP_FAILED) return nullptr;
    auto* c = static_cast<agen::RingControl*>(mem);
    // The consumer masks positions with `mask`: a size that is not a power of two,
    // or a mask that is not size - 1, would send it past the data area.
    const bool layout_ok = c->size != 0 && (c->size & (c->size - 1)) == 0 && c->mask == c->size - 1;
    if (!layout_ok || agen::kRingDataOffset + size_t{c->size} != static_cast<size_t>(st.st_size)) {
        munmap(mem, static_cast<size_t>(st.st_size));
        return nullptr;
    }
    return c;
}

void unmap_ring(agen::RingControl* c) {
    if (c) munmap(c, agen::kRingDataOffset + size_t{c->size});
}

}  // namespace agentbus
