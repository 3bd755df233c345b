#pragma once
// What each path answers, apart from the HTTP library:
//   /metrics  (or --web.telemetry-path) the Exporter's metrics, in OpenMetrics text
//             when Accept asks for it (exposition_format.h), else the text format
//             0.0.4; gzip-compressed when the client accepts it (never blocks on
//             the kernel)
//   /healthz  200 while the process lives
//   /readyz   200 after the first collection tick, 503 before
//   /         a small index; any other path is 404
// GET and HEAD get the same reply (the server drops HEAD's body; Prometheus and
// load balancers probe with HEAD, and a 404 there reads as "exporter broken").
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve/exporter.h"

namespace agentmon {

struct HttpRequest {
    std::string_view method;
    std::string_view path;
    std::string_view accept_encoding;  // empty when the header is absent
    std::string_view accept;           // likewise
};

struct HttpReply {
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
    // Sent after `body`, without a copy: the snapshot's text (or its deflated
    // text), shared with every scrape of the same snapshot; then `body_tail`.
    std::shared_ptr<const std::string> shared_body;
    std::string body_tail;

    std::string full_body() const {
        return body + (shared_body ? *shared_body : std::string()) + body_tail;
    }
};

class HttpRoutes {
  public:
    HttpRoutes(Exporter& exporter, std::string metrics_path)
        : exporter_(exporter), metrics_path_(std::move(metrics_path)) {}

    HttpReply handle(const HttpRequest& request) const;

  private:
    HttpReply metrics(const HttpRequest& request) const;
    HttpReply index() const;

    Exporter& exporter_;
    std::string metrics_path_;
};

}  // namespace agentmon
