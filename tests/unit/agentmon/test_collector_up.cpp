// Failing loudly: agentmon_collector_up says which collectors run, /readyz waits
// for every running collector's first tick, and a collector that could not start
// is exported as down on every tick.
#include <doctest/doctest.h>

#include <sstream>

#include "serve/collection_loop.h"
#include "serve/exporter.h"

using namespace agentmon;

namespace {

class SwitchableCollector : public Collector {
  public:
    SwitchableCollector(std::string name, bool fail) : name_(std::move(name)), fail(fail) {}
    std::string_view name() const override { return name_; }
    Status collect(SnapshotBuilder&) override {
        if (fail) return Error{"map read failed"};
        return Status::success();
    }

  private:
    std::string name_;

  public:
    bool fail;
};

bool has(const std::string& text, const std::string& line) {
    return text.find(line) != std::string::npos;
}

struct LoopFixture {
    Exporter exporter{BuildInfo{"0.1.0", "abc1234", "1.1", "6.18.0"}};
    std::vector<std::unique_ptr<Collector>> collectors;
    std::ostringstream sink;
    Logger log{LogLevel::error, LogFormat::text, sink};

    SwitchableCollector& add(const std::string& name, bool fail) {
        collectors.push_back(std::make_unique<SwitchableCollector>(name, fail));
        return static_cast<SwitchableCollector&>(*collectors.back());
    }
    CollectionLoop loop() {
        return {collectors, std::make_shared<TickContext>(Config{}), exporter, log,
                std::chrono::seconds(1)};
    }
};

}  // namespace

TEST_CASE("collector_up is 1 for a collector whose last tick succeeded and 0 otherwise") {
    LoopFixture f;
    f.add("socket", false);
    auto& ring = f.add("ring", true);
    auto loop = f.loop();
    loop.tick_once();
    auto text = f.exporter.render_metrics();
    CHECK(has(text, "agentmon_collector_up{collector=\"socket\"} 1"));
    CHECK(has(text, "agentmon_collector_up{collector=\"ring\"} 0"));

    ring.fail = false;
    loop.tick_once();
    CHECK(has(f.exporter.render_metrics(), "agentmon_collector_up{collector=\"ring\"} 1"));
    ring.fail = true;
    loop.tick_once();
    CHECK(has(f.exporter.render_metrics(), "agentmon_collector_up{collector=\"ring\"} 0"));
}

TEST_CASE("a collector that could not start is exported as down on every tick") {
    LoopFixture f;
    f.add("process", false);
    auto loop = f.loop();
    loop.set_failed_at_start({"socket", "agents"});
    loop.tick_once();
    loop.tick_once();
    auto text = f.exporter.render_metrics();
    CHECK(has(text, "agentmon_collector_up{collector=\"socket\"} 0"));
    CHECK(has(text, "agentmon_collector_up{collector=\"agents\"} 0"));
    CHECK(has(text, "agentmon_collector_up{collector=\"process\"} 1"));
    // Not waited for: it never will tick, and its gauge says so.
    CHECK(f.exporter.ready());
}

TEST_CASE("readyz waits until every running collector has completed a tick") {
    LoopFixture f;
    f.add("socket", false);
    auto& ring = f.add("ring", true);
    auto loop = f.loop();
    loop.tick_once();
    CHECK_FALSE(f.exporter.ready());
    loop.tick_once();
    CHECK_FALSE(f.exporter.ready());
    ring.fail = false;
    loop.tick_once();
    CHECK(f.exporter.ready());
    ring.fail = true;
    loop.tick_once();
    CHECK(f.exporter.ready());  // ready stays: a later failure shows in collector_up
}
