// What the parent observes of the degrade, burst and restart faults: when a
// degrading agent crashed and with which signal, how its RSS, reply delay and
// error count grew (sampled every 100 ms
// until a second after the last fault ends), the bus-wide frame count over time
// (bursts show as steps in its slope), and when a clean restart exited.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "options.h"
#include "shared.h"

namespace agentbus {

// Resident set of a process in KiB from /proc/PID/status, or -1.
int64_t read_rss_kb(pid_t pid);

class FaultTimeline {
  public:
    explicit FaultTimeline(const Options& o);
    // An agent exited. True when it is a degrading agent ending as designed
    // (killed by SIGABRT); the caller then treats it as a crash, not a surprise.
    bool degrade_crashed(uint32_t index, int wait_status, double seconds);
    void clean_exit(uint32_t index, int wait_status, double seconds);
    // Called by the parent's loop; samples at most every 100 ms.
    void sample(uint64_t now, uint64_t start, const SharedBlock& shm,
                const std::vector<pid_t>& pid_of);
    nlohmann::json to_json() const;

  private:
    struct Degrade {
        uint32_t agent;
        double seconds;
        double crash_seconds = -1;
        int signal = 0;
        int64_t peak_rss_kb = 0, first_rss_kb = -1;
    };
    struct Restart {
        uint32_t agent;
        double exit_seconds = -1;
        int exit_status = -1;
    };
    struct Sample {
        double t;
        uint64_t sent;
        std::vector<int64_t> rss_kb;  // per degrading agent, -1 once it is gone
        std::vector<uint64_t> reply_delay_us, errors, held_kb;
    };
    const Options& o_;
    std::vector<Degrade> degrades_;
    std::vector<Restart> restarts_;
    std::vector<Sample> samples_;
    bool sampling_ = false;
    double sample_until_ = 0;  // seconds after start; bounds the timeline's length
    uint64_t next_sample_ = 0;
};

}  // namespace agentbus
