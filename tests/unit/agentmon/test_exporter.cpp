// The Collector seam, the collection loop and the exporter, with fake collectors.
#include <doctest/doctest.h>

#include <sstream>
#include <thread>

#include "serve/collection_loop.h"
#include "serve/exporter.h"

using namespace agentmon;

namespace {

class FakeCollector : public Collector {
  public:
    explicit FakeCollector(bool fail) : fail_(fail) {}
    std::string_view name() const override { return fail_ ? "broken" : "fake"; }
    Status collect(SnapshotBuilder& out) override {
        ++calls;
        if (fail_) return Error{"map read failed"};
        out.counter("fake_events_total", "Events.", 42, {{"kind", "x"}});
        return Status::success();
    }
    int calls = 0;

  private:
    bool fail_;
};

BuildInfo test_build() { return {"0.1.0", "abc1234", "1.1", "6.18.0"}; }

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
    Exporter exporter(test_build());
    std::vector<std::unique_ptr<Collector>> collectors;
    collectors.push_back(std::make_unique<FakeCollector>(false));
    collectors.push_back(std::make_unique<FakeCollector>(true));
    std::ostringstream sink;
    Logger log(LogLevel::error, LogFormat::text, sink);
    CollectionLoop loop(collectors, std::make_shared<TickContext>(Config{}), exporter, log,
                        std::chrono::seconds(1));
    loop.tick_once();

    CHECK(exporter.ready());
    auto text = exporter.render_metrics();
    CHECK(text.find("fake_events_total{kind=\"x\"} 42") != std::string::npos);
    CHECK(text.find("agentmon_collections_total 1") != std::string::npos);
    CHECK(text.find("agentmon_collector_errors_total{collector=\"broken\"} 1") !=
          std::string::npos);
}

TEST_CASE("the loop thread ticks until stopped") {
    Exporter exporter(test_build());
    std::vector<std::unique_ptr<Collector>> collectors;
    collectors.push_back(std::make_unique<FakeCollector>(false));
    auto* fake = static_cast<FakeCollector*>(collectors.back().get());
    std::ostringstream sink;
    Logger log(LogLevel::error, LogFormat::text, sink);
    CollectionLoop loop(collectors, std::make_shared<TickContext>(Config{}), exporter, log,
                        std::chrono::milliseconds(100));
    loop.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
    loop.stop();
    const int calls = fake->calls;
    CHECK(calls >= 3);
    CHECK(calls <= 5);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    CHECK(fake->calls == calls);  // stopped means stopped
}

TEST_CASE("empty families are left out of a snapshot") {
    SnapshotBuilder builder;
    builder.family("agentmon_bpf_program_runs_total", "Runs.", prometheus::MetricType::Counter);
    builder.gauge("g", "G.", 1);
    Snapshot snapshot = std::move(builder).build();
    REQUIRE(snapshot.families.size() == 1);
    CHECK(snapshot.families[0].name == "g");
}

TEST_CASE("a snapshot is rendered once and shared; the next publish replaces it") {
    PublishedSnapshot published;
    SnapshotBuilder first;
    first.gauge("fake_level", "Level.", 1);
    published.publish(std::move(first).build());
    const auto a = published.text();
    std::vector<std::shared_ptr<const std::string>> concurrent(8);
    std::vector<std::thread> scrapers;
    for (auto& slot : concurrent) scrapers.emplace_back([&] { slot = published.text(); });
    for (auto& t : scrapers) t.join();
    for (const auto& t : concurrent) CHECK(t.get() == a.get());  // one rendering, shared
    CHECK(a->find("fake_level 1") != std::string::npos);

    SnapshotBuilder second;
    second.gauge("fake_level", "Level.", 2);
    published.publish(std::move(second).build());
    CHECK(published.text()->find("fake_level 2") != std::string::npos);
    CHECK(a->find("fake_level 1") != std::string::npos);  // a scrape in flight keeps its text
}
