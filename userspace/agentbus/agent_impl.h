// Internals of one agent process (agent.h is the interface). The Agent class
// is split over agent.cpp (loop), agent_setup.cpp (listeners, rings,
// connections), agent_traffic.cpp (what is sent) and agent_io.cpp (moving
// bytes: flushes, reads, accepts).
#pragma once

#include "agent.h"
#include "shared.h"
#include "trace_context.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <csignal>
#include <ctime>

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

namespace agentbus::detail {

using agen::AgenHeader;
using agen::MsgType;
using agen::Priority;

inline constexpr size_t kCongested =
    64u << 10;  // stop originating to a link with this much queued (the kernel buffer holds more)
inline constexpr size_t kReplyQueueCap = 32u << 20;  // replies queued to one peer at most
inline constexpr int kOriginateBurst = 64;           // frames originated per loop iteration at most
inline constexpr size_t kDrainBurst = 256;           // ring records consumed per ring per iteration
inline constexpr uint64_t kMs = 1000000;

inline uint32_t priority_for(uint32_t type) {
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

inline uint32_t reply_type_for(uint32_t type) {
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
    agen::TraceContext ctx{};  // echoed in the reply (--trace-context)
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
    void send_reply(Carrier c, uint32_t peer, uint32_t type, uint64_t seq,
                    agen::TraceContext ctx = {});
    agen::TraceContext request_context(uint32_t type, uint64_t seq);
    void inject_garbage();
    void flood();
    void flush_stats(bool hist);
    bool fault_active(FaultKind k, uint64_t now) const;
    double degrade_progress(uint64_t now) const;
    bool degrade_tick(uint64_t now);
    bool degrade_reply(Carrier c, const AgenHeader& h, uint32_t rt);
    double burst_factor(uint64_t now) const;
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
    // --trace-context: the last TASK received, the parent of the next TASK sent.
    agen::TraceContext cause_{};
    uint32_t spin_ = 64, yield_ = 256;
    uint64_t last_stall_ns_ = 0;  // idle iterations before yielding / sleeping
    bool degrading_ = false;      // this process has started to degrade; it ends in abort()
    double degrade_p_ = -1;       // progress in [0, 1) at the last tick; -1: healthy
    std::vector<std::unique_ptr<uint8_t[]>> ballast_;  // a degrading agent's growing memory
    uint64_t next_periodic_ = 0, next_hist_ = 0, next_reconnect_ = 0, next_garbage_ = 0,
             next_flood_ = 0;
};

}  // namespace agentbus::detail
