// The Collector seam, the collection loop and the exporter, with fake collectors.
#include <doctest/doctest.h>

#include <sstream>
#include <thread>

#include "loop_fixture.h"

using namespace agentmon;

namespace {

class FakeCollector : public Collector {
  public:
    explicit FakeCollector(bool fail) : fail_(fail) {}
    std::string_view name() const override { return fail_ ? "broken" : "fake"; }
    Status collect(SnapshotBuilder& out) override {
        ++calls;
        if (fail_) return Error{"map read failed"};
        out.add(Family::agentmon_decoder_events_total, 42, {{"event", "x"}});
        return Status::success();
    }
    int calls = 0;

  private:
    bool fail_;
};

}  // namespace

TEST_CASE("the exporter is not ready before the first published snapshot") {
    Exporter exporter(test_build());
    CHECK_FALSE(exporter.ready());
    auto text = exporter.render_metrics();
    CHECK(text.find("agentmon_build_info{commit=\"abc1234\",kernel=\"6.18.0\","
                    "libbpf_version=\"1.1\",version=\"0.1.0\"} 1") != std::string::npos);
    CHECK(text.find("agentmon_collections_total 0") != std::string::npos);
}

TEST_CASE("one tick publishes every collector's families and counts a failing collector") {
    LoopRig rig;
    rig.collectors.push_back(std::make_unique<FakeCollector>(false));
    rig.collectors.push_back(std::make_unique<FakeCollector>(true));
    rig.loop()->tick_once();
    Exporter& exporter = rig.exporter;

    CHECK_FALSE(exporter.ready());  // the broken collector has not completed a tick
    auto text = exporter.render_metrics();
    CHECK(text.find("agentmon_decoder_events_total{event=\"x\"} 42") != std::string::npos);
    CHECK(text.find("agentmon_collections_total 1") != std::string::npos);
    CHECK(text.find("agentmon_collector_errors_total{collector=\"broken\"} 1") !=
          std::string::npos);
}

TEST_CASE("the loop thread ticks until stopped") {
    LoopRig rig;
    rig.collectors.push_back(std::make_unique<FakeCollector>(false));
    auto* fake = static_cast<FakeCollector*>(rig.collectors.back().get());
    auto loop = rig.loop(std::chrono::milliseconds(100));
    loop->start();
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
    loop->stop();
    const int calls = fake->calls;
    CHECK(calls >= 3);
    CHECK(calls <= 5);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    CHECK(fake->calls == calls);  // stopped means stopped
}

TEST_CASE("empty families are left out of a snapshot") {
    SnapshotBuilder builder;
    builder.family(Family::agentmon_bpf_program_runs_total);
    builder.add(Family::agentmon_rings_watched, 1);
    Snapshot snapshot = std::move(builder).build();
    REQUIRE(snapshot.families.size() == 1);
    CHECK(snapshot.families[0].name == "agentmon_rings_watched");
}

TEST_CASE("a snapshot is rendered once and shared; the next publish replaces it") {
    PublishedSnapshot published;
    SnapshotBuilder first;
    first.add(Family::agentmon_watched_tasks, 1);
    published.publish(std::move(first).build());
    const auto a = published.text();
    std::vector<std::shared_ptr<const std::string>> concurrent(8);
    std::vector<std::thread> scrapers;
    for (auto& slot : concurrent) scrapers.emplace_back([&] { slot = published.text(); });
    for (auto& t : scrapers) t.join();
    for (const auto& t : concurrent) CHECK(t.get() == a.get());  // one rendering, shared
    CHECK(a->find("agentmon_watched_tasks 1") != std::string::npos);

    SnapshotBuilder second;
    second.add(Family::agentmon_watched_tasks, 2);
    published.publish(std::move(second).build());
    CHECK(published.text()->find("agentmon_watched_tasks 2") != std::string::npos);
    CHECK(a->find("agentmon_watched_tasks 1") !=
          std::string::npos);  // a scrape in flight keeps its text
}
