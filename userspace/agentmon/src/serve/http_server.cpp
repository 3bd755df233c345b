#include "serve/http_server.h"

#include <CivetServer.h>

#include <string>

#include "serve/http_limits.h"
#include "serve/listen_socket_tuning.h"

namespace agentmon {

namespace {

struct Reply {
    int status;
    const char* reason;
    const char* content_type;
    std::string body;
};

constexpr const char* kText = "text/plain; charset=utf-8";

// One class per path; GET and HEAD share the reply, HEAD drops the body (Prometheus
// and load balancers probe with HEAD, and a 404 there reads as "exporter broken").
// Every reply closes its connection: civetweb gives each open connection a worker
// thread, so a kept-alive idle connection would hold one between scrapes.
class Endpoint : public CivetHandler {
  public:
    bool handleGet(CivetServer*, mg_connection* conn) override { return send(conn, false); }
    bool handleHead(CivetServer*, mg_connection* conn) override { return send(conn, true); }

  protected:
    virtual Reply reply(const mg_request_info& request) = 0;

  private:
    bool send(mg_connection* conn, bool head) {
        const mg_request_info* info = mg_get_request_info(conn);
        static const mg_request_info kEmpty{};
        Reply r = reply(info ? *info : kEmpty);
        mg_printf(conn,
                  "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                  r.status, r.reason, r.content_type, r.body.size());
        if (!head) mg_write(conn, r.body.data(), r.body.size());
        return true;
    }
};

class MetricsHandler : public Endpoint {
  public:
    explicit MetricsHandler(Exporter& exporter) : exporter_(exporter) {}

  protected:
    Reply reply(const mg_request_info&) override {
        return {200, "OK", "text/plain; version=0.0.4; charset=utf-8", exporter_.render_metrics()};
    }

  private:
    Exporter& exporter_;
};

class HealthHandler : public Endpoint {
  protected:
    Reply reply(const mg_request_info&) override { return {200, "OK", kText, "ok\n"}; }
};

class ReadyHandler : public Endpoint {
  public:
    explicit ReadyHandler(const Exporter& exporter) : exporter_(exporter) {}

  protected:
    Reply reply(const mg_request_info&) override {
        if (exporter_.ready()) return {200, "OK", kText, "ready\n"};
        return {503, "Service Unavailable", kText,
                "not ready: a collector has not completed a tick yet\n"};
    }

  private:
    const Exporter& exporter_;
};

class IndexHandler : public Endpoint {
  public:
    explicit IndexHandler(std::string metrics_path) : metrics_path_(std::move(metrics_path)) {}

  protected:
    Reply reply(const mg_request_info& request) override {
        if (request.local_uri && std::string(request.local_uri) != "/")
            return {404, "Not Found", kText, "not found; see /\n"};
        return {200, "OK", "text/html; charset=utf-8",
                "<html><head><title>agentmon</title></head><body><h1>agentmon</h1><ul>"
                "<li><a href=\"" +
                    metrics_path_ + "\">" + metrics_path_ +
                    "</a></li>"
                    "<li><a href=\"/healthz\">/healthz</a></li>"
                    "<li><a href=\"/readyz\">/readyz</a></li></ul></body></html>\n"};
    }

  private:
    std::string metrics_path_;
};

}  // namespace

struct HttpServer::Handlers {
    Handlers(Exporter& exporter, std::string metrics_path)
        : metrics(exporter), ready(exporter), index(std::move(metrics_path)) {}
    MetricsHandler metrics;
    HealthHandler health;
    ReadyHandler ready;
    IndexHandler index;
};

Result<std::unique_ptr<HttpServer>> HttpServer::create(const HttpOptions& http, Exporter& exporter,
                                                       Logger& log) {
    std::unique_ptr<HttpServer> server(new HttpServer());
    server->handlers_ = std::make_unique<Handlers>(exporter, http.metrics_path);
    std::string all;
    for (const auto& listen : http.listen) {
        all += (all.empty() ? "" : ",") + listen.to_string();
        // Debian's libcivetweb1 1.15 is built without USE_IPV6; say so instead of
        // civetweb's "Possible problem binding to port".
        if (listen.is_ipv6() && mg_check_feature(MG_FEATURES_IPV6) == 0)
            return Error{"cannot listen on " + listen.to_string() +
                         ": this civetweb library is built without IPv6 support; listen on an "
                         "IPv4 address (e.g. 127.0.0.1:9465), or put an IPv6 proxy in front"};
    }
    std::vector<std::string> options = civetweb_options(all);
    try {
        server->server_ = std::make_unique<CivetServer>(options);
    } catch (const CivetException& e) {
        return Error{"cannot listen on " + all + ": " + e.what() +
                     " (is the port in use? choose another with --web.listen-address)"};
    }
    // Idle connections stay in the kernel until they send a request (see
    // listen_socket_tuning.h); without it the exporter still serves, only slower
    // under a flood of idle clients, so a failure is a warning.
    for (const auto& listen : http.listen)
        if (defer_accept_on_listeners(listen.port, kDeferAcceptSeconds) == 0)
            log.warn(
                "cannot set TCP_DEFER_ACCEPT on the listening socket; idle connections "
                "will hold http workers until request_timeout_ms",
                {{"listen", listen.to_string()}});
    server->server_->addHandler(http.metrics_path, server->handlers_->metrics);
    server->server_->addHandler("/healthz", server->handlers_->health);
    server->server_->addHandler("/readyz", server->handlers_->ready);
    server->server_->addHandler("/", server->handlers_->index);
    log.info("http server listening", {{"listen", all}, {"metrics_path", http.metrics_path}});
    return server;
}

HttpServer::~HttpServer() {
    if (server_) server_->close();
}

}  // namespace agentmon
