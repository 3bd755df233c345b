#include "agent_impl.h"

namespace agentbus::detail {

bool Agent::pick_target(Carrier c, uint32_t* peer) {
    const auto& ps = peers_[int(c)];
    if (ps.empty()) return false;
    size_t start = rnd() % ps.size();
    for (size_t k = 0; k < ps.size(); ++k) {
        Link& l = links_[int(c)][ps[(start + k) % ps.size()]];
        // A ring is congested as soon as it spills into the overflow buffer.
        if (l.up && l.queued() < (c == Carrier::kRing ? 1 : kCongested)) {
            *peer = l.peer;
            return true;
        }
    }
    return false;
}

void Agent::write_frame(Link& l, const AgenHeader& h) {
    const size_t len = agen::kHeaderSize + h.payload_len;
    const int c = int(l.carrier);
    ++ctr_[kSent + c];
    ctr_[kBytesSent + c] += len;
    if (l.carrier == Carrier::kRing && l.queued() == 0) {
        if (uint8_t* p = l.ring.reserve(len)) {
            std::memcpy(p, &h, agen::kHeaderSize);
            std::memcpy(p + agen::kHeaderSize, payload_.data(), h.payload_len);
            l.ring.commit(len);
            return;
        }
    }
    const size_t at = l.out.size();
    l.out.resize(at + len);
    std::memcpy(l.out.data() + at, &h, agen::kHeaderSize);
    std::memcpy(l.out.data() + at + agen::kHeaderSize, payload_.data(), h.payload_len);
    ++l.pending;
    if (!l.dirty) {
        l.dirty = true;
        dirty_.push_back(&l);
    }
    if (l.carrier != Carrier::kRing && l.pending >= o_.batch && !l.blocked) {
        if (l.carrier == Carrier::kDgram)
            flush_dgram(l);
        else
            flush_socket(l);
    }
}

int Agent::originate(uint64_t now) {
    if (!originating_) return 0;
    const uint64_t start = shm_->start_ns.load(std::memory_order_relaxed);
    if (shm_->stop.load(std::memory_order_relaxed) ||
        (o_.duration > 0 && now >= start + uint64_t(o_.duration * 1e9)) ||
        ctr_[kBudgetUsed] >= budget_) {
        originating_ = false;
        flush_stats(true);
        slot_->done.store(1, std::memory_order_release);
        return 0;
    }
    const double factor = burst_factor(now);
    if (rate_ > 0) {
        const double rate = rate_ * factor;
        tokens_ += double(now - last_refill_) * rate / 1e9;
        last_refill_ = now;
        const double burst = std::max(3.0, rate / 100);
        if (tokens_ > burst) tokens_ = burst;
    }
    int made = 0, misses = 0;
    AgenHeader h;
    std::memset(&h, 0, sizeof h);
    h.magic = agen::kMagic;
    h.version = agen::kVersion;
    h.source_agent = id_;
    for (int k = 0; k < kOriginateBurst && misses < 8; ++k) {
        if (rate_ > 0 && tokens_ < 1) break;
        const uint64_t left = budget_ - ctr_[kBudgetUsed];
        if (left == 0) break;
        const Carrier c = carriers_[carrier_cursor_++ % carriers_.size()];
        uint32_t type = type_table_[rnd() & 255];
        if (reply_type_for(type) && left < 2) type = uint32_t(MsgType::HEARTBEAT);
        uint32_t peer;
        if (!pick_target(c, &peer)) {
            ++misses;
            continue;
        }
        h.msg_type = type;
        h.priority = priority_for(type);
        h.flags = 0;
        h.payload_len = payload_len();
        h.target_count = 1;
        h.target_agents[0] = peer + 1;
        uint32_t cost = reply_type_for(type) ? 2 : 1;
        Link* targets[agen::kMaxTargets] = {&links_[int(c)][peer]};
        if (type == uint32_t(MsgType::BROADCAST)) {
            // Several distinct targets, the frame written once to each.
            const auto& ps = peers_[int(c)];
            uint32_t want = uint32_t(std::min<uint64_t>({3, ps.size(), left}));
            size_t s = rnd() % ps.size();
            for (size_t j = 0; j < ps.size() && h.target_count < want; ++j) {
                Link& l = links_[int(c)][ps[(s + j) % ps.size()]];
                if (l.peer == peer || !l.up || l.queued() >= kCongested) continue;
                targets[h.target_count] = &l;
                h.target_agents[h.target_count++] = l.peer + 1;
            }
            cost = h.target_count;
        }
        h.sequence = ++ctr_[kSequence];
        h.timestamp = mono_ns();
        h.crc32 = agen::header_crc(h);
        if (o_.trace_context) agen::write_trace_context(h, request_context(type, h.sequence));
        for (uint32_t t = 0; t < h.target_count; ++t) write_frame(*targets[t], h);
        ctr_[kBudgetUsed] += cost;
        if (rate_ > 0) tokens_ -= cost;
        ++made;
    }
    if (factor > 1) ctr_[kBurstFrames] += made;
    return made;
}

// A request's own context (it roots its trace), or for a TASK after a TASK was
// received, that TASK's: the same root, and its server span as the parent.
agen::TraceContext Agent::request_context(uint32_t type, uint64_t seq) {
    if (!reply_type_for(type)) return {};
    if (type == uint32_t(MsgType::TASK) && cause_.root) {
        const agen::TraceContext c = cause_;
        cause_ = {};
        return c;
    }
    return {trace_span_id(id_, seq), 0};
}

void Agent::send_reply(Carrier c, uint32_t peer, uint32_t type, uint64_t seq,
                       agen::TraceContext ctx) {
    Link& l = links_[int(c)][peer];
    if (!l.exists || !l.up) return;     // the requester is gone; the reply is lost
    if (l.queued() > kReplyQueueCap) {  // the requester stopped reading long ago
        ++ctr_[kDroppedReplies];
        return;
    }
    AgenHeader h;
    std::memset(&h, 0, sizeof h);
    h.magic = agen::kMagic;
    h.version = agen::kVersion;
    h.flags = agen::kFlagReply;
    h.msg_type = type;
    h.priority = priority_for(type);
    h.sequence = seq;
    h.source_agent = id_;
    h.target_count = 1;
    h.target_agents[0] = peer + 1;
    h.payload_len = payload_len();
    h.timestamp = mono_ns();
    h.crc32 = agen::header_crc(h);
    if (o_.trace_context) agen::write_trace_context(h, ctx);
    ++ctr_[kReplies];
    write_frame(l, h);
}

void Agent::on_frame(Carrier c, const AgenHeader& h, size_t len, bool unauth) {
    if (unauth) {
        ++ctr_[kUnauthFrames];
        ctr_[kUnauthBytes] += len;
        return;
    }
    ++ctr_[kRecv + int(c)];
    ctr_[kBytesRecv + int(c)] += len;
    // For the truth's received_as_first_target: by the header's first target, as
    // agentmon's per-agent received counts are (only a BROADCAST's further copies
    // name another agent first, so the shared counter is rarely touched).
    const uint32_t first = h.target_count ? h.target_agents[0] : 0;
    if (c != Carrier::kRing && first != id_) {
        ++ctr_[kRecvNotFirst];
        if (first >= 1 && first <= n_)
            shm_->slots[first - 1].first_target_elsewhere.fetch_add(1, std::memory_order_relaxed);
    }
    ++ctr_[kByType + (h.msg_type <= agen::kMsgTypeMax ? h.msg_type : 0)];
    if (rx_now_ > h.timestamp)
        ++hist_[hist_bucket(rx_now_ - h.timestamp)];
    else
        ++hist_[0];
    if (h.flags & agen::kFlagReply) return;
    const uint32_t rt = reply_type_for(h.msg_type);
    if (!rt || h.source_agent < 1 || h.source_agent > n_) return;
    agen::TraceContext ctx{};
    if (o_.trace_context) {
        ctx = agen::read_trace_context(h);
        if (h.msg_type == uint32_t(MsgType::TASK)) {
            const uint64_t client = trace_span_id(h.source_agent, h.sequence);
            cause_ = {ctx.root ? ctx.root : client, client ^ 1};
        }
    }
    if (degrade_reply(c, h, rt)) {
        ++ctr_[kSlowReplies];
        return;
    }
    if (fault_active(FaultKind::kSlow, rx_now_)) {
        // Slow agent: the reply waits in a timer queue; the loop does not sleep.
        delayed_.push_back(
            {rx_now_ + uint64_t(o_.slow_ms * 1e6), c, h.source_agent - 1, rt, h.sequence, ctx});
        ++ctr_[kSlowReplies];
        return;
    }
    send_reply(c, h.source_agent - 1, rt, h.sequence, ctx);
}

void Agent::inject_garbage() {
    // Garbage never contains 0x4E, the first byte of the magic, so a receiver
    // resynchronises exactly at the next frame and skips exactly these bytes.
    uint8_t junk[64];
    const size_t n = 1 + rnd() % sizeof junk;
    for (size_t i = 0; i < n; ++i) {
        junk[i] = uint8_t(rnd());
        if (junk[i] == 0x4E) junk[i] = 0x4F;
    }
    std::vector<Link*> cands;
    for (Carrier c : {Carrier::kUnix, Carrier::kTcp, Carrier::kDgram}) {
        if (!o_.carrier_on[int(c)]) continue;
        for (uint32_t p : peers_[int(c)])
            if (links_[int(c)][p].up) cands.push_back(&links_[int(c)][p]);
    }
    if (cands.empty()) return;
    Link& l = *cands[rnd() % cands.size()];
    if (l.carrier == Carrier::kDgram) {
        if (send(l.fd, junk, n, MSG_DONTWAIT | MSG_NOSIGNAL) != ssize_t(n)) return;
    } else {
        l.out.insert(l.out.end(), junk, junk + n);  // between two frames
        if (!l.dirty) {
            l.dirty = true;
            dirty_.push_back(&l);
        }
    }
    ++ctr_[kMalformedEvents];
    ctr_[kMalformedBytes] += n;
}

void Agent::flood() {
    AgenHeader h;
    std::memset(&h, 0, sizeof h);
    h.magic = agen::kMagic;
    h.version = agen::kVersion;
    h.msg_type = uint32_t(MsgType::EMERGENCY);
    h.priority = uint32_t(Priority::CRITICAL);
    h.source_agent = id_;
    h.target_count = 1;
    for (int k = 0; k < 64; ++k) {
        const Carrier c = carriers_[carrier_cursor_++ % carriers_.size()];
        uint32_t peer;
        if (!pick_target(c, &peer)) continue;
        h.target_agents[0] = peer + 1;
        h.payload_len = payload_len();
        h.sequence = ++ctr_[kSequence];
        h.timestamp = mono_ns();
        h.crc32 = agen::header_crc(h);
        write_frame(links_[int(c)][peer], h);
        ++ctr_[kFloodFrames];
    }
}

}  // namespace agentbus::detail
