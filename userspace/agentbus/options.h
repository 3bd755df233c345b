// agentbus command line: a typed Options struct and its parser (CLI11).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentbus {

enum class Carrier : int { kUnix = 0, kDgram = 1, kTcp = 2, kRing = 3 };
inline constexpr int kCarrierCount = 4;
inline constexpr std::string_view kCarrierNames[kCarrierCount] = {"unix", "dgram", "tcp", "ring"};

enum class FaultKind : int {
    kSlow,
    kStall,
    kCrash,
    kMalformed,
    kFlood,
    kUnauthorized,
    kDegrade,  // a dying agent: slower, backlogged, erring, growing, then SIGABRT
    kBurst,    // benign: the rate multiplied for a second, repeatedly
    kRestart,  // benign: a clean exit 0 and a fresh process
};
inline constexpr int kFaultKindCount = 9;
inline constexpr std::string_view kFaultKindNames[kFaultKindCount] = {
    "slow", "stall", "crash", "malformed", "flood", "unauthorized", "degrade", "burst", "restart"};

inline constexpr double kDefaultDegradeSeconds = 60;
inline constexpr uint32_t kAllAgents = 0;  // burst without AGENT: every agent bursts

struct Fault {
    FaultKind kind;
    uint32_t agent;      // agent id (1-based); kAllAgents for a bus-wide burst
    double seconds = 0;  // degrade: the ramp from healthy to the crash
    bool applies_to(uint32_t id) const { return agent == id || agent == kAllAgents; }
};

inline constexpr uint32_t kMaxAgents = 112;  // 4 instances of each type; fds stay < 1024

struct Options {
    bool carrier_on[kCarrierCount] = {true, true, true, true};
    uint32_t agents = 28;
    uint64_t messages = 0;  // 0: no budget
    double duration = 0;    // seconds; 0: none
    double rate = 0;        // frames/s in total; 0: as fast as possible
    uint32_t batch = 1;     // frames per write on stream carriers
    bool split = false;     // cut stream writes at random points
    // Write the trace context convention in the header (docs/tracing.md).
    bool trace_context = false;
    uint32_t payload_min = 64;
    uint32_t payload_max = 64;
    std::vector<Fault> faults;
    double fault_start = 1.0;
    double fault_duration = 2.0;
    double slow_ms = 5.0;
    double restart_delay = 0.5;
    bool no_restart = false;
    double drain_timeout = 5.0;
    std::string truth;
    std::string run_dir;
    double status_interval = 0;
    uint64_t seed = 1;
    std::string ns = "agentbus";
    uint32_t tcp_port = 9999;
    uint32_t ring_size = 1u << 20;

    bool has_fault(FaultKind k) const;
    int carrier_count() const;
};

struct ParseResult {
    std::optional<Options> options;  // set when the run should go ahead
    int exit_code = 0;               // otherwise: 0 for --help/--version, 2 for bad flags
    std::string message;             // text to print (stdout for 0, stderr for 2)
};

ParseResult parse_options(int argc, const char* const* argv);

// Parses "unix,tcp" into flags; returns an error message or "".
std::string parse_carriers(std::string_view list, bool out[kCarrierCount]);
// Parses "KIND[:AGENT]" (AGENT: id or name such as MONITOR or MONITOR_1), and
// "degrade:AGENT[:SECONDS]".
std::string parse_fault(std::string_view spec, uint32_t agents, Fault* out);
// Parses "MIN[:MAX]".
std::string parse_payload(std::string_view spec, uint32_t* min, uint32_t* max);

}  // namespace agentbus
