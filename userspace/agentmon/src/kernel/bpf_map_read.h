#pragma once
// Batch reads of BPF maps, shared by the collectors that own BPF objects.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/result.h"

namespace agentmon {

// Calls `visit(key, summed)` for every entry of a per-CPU map whose values are
// arrays of u64 counters, with each word summed over CPUs. Reads in batches where
// the kernel supports it (5.6+), else key by key.
template <class Visit>
Status read_percpu_u64(const bpf_map* map, int ncpus, Visit visit) {
    const int fd = bpf_map__fd(map);
    const std::uint32_t key_size = bpf_map__key_size(map);
    const std::uint32_t words = bpf_map__value_size(map) / 8;
    const std::uint32_t chunk = 256;
    std::vector<std::uint8_t> keys(static_cast<std::size_t>(chunk) * key_size);
    std::vector<std::uint64_t> values(static_cast<std::size_t>(chunk) * words * ncpus);
    std::vector<std::uint64_t> summed(words);
    std::vector<std::uint8_t> batch(std::max<std::uint32_t>(key_size, 8));

    auto emit = [&](std::uint32_t count) {
        for (std::uint32_t i = 0; i < count; ++i) {
            std::fill(summed.begin(), summed.end(), 0);
            const std::uint64_t* base = values.data() + static_cast<std::size_t>(i) * words * ncpus;
            for (int cpu = 0; cpu < ncpus; ++cpu)
                for (std::uint32_t w = 0; w < words; ++w) summed[w] += base[cpu * words + w];
            visit(keys.data() + static_cast<std::size_t>(i) * key_size, summed.data());
        }
    };

    bool first = true;
    for (;;) {
        std::uint32_t count = chunk;
        int err = bpf_map_lookup_batch(fd, first ? nullptr : batch.data(), batch.data(),
                                       keys.data(), values.data(), &count, nullptr);
        if (err && errno != ENOENT) {
            if (!first || (errno != EINVAL && errno != 524 /* ENOTSUPP */ && errno != EOPNOTSUPP))
                return errno_error(std::string("read map ") + bpf_map__name(map), errno);
            break;  // no batch support: fall back below
        }
        emit(count);
        if (err) return Status::success();  // ENOENT: done
        first = false;
    }

    // Key-by-key fallback.
    std::vector<std::uint8_t> key(key_size), next(key_size);
    const void* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
        key = next;
        prev = key.data();
        std::memcpy(keys.data(), key.data(), key_size);
        if (bpf_map_lookup_elem(fd, key.data(), values.data()) == 0) emit(1);
    }
    return Status::success();
}

// A per-CPU array of single u64 counters indexed by a u32 slot (an object's event
// counters) into `out`, each summed over CPUs; slots from N on are ignored.
template <std::size_t N>
Status read_percpu_counters(const bpf_map* map, int ncpus, std::array<std::uint64_t, N>& out) {
    return read_percpu_u64(map, ncpus, [&](const void* key, const std::uint64_t* words) {
        std::uint32_t slot = 0;
        std::memcpy(&slot, key, sizeof(slot));
        if (slot < N) out[slot] = words[0];
    });
}

}  // namespace agentmon
