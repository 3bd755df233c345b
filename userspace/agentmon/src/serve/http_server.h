#pragma once
// The HTTP(S) server on libmicrohttpd: one daemon per listen address, each with a
// few epoll threads (see http_limits.h for why slow and idle clients cannot
// starve a scrape), TLS and basic auth from the web config (exporter-toolkit
// format), the paths of http_routes.h.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "config/config.h"
#include "config/web_config.h"
#include "serve/exporter.h"

struct MHD_Daemon;

namespace agentmon {

struct HttpOptions {
    std::vector<ListenAddress> listen;  // every address is served alike
    std::string metrics_path = "/metrics";
    WebConfig web;  // --web.config.file; empty: plain HTTP, no auth
};

class HttpServer {
  public:
    static Result<std::unique_ptr<HttpServer>> create(const HttpOptions& http, Exporter& exporter,
                                                      Logger& log);
    ~HttpServer();  // stops every daemon and joins its threads
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    struct State;  // what the request callback needs; defined in http_server.cpp

  private:
    HttpServer() = default;
    std::unique_ptr<State> state_;
    std::vector<MHD_Daemon*> daemons_;
};

}  // namespace agentmon
