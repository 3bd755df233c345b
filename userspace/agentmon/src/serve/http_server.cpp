#include "serve/http_server.h"

#include <CivetServer.h>

#include <string>

namespace agentmon {

namespace {

void respond(mg_connection* conn, int status, const char* reason, const char* content_type,
             const std::string& body) {
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
              "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
              status, reason, content_type, body.size());
    mg_write(conn, body.data(), body.size());
}

constexpr const char* kText = "text/plain; charset=utf-8";

class MetricsHandler : public CivetHandler {
  public:
    explicit MetricsHandler(Exporter& exporter) : exporter_(exporter) {}
    bool handleGet(CivetServer*, mg_connection* conn) override {
        respond(conn, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                exporter_.render_metrics());
        return true;
    }

  private:
    Exporter& exporter_;
};

class HealthHandler : public CivetHandler {
  public:
    bool handleGet(CivetServer*, mg_connection* conn) override {
        respond(conn, 200, "OK", kText, "ok\n");
        return true;
    }
};

class ReadyHandler : public CivetHandler {
  public:
    explicit ReadyHandler(const Exporter& exporter) : exporter_(exporter) {}
    bool handleGet(CivetServer*, mg_connection* conn) override {
        if (exporter_.ready())
            respond(conn, 200, "OK", kText, "ready\n");
        else
            respond(conn, 503, "Service Unavailable", kText,
                    "not ready: first collection tick has not completed\n");
        return true;
    }

  private:
    const Exporter& exporter_;
};

class IndexHandler : public CivetHandler {
  public:
    bool handleGet(CivetServer*, mg_connection* conn) override {
        const mg_request_info* info = mg_get_request_info(conn);
        if (info && info->local_uri && std::string(info->local_uri) != "/") {
            respond(conn, 404, "Not Found", kText, "not found; see /\n");
            return true;
        }
        respond(conn, 200, "OK", "text/html; charset=utf-8",
                "<html><head><title>agentmon</title></head><body><h1>agentmon</h1><ul>"
                "<li><a href=\"/metrics\">/metrics</a></li>"
                "<li><a href=\"/healthz\">/healthz</a></li>"
                "<li><a href=\"/readyz\">/readyz</a></li></ul></body></html>\n");
        return true;
    }
};

}  // namespace

struct HttpServer::Handlers {
    explicit Handlers(Exporter& exporter) : metrics(exporter), ready(exporter) {}
    MetricsHandler metrics;
    HealthHandler health;
    ReadyHandler ready;
    IndexHandler index;
};

Result<std::unique_ptr<HttpServer>> HttpServer::create(const ListenAddress& listen,
                                                       Exporter& exporter, Logger& log) {
    std::unique_ptr<HttpServer> server(new HttpServer());
    server->handlers_ = std::make_unique<Handlers>(exporter);
    // Few threads: Prometheus scrapes rarely and rendering is a copy plus a format.
    std::vector<std::string> options = {
        "listening_ports", listen.to_string(), "num_threads", "4", "request_timeout_ms", "10000"};
    try {
        server->server_ = std::make_unique<CivetServer>(options);
    } catch (const CivetException& e) {
        return Error{"cannot listen on " + listen.to_string() + ": " + e.what() +
                     " (is the port in use? choose another with --listen)"};
    }
    server->server_->addHandler("/metrics", server->handlers_->metrics);
    server->server_->addHandler("/healthz", server->handlers_->health);
    server->server_->addHandler("/readyz", server->handlers_->ready);
    server->server_->addHandler("/", server->handlers_->index);
    log.info("http server listening", {{"listen", listen.to_string()}});
    return server;
}

HttpServer::~HttpServer() {
    if (server_) server_->close();
}

}  // namespace agentmon
