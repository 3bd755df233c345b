#include "agent.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <deque>
#include <memory>
#include <vector>

#include "agen_frame.h"
#include "agent_types.h"
#include "ring.h"
#include "stream_parser.h"
#include "topology.h"

namespace agentbus {
namespace {

using agen::AgenHeader;
using agen::MsgType;
using agen::Priority;

constexpr size_t kCongested =
    64u << 10;  // stop originating to a link with this much queued (the kernel buffer holds more)
constexpr size_t kReplyQueueCap = 32u << 20;  // replies queued to one peer at most
constexpr int kOriginateBurst = 64;           // frames originated per loop iteration at most
constexpr size_t kDrainBurst = 256;           // ring records consumed per ring per iteration
constexpr uint64_t kMs = 1000000;

uint32_t priority_for(uint32_t type) {
    switch (static_cast<MsgType>(type)) {
        case MsgType::EMERGENCY:
            return uint32_t(Priority::CRITICAL);
        case MsgType::ERROR:
        case MsgType::VETO:
        case MsgType::RESOURCE_REQ:
        case MsgType::RESOURCE_RESP:
            return uint32_t(Priority::HIGH);
        case MsgType::HEARTBEAT:
        case MsgType::ACK:
            return uint32_t(Priority::LOW);
        case MsgType::STATE_SYNC:
            return uint32_t(Priority::BATCH);
        case MsgType::DISCOVERY:
            return uint32_t(Priority::BACKGROUND);
        default:
            return uint32_t(Priority::NORMAL);
    }
}

uint32_t reply_type_for(uint32_t type) {
    switch (static_cast<MsgType>(type)) {
        case MsgType::REQUEST:
            return uint32_t(MsgType::RESPONSE);
        case MsgType::TASK:
            return uint32_t(MsgType::RESULT);
        case MsgType::RESOURCE_REQ:
            return uint32_t(MsgType::RESOURCE_RESP);
        default:
            return 0;
    }
}

struct Link {  // outgoing: this agent -> one peer on one carrier
    Carrier carrier{};
    uint32_t peer = 0;
    bool exists = false;  // part of the topology
    bool up = false;
    bool blocked = false;  // EAGAIN; cleared by EPOLLOUT
    bool dirty = false;    // in the dirty list
    int fd = -1;
    std::vector<uint8_t> out;  // socket output or ring overflow, frames back to back
    size_t off = 0;
    uint32_t pending = 0;  // frames appended since the last write
    uint64_t retry_ns = 0;
    RingProducer ring;
    agen::RingControl* ctl = nullptr;
    size_t queued() const { return out.size() - off; }
};

enum class ConnKind { kNone, kListenUnix, kListenTcp, kStreamIn, kDgramIn, kLinkOut };
struct Conn {
    ConnKind kind = ConnKind::kNone;
    Carrier carrier{};
    uint32_t peer = 0;
    bool unauthorized = false;
    std::unique_ptr<StreamParser> parser;
    uint64_t seen_skipped = 0, seen_resyncs = 0, seen_bad = 0;
};

struct InRing {
    uint32_t entry;
    uint32_t gen = 0;
    agen::RingControl* ctl = nullptr;
    RingConsumer cons;
};

struct DelayedReply {
    uint64_t due;
    Carrier carrier;
    uint32_t peer;
    uint32_t type;
    uint64_t seq;
};

class Agent {
  public:
    Agent(const Options& o, SharedBlock* shm, uint32_t index, std::string dir)
        : o_(o),
          shm_(shm),
          slot_(&shm->slots[index]),
          idx_(index),
          id_(index + 1),
          n_(shm->nagents),
          dir_(std::move(dir)) {}
    int run();

  private:
    bool setup();
    bool listen_all();
    void create_rings();
    void connect_link(Link& l);
    void check_rings();
    void loop();
    int originate(uint64_t now);
    bool pick_target(Carrier c, uint32_t* peer);
    void write_frame(Link& l, const AgenHeader& h);
    void flush_links(bool force);
    void flush_socket(Link& l);
    void flush_dgram(Link& l);
    void flush_ring_overflow(Link& l);
    void break_link(Link& l);
    int drain_rings();
    void handle_event(const epoll_event& ev);
    void accept_all(int lfd, Carrier c);
    void read_stream(int fd);
    void read_dgram(int fd);
    void close_conn(int fd, bool broken);
    void on_frame(Carrier c, const AgenHeader& h, size_t len, bool unauth);
    void send_reply(Carrier c, uint32_t peer, uint32_t type, uint64_t seq);
    void inject_garbage();
    void flood();
    void flush_stats(bool hist);
    bool fault_active(FaultKind k, uint64_t now) const;
    uint64_t rnd() {
        rng_ ^= rng_ >> 12;
        rng_ ^= rng_ << 25;
        rng_ ^= rng_ >> 27;
        return rng_ * 0x2545F4914F6CDD1Dull;
    }
    uint32_t payload_len() {
        return o_.payload_min + (o_.payload_max > o_.payload_min
                                     ? uint32_t(rnd() % (o_.payload_max - o_.payload_min + 1))
                                     : 0);
    }
    void add_conn(int fd, ConnKind k, Carrier c, uint32_t events);
    bool is_agent_pid(int pid) const;

    const Options& o_;
    SharedBlock* shm_;
    AgentSlot* slot_;
    uint32_t idx_, id_, n_;
    std::string dir_;
    uint64_t ctr_[kCtrCount] = {};
    std::vector<uint64_t> hist_ = std::vector<uint64_t>(kHistBuckets);
    uint64_t rng_ = 1;
    int ep_ = -1;
    bool sockets_ = false;
    std::vector<Link> links_[kCarrierCount];
    std::vector<uint32_t> peers_[kCarrierCount];
    std::vector<Link*> dirty_;
    std::vector<Conn> conns_;
    std::vector<InRing> in_rings_;
    std::vector<uint32_t> my_rings_;  // ring entries this agent produces into
    std::vector<Carrier> carriers_;
    size_t carrier_cursor_ = 0;
    std::deque<DelayedReply> delayed_;
    std::vector<uint8_t> payload_;
    std::vector<uint8_t> dgram_buf_;
    uint8_t type_table_[256];
    bool originating_ = true;
    uint64_t budget_ = ~0ull;  // frames this agent may originate (replies it causes included)
    double tokens_ = 0, rate_ = 0;
    uint64_t last_refill_ = 0;
    uint64_t rx_now_ = 0;
    uint32_t spin_ = 64, yield_ = 256;
    uint64_t last_stall_ns_ = 0;  // idle iterations before yielding / sleeping
    uint64_t next_periodic_ = 0, next_hist_ = 0, next_reconnect_ = 0, next_garbage_ = 0,
             next_flood_ = 0;
};

bool Agent::is_agent_pid(int pid) const {
    for (uint32_t i = 0; i < n_; ++i)
        if (shm_->slots[i].pid.load(std::memory_order_acquire) == pid) return true;
    return false;
}

bool Agent::fault_active(FaultKind k, uint64_t now) const {
    const uint64_t start = shm_->start_ns.load(std::memory_order_relaxed);
    if (!start) return false;
    const uint64_t from = start + uint64_t(o_.fault_start * 1e9);
    const uint64_t to = from + uint64_t(o_.fault_duration * 1e9);
    if (now < from || now >= to) return false;
    for (const auto& f : o_.faults)
        if (f.kind == k && f.agent == id_) return true;
    return false;
}

void Agent::add_conn(int fd, ConnKind k, Carrier c, uint32_t events) {
    if (size_t(fd) >= conns_.size()) conns_.resize(fd + 64);
    conns_[fd] = Conn{};
    conns_[fd].kind = k;
    conns_[fd].carrier = c;
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
}

bool Agent::listen_all() {
    if (o_.carrier_on[int(Carrier::kUnix)]) {
        const std::string p = stream_socket_path(dir_, id_);
        unlink(p.c_str());
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        snprintf(a.sun_path, sizeof a.sun_path, "%s", p.c_str());
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) || listen(fd, 1024)) {
            fprintf(stderr, "agentbus: %s: cannot listen on %s: %s\n",
                    agen::agent_name(id_).c_str(), p.c_str(), strerror(errno));
            return false;
        }
        add_conn(fd, ConnKind::kListenUnix, Carrier::kUnix, EPOLLIN);
    }
    if (o_.carrier_on[int(Carrier::kTcp)]) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(uint16_t(o_.tcp_port + idx_));
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) || listen(fd, 1024)) {
            fprintf(stderr, "agentbus: %s: cannot listen on 127.0.0.1:%u: %s\n",
                    agen::agent_name(id_).c_str(), o_.tcp_port + idx_, strerror(errno));
            return false;
        }
        add_conn(fd, ConnKind::kListenTcp, Carrier::kTcp, EPOLLIN);
    }
    if (o_.carrier_on[int(Carrier::kDgram)]) {
        const std::string p = dgram_socket_path(dir_, id_);
        unlink(p.c_str());
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        snprintf(a.sun_path, sizeof a.sun_path, "%s", p.c_str());
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a)) {
            fprintf(stderr, "agentbus: %s: cannot bind %s: %s\n", agen::agent_name(id_).c_str(),
                    p.c_str(), strerror(errno));
            return false;
        }
        add_conn(fd, ConnKind::kDgramIn, Carrier::kDgram, EPOLLIN);
    }
    return true;
}

void Agent::create_rings() {
    uint32_t n = 0;
    for (uint32_t r = 0; r < shm_->nrings; ++r) {
        RingEntry& e = shm_->rings[r];
        if (e.producer == idx_) {
            const std::string name = ring_file_name(o_.ns, getpid(), n++);
            agen::RingControl* c = create_ring_file(name, o_.ring_size, id_, e.consumer + 1);
            Link& l = links_[int(Carrier::kRing)][e.consumer];
            if (!c) {
                fprintf(stderr, "agentbus: cannot create /dev/shm/%s: %s\n", name.c_str(),
                        strerror(errno));
                continue;
            }
            l.ctl = c;
            l.ring.attach(c);
            l.up = true;
            snprintf(e.name, sizeof e.name, "%s", name.c_str());
            e.gen.fetch_add(1, std::memory_order_release);
            my_rings_.push_back(r);
        } else if (e.consumer == idx_) {
            in_rings_.emplace_back();
            in_rings_.back().entry = r;
        }
    }
}

void Agent::check_rings() {
    for (auto& in : in_rings_) {
        const uint32_t g = shm_->rings[in.entry].gen.load(std::memory_order_acquire);
        if (g == in.gen) continue;
        if (in.ctl) {  // the producer restarted: finish the old ring first
            rx_now_ = mono_ns();
            while (in.cons.drain(
                [&](const uint8_t* p, size_t len) {
                    AgenHeader h;
                    if (agen::decode_header(p, len, &h) == agen::HeaderError::kOk)
                        on_frame(Carrier::kRing, h, len, false);
                    else
                        ++ctr_[kCrcErrors];
                },
                kDrainBurst)) {
            }
            unmap_ring(in.ctl);
            in.ctl = nullptr;
        }
        agen::RingControl* c = map_ring_file(shm_->rings[in.entry].name);
        if (!c) continue;  // retried on the next check
        in.ctl = c;
        in.cons.attach(c);
        in.gen = g;
    }
}

void Agent::connect_link(Link& l) {
    const uint32_t pid = l.peer + 1;
    int fd = -1;
    if (l.carrier == Carrier::kUnix || l.carrier == Carrier::kDgram) {
        fd = socket(
            AF_UNIX,
            (l.carrier == Carrier::kUnix ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
            0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        const std::string p = l.carrier == Carrier::kUnix ? stream_socket_path(dir_, pid)
                                                          : dgram_socket_path(dir_, pid);
        snprintf(a.sun_path, sizeof a.sun_path, "%s", p.c_str());
        if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close(fd);
            fd = -1;
        }
    } else if (l.carrier == Carrier::kTcp) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // blocking connect on loopback
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(uint16_t(o_.tcp_port + l.peer));
        if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close(fd);
            fd = -1;
        } else {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        }
    }
    if (fd < 0) {
        l.retry_ns = mono_ns() + 100 * kMs;
        return;
    }
    l.fd = fd;
    l.up = true;
    l.blocked = false;
    l.out.clear();
    l.off = 0;
    l.pending = 0;
    add_conn(fd, ConnKind::kLinkOut, l.carrier, EPOLLOUT | EPOLLET);
    conns_[fd].peer = l.peer;
}

bool Agent::setup() {
    slot_->pid.store(getpid(), std::memory_order_release);
    const uint32_t gen = slot_->generation.fetch_add(1) + 1;
    prctl(PR_SET_NAME, agent_comm(id_).c_str(), 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);  // the parent owns the run; it tells us through shm
    signal(SIGTERM, SIG_DFL);
    for (uint32_t i = 0; i < kCtrCount; ++i) ctr_[i] = slot_->ctr[i].load();  // restart continues
    for (uint32_t i = 0; i < kHistBuckets; ++i) hist_[i] = slot_->hist[i].load();
    rng_ = (o_.seed + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t(id_) << 32) ^ gen;
    if (!rng_) rng_ = 1;

    // Message mix: weights out of 100, spread over a 256-entry table.
    const std::pair<MsgType, int> mix[] = {
        {MsgType::REQUEST, 18},   {MsgType::TASK, 10},     {MsgType::RESOURCE_REQ, 6},
        {MsgType::HEARTBEAT, 16}, {MsgType::BROADCAST, 8}, {MsgType::STATE_SYNC, 10},
        {MsgType::DISCOVERY, 5},  {MsgType::ACK, 20},      {MsgType::ERROR, 3},
        {MsgType::VETO, 2},       {MsgType::EMERGENCY, 2}};
    size_t k = 0;
    for (auto [t, w] : mix)
        for (int i = 0; i < w * 256 / 100 && k < 256; ++i) type_table_[k++] = uint8_t(t);
    while (k < 256) type_table_[k++] = uint8_t(MsgType::ACK);

    payload_.resize(std::max<size_t>(o_.payload_max, 1));
    for (size_t i = 0; i < payload_.size(); ++i) payload_[i] = uint8_t(i * 131 + id_);
    dgram_buf_.resize(agen::kHeaderSize + 65536 + 64);

    if (o_.messages) {
        budget_ = o_.messages / n_ + (idx_ < o_.messages % n_ ? 1 : 0);
        if (ctr_[kBudgetUsed] >= budget_) {
            originating_ = false;
            slot_->done.store(1, std::memory_order_release);
        }
    }
    if (o_.rate > 0) {
        rate_ = o_.rate / n_;
        tokens_ = std::min(1.0, rate_);
    }

    ep_ = epoll_create1(EPOLL_CLOEXEC);
    for (int c = 0; c < kCarrierCount; ++c) {
        if (!o_.carrier_on[c]) continue;
        carriers_.push_back(Carrier(c));
        links_[c].resize(n_);
        for (uint32_t p = 0; p < n_; ++p) {
            links_[c][p].carrier = Carrier(c);
            links_[c][p].peer = p;
        }
        if (Carrier(c) == Carrier::kRing) {
            peers_[c] = ring_neighbours(idx_, n_);
        } else {
            sockets_ = true;
            for (uint32_t p = 0; p < n_; ++p)
                if (p != idx_) peers_[c].push_back(p);
        }
        for (uint32_t p : peers_[c]) links_[c][p].exists = true;
    }
    if (!listen_all()) return false;
    if (o_.carrier_on[int(Carrier::kRing)]) create_rings();
    slot_->listening.store(gen, std::memory_order_release);

    // First start: wait until every agent listens, then connect. A restarted
    // agent connects to whoever is there; peers reconnect to it on their own.
    const bool first = shm_->go.load() == 0;
    if (first) {
        for (uint32_t p = 0; p < n_; ++p) {
            while (!shm_->slots[p].listening.load(std::memory_order_acquire)) {
                if (shm_->exit_now.load()) return false;
                usleep(1000);
            }
        }
    }
    for (int c = 0; c < kCarrierCount; ++c) {
        if (!o_.carrier_on[c] || Carrier(c) == Carrier::kRing) continue;
        for (uint32_t p : peers_[c]) connect_link(links_[c][p]);
    }
    check_rings();
    slot_->connected.store(1, std::memory_order_release);
    while (!shm_->go.load(std::memory_order_acquire)) {
        if (shm_->exit_now.load()) return false;
        usleep(500);
    }
    return true;
}

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
    if (rate_ > 0) {
        tokens_ += double(now - last_refill_) * rate_ / 1e9;
        last_refill_ = now;
        const double burst = std::max(3.0, rate_ / 100);
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
        for (uint32_t t = 0; t < h.target_count; ++t) write_frame(*targets[t], h);
        ctr_[kBudgetUsed] += cost;
        if (rate_ > 0) tokens_ -= cost;
        ++made;
    }
    return made;
}

void Agent::send_reply(Carrier c, uint32_t peer, uint32_t type, uint64_t seq) {
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
    ++ctr_[kByType + (h.msg_type <= agen::kMsgTypeMax ? h.msg_type : 0)];
    if (rx_now_ > h.timestamp)
        ++hist_[hist_bucket(rx_now_ - h.timestamp)];
    else
        ++hist_[0];
    if (h.flags & agen::kFlagReply) return;
    const uint32_t rt = reply_type_for(h.msg_type);
    if (!rt || h.source_agent < 1 || h.source_agent > n_) return;
    if (fault_active(FaultKind::kSlow, rx_now_)) {
        // Slow agent: the reply waits in a timer queue; the loop does not sleep.
        delayed_.push_back(
            {rx_now_ + uint64_t(o_.slow_ms * 1e6), c, h.source_agent - 1, rt, h.sequence});
        ++ctr_[kSlowReplies];
        return;
    }
    send_reply(c, h.source_agent - 1, rt, h.sequence);
}

void Agent::break_link(Link& l) {
    if (l.fd >= 0) {
        close(l.fd);
        if (size_t(l.fd) < conns_.size()) conns_[l.fd] = Conn{};
    }
    l.fd = -1;
    l.up = false;
    l.out.clear();
    l.off = 0;
    l.pending = 0;
    l.retry_ns = mono_ns() + 100 * kMs;
    ++ctr_[kBrokenConns];
}

void Agent::flush_socket(Link& l) {
    l.pending = 0;
    while (l.off < l.out.size()) {
        size_t n = l.out.size() - l.off;
        if (o_.split) {
            // Cut the stream anywhere: sometimes 1 byte, otherwise a random prefix.
            const uint64_t r = rnd();
            n = (r & 7) == 0 ? 1 : 1 + (r >> 8) % n;
        }
        ssize_t w = send(l.fd, l.out.data() + l.off, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            l.off += size_t(w);
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            l.blocked = true;
            break;
        } else {
            break_link(l);
            return;
        }
    }
    if (l.off == l.out.size()) {
        l.out.clear();
        l.off = 0;
    } else if (l.off > (1u << 20)) {
        l.out.erase(l.out.begin(), l.out.begin() + long(l.off));
        l.off = 0;
    }
}

void Agent::flush_dgram(Link& l) {
    l.pending = 0;
    while (l.off < l.out.size()) {
        uint8_t* p = l.out.data() + l.off;
        uint32_t plen;
        std::memcpy(&plen, p + offsetof(AgenHeader, payload_len), 4);
        iovec iov[2] = {{p, agen::kHeaderSize}, {p + agen::kHeaderSize, plen}};
        msghdr m{};
        m.msg_iov = iov;
        m.msg_iovlen = plen ? 2 : 1;
        ssize_t w = sendmsg(l.fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w >= 0) {
            l.off += agen::kHeaderSize + plen;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            l.blocked = true;  // receiver queue full (net.unix.max_dgram_qlen); EPOLLOUT resumes
            break;
        } else {
            break_link(l);
            return;
        }
    }
    if (l.off == l.out.size()) {
        l.out.clear();
        l.off = 0;
    }
}

void Agent::flush_ring_overflow(Link& l) {
    while (l.off < l.out.size()) {
        uint8_t* p = l.out.data() + l.off;
        uint32_t plen;
        std::memcpy(&plen, p + offsetof(AgenHeader, payload_len), 4);
        const size_t len = agen::kHeaderSize + plen;
        if (!l.ring.push(p, len)) break;
        l.off += len;
    }
    if (l.off == l.out.size()) {
        l.out.clear();
        l.off = 0;
        l.pending = 0;
    }
}

void Agent::flush_links(bool force) {
    for (size_t i = 0; i < dirty_.size();) {
        Link& l = *dirty_[i];
        if (l.up && l.queued() && !l.blocked) {
            if (l.carrier == Carrier::kRing)
                flush_ring_overflow(l);
            else if (force || l.pending >= o_.batch)
                l.carrier == Carrier::kDgram ? flush_dgram(l) : flush_socket(l);
        }
        if (!l.up || l.queued() == 0) {
            l.dirty = false;
            dirty_[i] = dirty_.back();
            dirty_.pop_back();
        } else {
            ++i;
        }
    }
    for (uint32_t r : my_rings_)
        links_[int(Carrier::kRing)][shm_->rings[r].consumer].ring.publish();
}

int Agent::drain_rings() {
    int total = 0;
    for (auto& in : in_rings_) {
        if (!in.ctl) continue;
        rx_now_ = mono_ns();
        total += int(in.cons.drain(
            [&](const uint8_t* p, size_t len) {
                const AgenHeader* hp =
                    reinterpret_cast<const AgenHeader*>(p);  // records are 8-aligned
                if (hp->magic != agen::kMagic || hp->crc32 != agen::header_crc(*hp)) {
                    ++ctr_[kCrcErrors];
                    return;
                }
                on_frame(Carrier::kRing, *hp, len, false);
            },
            kDrainBurst));
    }
    return total;
}

void Agent::accept_all(int lfd, Carrier c) {
    for (;;) {
        int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        add_conn(fd, ConnKind::kStreamIn, c, EPOLLIN);
        Conn& cn = conns_[fd];
        cn.parser = std::make_unique<StreamParser>();
        if (c == Carrier::kUnix) {
            ucred cred{};
            socklen_t len = sizeof cred;
            if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
                !is_agent_pid(cred.pid)) {
                cn.unauthorized = true;  // not one of ours: count its frames apart, never answer
                ++ctr_[kUnauthConns];
            }
        }
    }
}

void Agent::close_conn(int fd, bool broken) {
    if (broken && !conns_[fd].unauthorized) ++ctr_[kBrokenConns];
    conns_[fd] = Conn{};
    close(fd);
}

void Agent::read_stream(int fd) {
    Conn& cn = conns_[fd];
    StreamParser& ps = *cn.parser;
    for (int k = 0; k < 8; ++k) {
        size_t room;
        uint8_t* p = ps.space(64 * 1024, &room);
        ssize_t r = read(fd, p, room);
        if (r > 0) {
            ps.commit(size_t(r));
            rx_now_ = mono_ns();
            const bool unauth = cn.unauthorized;
            const Carrier c = cn.carrier;
            ps.parse([&](const AgenHeader& h, const uint8_t*, size_t len) {
                on_frame(c, h, len, unauth);
            });
            if (size_t(r) < room) break;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            ctr_[kSkippedBytes] += ps.skipped_bytes() - cn.seen_skipped;
            ctr_[kResyncs] += ps.resyncs() - cn.seen_resyncs;
            ctr_[kCrcErrors] += ps.bad_headers() - cn.seen_bad;
            close_conn(fd, !cn.unauthorized && !shm_->exit_now.load());
            return;
        }
    }
    ctr_[kSkippedBytes] += ps.skipped_bytes() - cn.seen_skipped;
    ctr_[kResyncs] += ps.resyncs() - cn.seen_resyncs;
    ctr_[kCrcErrors] += ps.bad_headers() - cn.seen_bad;
    cn.seen_skipped = ps.skipped_bytes();
    cn.seen_resyncs = ps.resyncs();
    cn.seen_bad = ps.bad_headers();
}

void Agent::read_dgram(int fd) {
    for (int k = 0; k < 64; ++k) {
        ssize_t r = recv(fd, dgram_buf_.data(), dgram_buf_.size(), MSG_DONTWAIT);
        if (r < 0) return;
        rx_now_ = mono_ns();
        AgenHeader h;
        if (agen::decode_header(dgram_buf_.data(), size_t(r), &h) != agen::HeaderError::kOk ||
            agen::kHeaderSize + h.payload_len != size_t(r)) {
            ++ctr_[kRejectedDgrams];
            ctr_[kSkippedBytes] += size_t(r);
            continue;
        }
        on_frame(Carrier::kDgram, h, size_t(r), false);
    }
}

void Agent::handle_event(const epoll_event& ev) {
    const int fd = ev.data.fd;
    if (size_t(fd) >= conns_.size()) return;
    Conn& cn = conns_[fd];
    switch (cn.kind) {
        case ConnKind::kListenUnix:
            accept_all(fd, Carrier::kUnix);
            break;
        case ConnKind::kListenTcp:
            accept_all(fd, Carrier::kTcp);
            break;
        case ConnKind::kStreamIn:
            read_stream(fd);
            break;
        case ConnKind::kDgramIn:
            read_dgram(fd);
            break;
        case ConnKind::kLinkOut:
            links_[int(cn.carrier)][cn.peer].blocked = false;
            break;
        case ConnKind::kNone:
            break;
    }
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

void Agent::flush_stats(bool hist) {
    for (uint32_t i = 0; i < kCtrCount; ++i)
        slot_->ctr[i].store(ctr_[i], std::memory_order_relaxed);
    if (hist)
        for (uint32_t i = 0; i < kHistBuckets; ++i)
            slot_->hist[i].store(hist_[i], std::memory_order_relaxed);
}

void Agent::loop() {
    std::vector<epoll_event> evs(256);
    uint32_t idle = 0;
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (n_ > uint32_t(std::max(1L, cores))) {
        spin_ = 4;
        yield_ = 8;
    }
    last_refill_ = mono_ns();
    while (!shm_->exit_now.load(std::memory_order_relaxed)) {
        uint64_t now = mono_ns();
        // Stalled consumer: for the window the agent reads nothing (no ring
        // drains, no socket reads), so its peers' queues and kernel buffers
        // fill; it still originates and writes, then resumes reading.
        const bool stalled = fault_active(FaultKind::kStall, now);
        if (stalled && last_stall_ns_) ctr_[kStalledNs] += now - last_stall_ns_;
        last_stall_ns_ = stalled ? now : 0;
        int work = originate(now);
        const bool saturated = work >= kOriginateBurst;
        if (!stalled) work += drain_rings();
        while (!delayed_.empty() && delayed_.front().due <= now) {
            const auto d = delayed_.front();
            delayed_.pop_front();
            send_reply(d.carrier, d.peer, d.type, d.seq);
            ++work;
        }
        if (stalled) {
            // No epoll while stalled (readable fds would wake it at once):
            // retry blocked writes instead of waiting for EPOLLOUT.
            for (Link* l : dirty_) l->blocked = false;
        } else if (sockets_) {
            int n = epoll_wait(ep_, evs.data(), int(evs.size()), 0);
            for (int i = 0; i < n; ++i) handle_event(evs[i]);
            work += n;
        }
        flush_links(!saturated);
        if (now >= next_periodic_) {
            next_periodic_ = now + kMs;
            if (fault_active(FaultKind::kMalformed, now) && now >= next_garbage_) {
                next_garbage_ = now + 2 * kMs;
                inject_garbage();
            }
            if (fault_active(FaultKind::kFlood, now) && now >= next_flood_) {
                next_flood_ = now + kMs;
                flood();
            }
            check_rings();
            if (now >= next_reconnect_) {
                next_reconnect_ = now + 100 * kMs;
                for (Carrier c : carriers_) {
                    if (c == Carrier::kRing) continue;
                    for (uint32_t p : peers_[int(c)]) {
                        Link& l = links_[int(c)][p];
                        l.blocked = false;  // belt and braces for a missed EPOLLOUT edge
                        if (!l.up && now >= l.retry_ns && shm_->slots[p].alive.load() &&
                            shm_->slots[p].listening.load()) {
                            connect_link(l);
                            if (l.up) ++ctr_[kReconnects];
                        }
                    }
                }
            }
            flush_stats(now >= next_hist_);
            if (now >= next_hist_) next_hist_ = now + 50 * kMs;
        }
        if (stalled) {
            usleep(work ? 20 : 200);
            continue;
        }
        if (work) {
            idle = 0;
            continue;
        }
        // Idle: poll a little, yield a little, then sleep. With more agents
        // than cores, spinning only steals the CPU from the agents with work,
        // so the spin and yield phases shrink to almost nothing.
        ++idle;
        if (idle < spin_) continue;
        if (idle < yield_) {
            sched_yield();
            continue;
        }
        // Nothing to do: sleep briefly. Rings cannot wake us, so the sleep stays short.
        const long us = o_.carrier_on[int(Carrier::kRing)] ? 50 : 1000;
        if (sockets_) {
            timespec ts{0, us * 1000};
            int n = epoll_pwait2(ep_, evs.data(), int(evs.size()), &ts, nullptr);
            for (int i = 0; i < n; ++i) handle_event(evs[i]);
            if (n > 0) idle = 0;
        } else {
            timespec ts{0, us * 1000};
            nanosleep(&ts, nullptr);
        }
    }
}

int Agent::run() {
    if (!setup()) {
        flush_stats(true);
        return shm_->exit_now.load() ? 0 : 3;
    }
    loop();
    flush_stats(true);
    return 0;
}

}  // namespace

int run_agent(const Options& opt, SharedBlock* shm, uint32_t index, const std::string& run_dir) {
    Agent a(opt, shm, index, run_dir);
    return a.run();
}

}  // namespace agentbus
