// Single-producer single-consumer ring over the docs/transport.md "Ring layout" control block.
// Works on any memory (tests use the heap); create_ring_file / map_ring_file
// put it in /dev/shm.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "agen_frame.h"
#include "ring_layout.h"

namespace agentbus {

// Initialises a control block for `size` data bytes at `mem` (4096 + size bytes).
agen::RingControl* ring_init(void* mem, uint32_t size, uint32_t producer, uint32_t consumer);

class RingProducer {
  public:
    RingProducer() = default;
    explicit RingProducer(agen::RingControl* c) { attach(c); }
    void attach(agen::RingControl* c);
    bool attached() const { return ctl_ != nullptr; }
    // Space for one frame of `frame_bytes`, writing a pad record first when the
    // record would cross the end. nullptr when the ring is full.
    uint8_t* reserve(size_t frame_bytes);
    // Accounts the frame written into the last reserve().
    void commit(size_t frame_bytes) {
        head_ += agen::ring_record_size(frame_bytes);
        ++msgs_;
        bytes_ += frame_bytes;
    }
    bool push(const void* frame, size_t frame_bytes) {
        uint8_t* p = reserve(frame_bytes);
        if (!p) return false;
        std::memcpy(p, frame, frame_bytes);
        commit(frame_bytes);
        return true;
    }
    // Makes committed records visible to the consumer (one release store).
    void publish();
    bool dirty() const { return head_ != published_; }

  private:
    agen::RingControl* ctl_ = nullptr;
    uint8_t* data_ = nullptr;
    uint32_t size_ = 0, mask_ = 0;
    uint64_t head_ = 0, published_ = 0, tail_cache_ = 0, msgs_ = 0, bytes_ = 0;
};

class RingConsumer {
  public:
    RingConsumer() = default;
    explicit RingConsumer(agen::RingControl* c) { attach(c); }
    void attach(agen::RingControl* c);
    bool attached() const { return ctl_ != nullptr; }
    // Calls f(const uint8_t* frame, size_t frame_bytes) for up to max_frames
    // records, then stores tail once. Returns frames consumed. A record whose
    // length cannot be right (corrupt ring) ends the drain and is counted.
    template <class F>
    size_t drain(F&& f, size_t max_frames) {
        const uint64_t head = ctl_->head.load(std::memory_order_acquire);
        uint64_t t = tail_;
        size_t n = 0;
        // More than a lap unread: the producer's head is not a head (a walk to it
        // could take for ever).
        if (head > t && head - t > size_) {
            ++corrupt_;
            t = head;
        }
        while (t < head && n < max_frames) {
            const uint32_t pos = static_cast<uint32_t>(t) & mask_;
            // Neither a pad's magic nor a header may run past the data area.
            if (size_ - pos < 4) {
                ++corrupt_;
                t = head;
                break;
            }
            uint32_t magic;
            std::memcpy(&magic, data_ + pos, 4);
            if (magic == agen::kRingPadMagic) {
                t += size_ - pos;
                continue;
            }
            if (size_ - pos < agen::kHeaderSize) {
                ++corrupt_;
                t = head;
                break;
            }
            uint32_t plen;
            std::memcpy(&plen, data_ + pos + offsetof(agen::AgenHeader, payload_len), 4);
            const uint64_t frame = agen::kHeaderSize + uint64_t{plen};
            const uint64_t rec = agen::ring_record_size(frame);
            if (pos + rec > size_ || t + rec > head) {
                ++corrupt_;
                t = head;
                break;
            }
            f(data_ + pos, static_cast<size_t>(frame));
            t += rec;
            ++n;
            ++msgs_;
            bytes_ += frame;
        }
        if (t != tail_) {
            tail_ = t;
            ctl_->msgs_read.store(msgs_, std::memory_order_relaxed);
            ctl_->bytes_read.store(bytes_, std::memory_order_relaxed);
            ctl_->tail.store(t, std::memory_order_release);
        }
        return n;
    }
    bool empty() const { return ctl_->head.load(std::memory_order_acquire) == tail_; }
    uint64_t corrupt() const { return corrupt_; }

  private:
    agen::RingControl* ctl_ = nullptr;
    uint8_t* data_ = nullptr;
    uint32_t size_ = 0, mask_ = 0;
    uint64_t tail_ = 0, msgs_ = 0, bytes_ = 0, corrupt_ = 0;
};

// Creates /dev/shm/<name> holding an initialised ring; returns the mapping
// (nullptr and errno on failure).
agen::RingControl* create_ring_file(const std::string& name, uint32_t size, uint32_t producer,
                                    uint32_t consumer);
// Maps an existing ring file; nullptr on failure.
agen::RingControl* map_ring_file(const std::string& name);
void unmap_ring(agen::RingControl* c);
std::string ring_file_name(const std::string& ns, int pid, uint32_t n);

}  // namespace agentbus
