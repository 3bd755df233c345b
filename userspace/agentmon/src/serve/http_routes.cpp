#include "serve/http_routes.h"

#include "serve/exposition_format.h"
#include "serve/gzip_encoding.h"

namespace agentmon {

namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

HttpReply text(unsigned status, std::string body) {
    return {status, kText, std::move(body), {}, nullptr, {}};
}

}  // namespace

HttpReply HttpRoutes::handle(const HttpRequest& request) const {
    if (request.method != "GET" && request.method != "HEAD") {
        HttpReply reply = text(405, "method not allowed; use GET or HEAD\n");
        reply.headers.emplace_back("Allow", "GET, HEAD");
        return reply;
    }
    if (request.path == metrics_path_) return metrics(request);
    if (request.path == "/healthz") return text(200, "ok\n");
    if (request.path == "/readyz") {
        if (exporter_.ready()) return text(200, "ready\n");
        return text(503, "not ready: first collection tick has not completed\n");
    }
    if (request.path == "/") return index();
    return text(404, "not found; see /\n");
}

HttpReply HttpRoutes::metrics(const HttpRequest& request) const {
    const Exposition format = negotiate_exposition(request.accept);
    MetricsBody body = exporter_.metrics_body(format, accepts_gzip(request.accept_encoding));
    HttpReply reply{200,
                    std::string(content_type(format)),
                    std::move(body.head),
                    {{"Vary", "Accept, Accept-Encoding"}},
                    std::move(body.shared),
                    std::move(body.tail)};
    if (body.gzip) reply.headers.emplace_back("Content-Encoding", "gzip");
    return reply;
}

HttpReply HttpRoutes::index() const {
    return {200,
            "text/html; charset=utf-8",
            "<html><head><title>agentmon</title></head><body><h1>agentmon</h1><ul>"
            "<li><a href=\"" +
                metrics_path_ + "\">" + metrics_path_ +
                "</a></li>"
                "<li><a href=\"/healthz\">/healthz</a></li>"
                "<li><a href=\"/readyz\">/readyz</a></li></ul></body></html>\n",
            {},
            nullptr,
            {}};
}

}  // namespace agentmon
