// Fuzz target: the text of a config file, as `agentmon --config FILE` and
// `--check-config` read it (config/config.cpp with input_limits, socket_config,
// ring_config, and the frame spec, agent rules and registry they parse).
//
// The input goes through load_config_file itself (via a memfd), so the size
// bound, the depth bound and the capped error listing are exercised too.
// Besides the sanitizers, it checks what an accepted config promises: the
// kernel forms derived from it are in range, and a rejection lists at most
// kMaxProblemLines problems plus one summary line.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "abi/ring_reader.h"
#include "config/config.h"
#include "config/input_limits.h"
#include "fuzz_check.h"

using namespace agentmon;

namespace {

int config_fd() {
    static const int fd = memfd_create("fuzz_config", MFD_CLOEXEC);
    return fd;
}

void check_accepted(const Config& config) {
    FUZZ_CHECK(config.tick >= kMinTick && config.tick <= kMaxTick);
    FUZZ_CHECK(config.listen.port != 0);
    FUZZ_CHECK(parse_listen(config.listen.to_string()).has_value());
    const frame_spec spec = config.socket.frame_spec.to_bpf();
    FUZZ_CHECK(spec.span <= FRAME_SPAN_MAX);
    FUZZ_CHECK(spec.magic_width == 2 || spec.magic_width == 4);
    for (const auto& bounds :
         {config.socket.latency_bounds_ns(), config.socket.size_bounds_bytes()}) {
        FUZZ_CHECK(!bounds.empty() && bounds.size() <= HIST_BOUNDS_MAX);
        FUZZ_CHECK(std::adjacent_find(bounds.begin(), bounds.end(),
                                      [](auto a, auto b) { return a >= b; }) == bounds.end());
    }
    FUZZ_CHECK(config.ring.sample_windows <= RING_WINDOWS_MAX);
    FUZZ_CHECK(!config.socket.agent_rules.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = config_fd();
    if (fd < 0 || ftruncate(fd, 0) != 0) std::abort();
    std::size_t written = 0;
    while (written < size) {
        const ssize_t n = pwrite(fd, data + written, size - written, static_cast<off_t>(written));
        if (n <= 0) std::abort();
        written += static_cast<std::size_t>(n);
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    auto loaded = load_config_file(path);
    if (loaded) {
        check_accepted(loaded.value());
        return 0;
    }
    const std::string& message = loaded.error().message;
    FUZZ_CHECK(!message.empty());
    FUZZ_CHECK(static_cast<std::size_t>(std::count(message.begin(), message.end(), '\n')) <=
               kMaxProblemLines);
    return 0;
}
