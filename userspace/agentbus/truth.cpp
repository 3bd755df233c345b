#include "truth.h"

#include "agen_frame.h"
#include "agent_types.h"
#include "topology.h"

namespace agentbus {

std::vector<uint64_t> merged_histogram(const SharedBlock& shm) {
    std::vector<uint64_t> h(kHistBuckets);
    for (uint32_t a = 0; a < shm.nagents; ++a)
        for (uint32_t i = 0; i < kHistBuckets; ++i)
            h[i] += shm.slots[a].hist[i].load(std::memory_order_relaxed);
    return h;
}

LatencySummary summarize_latency(const std::vector<uint64_t>& hist) {
    LatencySummary s;
    for (uint64_t v : hist) s.count += v;
    if (!s.count) return s;
    auto quantile = [&](double q) {
        const uint64_t rank = uint64_t(q * double(s.count - 1)) + 1;
        uint64_t seen = 0;
        for (uint32_t i = 0; i < hist.size(); ++i) {
            seen += hist[i];
            if (seen >= rank) return double(hist_upper(i)) / 1e9;
        }
        return 0.0;
    };
    s.p50 = quantile(0.50);
    s.p90 = quantile(0.90);
    s.p99 = quantile(0.99);
    s.p999 = quantile(0.999);
    for (uint32_t i = uint32_t(hist.size()); i-- > 0;) {
        if (hist[i]) {
            s.max = double(hist_upper(i)) / 1e9;
            break;
        }
    }
    return s;
}

uint64_t total_counter(const SharedBlock& shm, uint32_t ctr) {
    uint64_t t = 0;
    for (uint32_t a = 0; a < shm.nagents; ++a)
        t += shm.slots[a].ctr[ctr].load(std::memory_order_relaxed);
    return t;
}

uint64_t total_sent(const SharedBlock& shm) {
    uint64_t t = 0;
    for (int c = 0; c < kCarrierCount; ++c) t += total_counter(shm, kSent + c);
    return t;
}

uint64_t total_received(const SharedBlock& shm) {
    uint64_t t = 0;
    for (int c = 0; c < kCarrierCount; ++c) t += total_counter(shm, kRecv + c);
    return t;
}

nlohmann::json build_truth(const Options& o, const SharedBlock& shm, const RunRecord& run) {
    using nlohmann::json;
    json j;
    j["tool"] = "agentbus";
    j["version"] = AGENTBUS_VERSION;
    json carriers = json::array();
    for (int c = 0; c < kCarrierCount; ++c)
        if (o.carrier_on[c]) carriers.push_back(kCarrierNames[c]);
    j["carriers"] = carriers;
    j["agent_count"] = shm.nagents;
    j["seed"] = o.seed;
    j["run_dir"] = run.run_dir;
    j["config"] = {{"messages", o.messages},
                   {"duration", o.duration},
                   {"rate", o.rate},
                   {"batch", o.batch},
                   {"split", o.split},
                   {"payload_min", o.payload_min},
                   {"payload_max", o.payload_max},
                   {"ring_size", o.ring_size},
                   {"tcp_port", o.tcp_port},
                   {"namespace", o.ns}};

    uint64_t sent = 0, recv = 0, bsent = 0, brecv = 0;
    json by_carrier = json::object();
    for (int c = 0; c < kCarrierCount; ++c) {
        if (!o.carrier_on[c]) continue;
        const uint64_t s = total_counter(shm, kSent + c), r = total_counter(shm, kRecv + c);
        const uint64_t bs = total_counter(shm, kBytesSent + c),
                       br = total_counter(shm, kBytesRecv + c);
        by_carrier[std::string(kCarrierNames[c])] = {
            {"sent", s}, {"received", r}, {"bytes_sent", bs}, {"bytes_received", br}};
        sent += s;
        recv += r;
        bsent += bs;
        brecv += br;
    }
    j["sent"] = sent;
    j["received"] = recv;
    j["bytes_sent"] = bsent;
    j["bytes_received"] = brecv;
    j["lost"] = sent > recv ? sent - recv : 0;
    j["duration_seconds"] = run.duration_seconds;
    j["throughput_mps"] = run.duration_seconds > 0 ? double(recv) / run.duration_seconds : 0.0;
    j["by_carrier"] = by_carrier;
    json by_type = json::object();
    for (uint32_t t = 0; t <= agen::kMsgTypeMax; ++t) {
        const uint64_t v = total_counter(shm, kByType + t);
        if (v || t) by_type[std::string(agen::msg_type_name(t))] = v;
    }
    j["by_type"] = by_type;
    const LatencySummary l = summarize_latency(merged_histogram(shm));
    j["latency_seconds"] = {{"p50", l.p50},
                            {"p90", l.p90},
                            {"p99", l.p99},
                            {"p999", l.p999},
                            {"max", l.max},
                            {"count", l.count},
                            {"resolution", "1/16 octave, bucket upper bounds"}};
    j["replies"] = total_counter(shm, kReplies);
    j["dropped_replies"] = total_counter(shm, kDroppedReplies);
    j["crc_errors"] = total_counter(shm, kCrcErrors);
    j["broken_connections"] = total_counter(shm, kBrokenConns);
    j["reconnects"] = total_counter(shm, kReconnects);

    json injected = json::array();
    for (const auto& f : o.faults)
        injected.push_back({{"kind", kFaultKindNames[int(f.kind)]},
                            {"agent", f.agent},
                            {"name", agen::agent_name(f.agent)},
                            {"start_seconds", o.fault_start},
                            {"duration_seconds", o.fault_duration}});
    j["faults"] = {{"injected", injected},
                   {"malformed",
                    {{"events", total_counter(shm, kMalformedEvents)},
                     {"bytes_injected", total_counter(shm, kMalformedBytes)},
                     {"bytes_skipped", total_counter(shm, kSkippedBytes)},
                     {"resyncs", total_counter(shm, kResyncs)},
                     {"datagrams_rejected", total_counter(shm, kRejectedDgrams)}}},
                   {"unauthorized",
                    {{"frames_sent", shm.intruder_frames.load()},
                     {"bytes_sent", shm.intruder_bytes.load()},
                     {"frames_received", total_counter(shm, kUnauthFrames)},
                     {"bytes_received", total_counter(shm, kUnauthBytes)},
                     {"connections", total_counter(shm, kUnauthConns)}}},
                   {"crashes", run.crashes},
                   {"restarts", run.restarts},
                   {"unexpected_exits", run.unexpected_exits},
                   {"stalled_seconds", double(total_counter(shm, kStalledNs)) / 1e9},
                   {"slow_replies", total_counter(shm, kSlowReplies)},
                   {"slow_ms", o.slow_ms},
                   {"flood_frames", total_counter(shm, kFloodFrames)},
                   {"degrade_errors", total_counter(shm, kDegradeErrors)},
                   {"burst_frames", total_counter(shm, kBurstFrames)}};
    for (const auto& [key, value] : run.fault_events.items()) j["faults"][key] = value;

    json agents = json::array();
    for (uint32_t a = 0; a < shm.nagents; ++a) {
        const uint32_t id = a + 1;
        uint64_t s = 0, r = 0, socket_r = 0;
        for (int c = 0; c < kCarrierCount; ++c) {
            s += shm.slots[a].ctr[kSent + c].load();
            r += shm.slots[a].ctr[kRecv + c].load();
            if (c != int(Carrier::kRing)) socket_r += shm.slots[a].ctr[kRecv + c].load();
        }
        // Socket frames whose header names this agent first, whoever received them.
        const uint64_t as_first = socket_r - shm.slots[a].ctr[kRecvNotFirst].load() +
                                  shm.slots[a].first_target_elsewhere.load();
        agents.push_back({{"id", id},
                          {"type", agen::agent_type_name(id)},
                          {"name", agen::agent_name(id)},
                          {"comm", agent_comm(id)},
                          {"pids", a < run.pids.size() ? run.pids[a] : std::vector<int>{}},
                          {"sent", s},
                          {"received", r},
                          {"received_as_first_target", as_first}});
    }
    j["agents"] = agents;
    j["ring_files"] = run.ring_files;
    return j;
}

}  // namespace agentbus
