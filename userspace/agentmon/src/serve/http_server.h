#pragma once
// HTTP endpoints on civetweb's CivetServer (prometheus-cpp's Exposer cannot serve
// paths other than its metrics path):
//   /metrics  (or --web.telemetry-path) Prometheus text format from the Exporter (never blocks on
//   the kernel) /healthz  200 while the process lives /readyz   200 after the first collection
//   tick, 503 before /         a small index
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "config/config.h"
#include "serve/exporter.h"

class CivetServer;

namespace agentmon {

struct HttpOptions {
    std::vector<ListenAddress> listen;  // every address is served alike
    std::string metrics_path = "/metrics";
};

class HttpServer {
  public:
    static Result<std::unique_ptr<HttpServer>> create(const HttpOptions& http, Exporter& exporter,
                                                      Logger& log);
    ~HttpServer();  // stops the server and joins its threads
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

  private:
    struct Handlers;
    HttpServer() = default;
    std::unique_ptr<Handlers> handlers_;
    std::unique_ptr<CivetServer> server_;
};

}  // namespace agentmon
