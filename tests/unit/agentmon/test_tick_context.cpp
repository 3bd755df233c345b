// The tick context the collection loop owns: the signal board is cleared by the
// loop before the first collector, the socket path's health inputs resolve agent
// ids through the configured registry, and series the budget folds are reported
// whichever paths run.
#include <doctest/doctest.h>

#include <sstream>

#include "collect/socket_signals.h"
#include "collect/tick_context.h"
#include "loop_fixture.h"
#include "metrics/ring_metrics.h"

using namespace agentmon;

namespace {

// Stands in for the ring path with the socket path off: it admits its label sets
// through the context's budget and nothing else.
class RingOnlyCollector : public Collector {
  public:
    explicit RingOnlyCollector(std::shared_ptr<TickContext> context)
        : metrics_(context->registry, context->transport) {}
    std::string_view name() const override { return "ring"; }
    Status collect(SnapshotBuilder& out) override {
        std::vector<RingObservation> rings;
        for (std::uint32_t producer : {101u, 201u}) {  // two agent types: two label sets
            RingObservation o;
            o.ring = "agent_ring_" + std::to_string(producer);
            o.producer = producer;
            o.consumer = 301;
            o.tick.written_frames = o.tick.read_frames = 3;
            rings.push_back(o);
        }
        metrics_.build(rings, 1.0, out);
        return Status::success();
    }

  private:
    RingMetrics metrics_;
};

// Writes one input on the board and remembers what it found there first.
class BoardWriter : public Collector {
  public:
    explicit BoardWriter(std::shared_ptr<TickContext> context) : context_(std::move(context)) {}
    std::string_view name() const override { return "writer"; }
    Status collect(SnapshotBuilder&) override {
        found = context_->signals->by_agent.size();
        context_->signals->by_agent[7].queue_depth = 1;
        return Status::success();
    }
    std::size_t found = 99;

  private:
    std::shared_ptr<TickContext> context_;
};

}  // namespace

TEST_CASE("tick context: the loop clears the signal board before the first collector") {
    LoopRig rig;
    rig.collectors.push_back(std::make_unique<BoardWriter>(rig.context));
    auto* writer = static_cast<BoardWriter*>(rig.collectors.back().get());
    auto loop = rig.loop();
    loop->tick_once();
    loop->tick_once();
    CHECK(writer->found == 0);  // last tick's input was gone before the writer ran
}

TEST_CASE("socket signals: unanswered requests resolve the agent id through the config's agents") {
    Config config;
    // Id 4242 is type 14 by the id arithmetic; the config says 9.
    config.socket.agents = {{4242, 9, "planner-main"}};
    TickContext context(config);
    SocketSignals signals(context);
    SocketReading reading;
    reading.monotonic_seconds = 10;
    reading.backlog_by_agent[4242] = 0;
    signals.post(reading, *context.signals);  // the window's first reading: 0 unanswered
    reading.monotonic_seconds = 11;
    reading.unanswered[9] = 3;
    signals.post(reading, *context.signals);
    REQUIRE(context.signals->by_agent.count(4242));
    CHECK(context.signals->by_agent[4242].unanswered_requests == doctest::Approx(3));
}

TEST_CASE("series budget: the ring path's drops are reported with the socket path off") {
    Config config;
    config.socket.series_budget["agent_transport_messages_total"] = 1;
    LoopRig rig(std::make_shared<TickContext>(config));
    rig.collectors.push_back(std::make_unique<RingOnlyCollector>(rig.context));
    rig.loop()->tick_once();
    const auto text = rig.exporter.render_metrics();
    // Two rings in two directions are four label sets: one admitted, three folded.
    CHECK(text.find("agentmon_series_dropped_total{family=\"agent_transport_messages_total\"} 3") !=
          std::string::npos);
}
