#include "options.h"

#include <CLI/CLI.hpp>
#include <charconv>

#include "agen_frame.h"
#include "agent_types.h"
#include "ring_layout.h"

namespace agentbus {

bool Options::has_fault(FaultKind k) const {
    for (const auto& f : faults)
        if (f.kind == k) return true;
    return false;
}

int Options::carrier_count() const {
    int n = 0;
    for (bool on : carrier_on) n += on;
    return n;
}

namespace {

// Writes *out only on success: from_chars stores the number it read even when
// text follows it, and "2x" must not pass for agent 2.
bool parse_u32(std::string_view s, uint32_t* out) {
    if (s.empty()) return false;
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return false;
    *out = v;
    return true;
}

bool parse_seconds(std::string_view s, double* out) {
    if (s.empty()) return false;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !(v > 0) || v > 86400) return false;
    *out = v;
    return true;
}

}  // namespace

std::string parse_carriers(std::string_view list, bool out[kCarrierCount]) {
    for (int c = 0; c < kCarrierCount; ++c) out[c] = false;
    if (list == "all") {
        for (int c = 0; c < kCarrierCount; ++c) out[c] = true;
        return "";
    }
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string_view::npos) end = list.size();
        std::string_view item = list.substr(start, end - start);
        bool found = false;
        for (int c = 0; c < kCarrierCount; ++c) {
            if (kCarrierNames[c] == item) out[c] = found = true;
        }
        if (!found) {
            return "--carrier: unknown carrier '" + std::string(item) +
                   "' (expected a comma list of unix, dgram, tcp, ring)";
        }
        start = end + 1;
    }
    return "";
}

std::string parse_fault(std::string_view spec, uint32_t agents, Fault* out) {
    std::string_view kind = spec.substr(0, spec.find(':'));
    bool found = false;
    for (int k = 0; k < kFaultKindCount; ++k) {
        if (kFaultKindNames[k] == kind) {
            out->kind = static_cast<FaultKind>(k);
            found = true;
        }
    }
    if (!found) {
        return "--fault: unknown kind '" + std::string(kind) +
               "' (expected slow, stall, crash, malformed, flood, unauthorized, degrade, "
               "burst or restart)";
    }
    out->seconds = out->kind == FaultKind::kDegrade ? kDefaultDegradeSeconds : 0;
    out->agent = out->kind == FaultKind::kBurst ? kAllAgents : 1;
    if (kind.size() == spec.size()) return "";
    std::string_view who = spec.substr(kind.size() + 1);
    if (out->kind == FaultKind::kDegrade && who.find(':') != std::string_view::npos) {
        const std::string_view secs = who.substr(who.find(':') + 1);
        who = who.substr(0, who.find(':'));
        if (!parse_seconds(secs, &out->seconds)) {
            return "--fault degrade: SECONDS must be a number above 0 and at most 86400, got '" +
                   std::string(secs) + "'";
        }
    }
    uint32_t id = 0;
    if (!parse_u32(who, &id)) {
        for (uint32_t i = 1; i <= agents; ++i) {
            if (agen::agent_name(i) == who) id = i;
        }
    }
    if (id < 1 || id > agents) {
        return "--fault: agent '" + std::string(who) + "' is not one of the " +
               std::to_string(agents) + " agents (give an id 1.." + std::to_string(agents) +
               " or a name such as DIRECTOR)";
    }
    out->agent = id;
    return "";
}

std::string parse_payload(std::string_view spec, uint32_t* min, uint32_t* max) {
    size_t colon = spec.find(':');
    std::string_view a = spec.substr(0, colon);
    std::string_view b = colon == std::string_view::npos ? a : spec.substr(colon + 1);
    if (!parse_u32(a, min) || !parse_u32(b, max)) {
        return "--payload: expected MIN or MIN:MAX in bytes, got '" + std::string(spec) + "'";
    }
    if (*min > *max) return "--payload: MIN must not exceed MAX";
    if (*max > agen::kMaxPayload) return "--payload: at most 16777216 bytes (16 MiB)";
    return "";
}

ParseResult parse_options(int argc, const char* const* argv) {
    Options o;
    CLI::App app{
        "agentbus: reference multi-agent message bus (AGEN frames over unix, dgram, "
        "tcp and shared-memory rings) with fault injection and ground truth"};
    app.option_defaults()->always_capture_default();
    app.set_version_flag("--version", std::string("agentbus ") + AGENTBUS_VERSION);
    std::string carriers = "unix,dgram,tcp,ring";
    std::string payload = "64";
    std::vector<std::string> faults;
    app.add_option("--carrier", carriers, "Comma list of unix, dgram, tcp, ring (default: all)");
    app.add_option("--agents", o.agents, "Number of agents (28 = one of each type)")
        ->check(CLI::Range(2u, kMaxAgents));
    app.add_option("--messages", o.messages, "Total frames sent by all agents (replies included)");
    app.add_option("--duration", o.duration, "Seconds of origination")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--rate", o.rate, "Frames per second in total (0: as fast as possible)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--batch", o.batch, "Frames per write on stream carriers")
        ->check(CLI::Range(1u, 1u << 16));
    app.add_flag("--split", o.split, "Cut stream writes at random points (down to 1 byte)");
    app.add_flag("--trace-context", o.trace_context,
                 "Write the trace context in the AGEN header's reserved bytes: a TASK sent "
                 "after a TASK was received names it as its parent (docs/tracing.md)");
    app.add_option("--payload", payload, "Payload bytes: MIN[:MAX] (default 64)");
    app.add_option("--fault", faults,
                   "KIND[:AGENT], repeatable; KIND: slow, stall, crash, "
                   "malformed, flood, unauthorized, burst, restart; and "
                   "degrade:AGENT[:SECONDS] (ramp, then SIGABRT; default 60 s)");
    app.add_option("--fault-start", o.fault_start, "Seconds after start when faults begin")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--fault-duration", o.fault_duration, "Seconds a fault window lasts")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--slow-ms", o.slow_ms, "Reply delay of a slow agent")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--restart-delay", o.restart_delay, "Seconds before a crashed agent restarts")
        ->check(CLI::NonNegativeNumber);
    app.add_flag("--no-restart", o.no_restart, "Do not restart crashed agents");
    app.add_option("--drain-timeout", o.drain_timeout,
                   "Seconds to wait for in-flight frames after origination ends")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--truth", o.truth, "Write the ground-truth JSON here at exit");
    app.add_option("--run-dir", o.run_dir, "Directory for sockets (default: a fresh temp dir)");
    app.add_option("--status-interval", o.status_interval, "Seconds between status lines on stderr")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--seed", o.seed, "Random seed");
    app.add_option("--namespace", o.ns, "Ring file namespace (/dev/shm/agent_ring_<ns>_<pid>_<n>)");
    app.add_option("--tcp-port", o.tcp_port, "TCP base port; agent id k listens on base+k-1")
        ->check(CLI::Range(1u, 65535u));
    app.add_option("--ring-size", o.ring_size, "Ring data bytes (power of two)")
        ->check(CLI::Range(4096u, 1u << 30));

    ParseResult r;
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        r.message = app.help();
        return r;
    } catch (const CLI::CallForVersion& e) {
        r.message = std::string(e.what()) + "\n";
        return r;
    } catch (const CLI::ParseError& e) {
        r.exit_code = 2;
        r.message =
            std::string("agentbus: ") + e.what() + "\nRun with --help for more information.\n";
        return r;
    }
    auto fail = [&](const std::string& m) {
        r.exit_code = 2;
        r.message = "agentbus: " + m + "\nRun with --help for more information.\n";
        return r;
    };
    if (auto e = parse_carriers(carriers, o.carrier_on); !e.empty()) return fail(e);
    if (auto e = parse_payload(payload, &o.payload_min, &o.payload_max); !e.empty()) return fail(e);
    for (const auto& f : faults) {
        Fault fault{};
        if (auto e = parse_fault(f, o.agents, &fault); !e.empty()) return fail(e);
        o.faults.push_back(fault);
    }
    if (o.ring_size & (o.ring_size - 1)) return fail("--ring-size: must be a power of two");
    if (o.ns.empty() ||
        o.ns.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789-.") != std::string::npos) {
        return fail("--namespace: use letters, digits, '-' and '.' (it is part of a file name)");
    }
    if (o.carrier_on[static_cast<int>(Carrier::kRing)] &&
        agen::ring_record_size(agen::kHeaderSize + o.payload_max) > o.ring_size / 2) {
        return fail("--payload: a frame must fit in half of --ring-size (raise --ring-size)");
    }
    if (o.carrier_on[static_cast<int>(Carrier::kDgram)] && o.payload_max > 65536) {
        return fail("--payload: the dgram carrier takes payloads up to 65536 bytes");
    }
    if (o.carrier_on[static_cast<int>(Carrier::kTcp)] && o.tcp_port + o.agents - 1 > 65535) {
        return fail("--tcp-port: base + agents exceeds 65535");
    }
    if (o.messages && o.duration) return fail("--messages and --duration exclude each other");
    if (o.has_fault(FaultKind::kUnauthorized) && !o.carrier_on[int(Carrier::kUnix)]) {
        // Receivers tell an intruder from an agent by SO_PEERCRED, which only unix sockets have.
        return fail("--fault unauthorized needs the unix carrier");
    }
    if (o.has_fault(FaultKind::kMalformed) && o.carrier_count() == 1 &&
        o.carrier_on[static_cast<int>(Carrier::kRing)]) {
        return fail("--fault malformed applies to unix, dgram and tcp, not to ring alone");
    }
    for (const auto& f : o.faults) {
        if (f.kind == FaultKind::kBurst && o.rate <= 0) {
            // Without a rate limit the agents already send as fast as they can.
            return fail("--fault burst needs --rate (it multiplies the rate)");
        }
        if (f.kind == FaultKind::kDegrade && o.duration > 0 &&
            o.fault_start + f.seconds >= o.duration) {
            return fail(
                "--fault degrade: --fault-start + SECONDS must end before --duration, "
                "or the agent never reaches its crash");
        }
    }
    r.options = o;
    return r;
}

}  // namespace agentbus
