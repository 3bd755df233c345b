// The `scope` setting: parsed from the config and the flag, and applied to
// discovered tasks (collect/task_numbering.h).
#include <doctest/doctest.h>

#include "collect/task_numbering.h"
#include "config/config.h"

using namespace agentmon;

TEST_CASE("scope is node, pod or cgroup:<absolute path>") {
    CHECK(parse_scope("node")->kind == ScopeSetting::Kind::node);
    CHECK(parse_scope("pod")->kind == ScopeSetting::Kind::pod);
    auto cg = parse_scope("cgroup:/kubepods.slice/kubepods-podx.slice/");
    REQUIRE(cg);
    CHECK(cg->kind == ScopeSetting::Kind::cgroup);
    CHECK(cg->cgroup_path == "/kubepods.slice/kubepods-podx.slice");
    CHECK(to_string(*cg) == "cgroup:/kubepods.slice/kubepods-podx.slice");
    CHECK(to_string(*parse_scope("pod")) == "pod");
    for (const char* bad : {"", "Pod", "cluster", "cgroup:", "cgroup:relative/x", "cgroup:/a/../b",
                            "cgroup:/a/./b"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_scope(bad));
    }
}

TEST_CASE("scope and host_proc in the config file") {
    Config config;
    std::vector<std::string> problems;
    apply_config_json(R"({"scope": "cgroup:/bus.slice", "host_proc": "/host/proc"})", config,
                      problems);
    CHECK(problems.empty());
    CHECK(config.scope.kind == ScopeSetting::Kind::cgroup);
    CHECK(config.scope.cgroup_path == "/bus.slice");
    CHECK(config.host_proc == "/host/proc");
    problems.clear();
    apply_config_json(R"({"scope": "everything", "host_proc": "proc"})", config, problems);
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].rfind("scope: ", 0) == 0);
    CHECK(problems[1].rfind("host_proc: ", 0) == 0);
    CHECK(Config{}.scope.kind == ScopeSetting::Kind::node);  // the default: unchanged
}

TEST_CASE("a cgroup scope keeps the tasks in that cgroup and below it") {
    ResolvedScope scope;
    scope.cgroup_path = "/kubepods.slice/pod-a.slice";
    AgentTask task;
    task.own_tid = 7;
    task.cgroup = "/kubepods.slice/pod-a.slice/cri-containerd-1.scope";
    CHECK(in_scope(scope, task));
    task.cgroup = "/kubepods.slice/pod-a.slice";
    CHECK(in_scope(scope, task));
    task.cgroup = "/kubepods.slice/pod-ab.slice/x.scope";  // a prefix, not a parent
    CHECK_FALSE(in_scope(scope, task));
    task.cgroup = "/system.slice/agentbus.service";
    CHECK_FALSE(in_scope(scope, task));
    CHECK(in_scope(ResolvedScope{}, task));  // node: everything
}

TEST_CASE("a pid namespace scope keeps the tasks agentmon's namespace numbers") {
    ResolvedScope scope;
    scope.own_pidns = true;
    AgentTask task;
    task.host_tid = 5000;
    task.own_tid = 12;
    CHECK(in_scope(scope, task));
    task.own_tid = 0;  // a host task a host /proc shows, outside agentmon's namespace
    CHECK_FALSE(in_scope(scope, task));
}
