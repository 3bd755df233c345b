#pragma once
// What the config tests share: the problems a config file's text has, as
// `agentmon run` reports them (parse, then validate).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/config.h"

using namespace agentmon;

namespace {

inline std::vector<std::string> problems_of(const std::string& json) {
    Config config;
    std::vector<std::string> problems;
    apply_config_json(json, config, problems);
    for (auto& p : config.validate()) problems.push_back(p);
    return problems;
}

}  // namespace
