#include "serve/http_server.h"

#include <microhttpd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "serve/basic_auth.h"
#include "serve/http_limits.h"
#include "serve/http_routes.h"
#include "serve/listen_socket.h"
#include "serve/tls_material.h"

namespace agentmon {

struct HttpServer::State {
    State(Exporter& exporter, const HttpOptions& http, Logger& logger)
        : routes(exporter, http.metrics_path), auth(http.web.basic_auth_users), log(logger) {}
    HttpRoutes routes;
    BasicAuth auth;
    std::optional<TlsMaterial> tls;
    Logger& log;
};

namespace {

using State = HttpServer::State;

// The reply's pieces are sent as they are (an I/O vector), the shared snapshot
// text included: the response owns the reply until libmicrohttpd is done with it.
MHD_Result queue(MHD_Connection* connection, HttpReply reply_value) {
    auto* owned = new HttpReply(std::move(reply_value));
    const HttpReply& reply = *owned;
    MHD_IoVec pieces[3];
    unsigned count = 0;
    for (const std::string* piece : {&reply.body, reply.shared_body.get(), &reply.body_tail})
        if (piece && !piece->empty()) pieces[count++] = {piece->data(), piece->size()};
    MHD_Response* response = MHD_create_response_from_iovec(
        pieces, count, [](void* cls) { delete static_cast<HttpReply*>(cls); }, owned);
    if (!response) {
        delete owned;
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply.content_type.c_str());
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (const auto& [name, value] : reply.headers)
        MHD_add_response_header(response, name.c_str(), value.c_str());
    const MHD_Result result = MHD_queue_response(connection, reply.status, response);
    MHD_destroy_response(response);
    return result;
}

MHD_Result refuse_unauthenticated(MHD_Connection* connection) {
    static const char kBody[] = "unauthorized\n";
    MHD_Response* response = MHD_create_response_from_buffer(
        sizeof(kBody) - 1, const_cast<char*>(kBody), MHD_RESPMEM_PERSISTENT);
    if (!response) return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    // 401 with WWW-Authenticate: Basic realm="agentmon".
    const MHD_Result result = MHD_queue_basic_auth_fail_response(connection, "agentmon", response);
    MHD_destroy_response(response);
    return result;
}

bool authenticated(State& state, MHD_Connection* connection) {
    if (!state.auth.enabled()) return true;
    char* password = nullptr;
    char* user = MHD_basic_auth_get_username_password(connection, &password);
    const bool ok = user && password && state.auth.allows(user, password);
    if (user) MHD_free(user);
    if (password) MHD_free(password);
    return ok;
}

// libmicrohttpd calls this when a request's headers are in, then for each piece
// of its body, then once more with none left. A reply queued on the first call
// makes it close the connection (the body may be unread), so GET and HEAD reply
// on the last call and the connection can be kept alive; anything else is
// refused at once, without reading a body.
MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method,
                      const char*, const char*, size_t* upload_size, void** request_state) {
    static int headers_seen = 0;
    const std::string_view verb = method ? method : "";
    const bool readable = verb == "GET" || verb == "HEAD";
    if (*request_state == nullptr && readable) {
        *request_state = &headers_seen;
        return MHD_YES;
    }
    if (*upload_size != 0) {  // a GET with a body: read and ignore it
        *upload_size = 0;
        return MHD_YES;
    }
    auto& state = *static_cast<State*>(cls);
    if (state.tls && state.tls->client_auth != ClientAuth::none) {
        const MHD_ConnectionInfo* info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (auto problem = client_certificate_problem(info ? info->tls_session : nullptr,
                                                      state.tls->client_auth))
            return queue(connection, {403,
                                      "text/plain; charset=utf-8",
                                      *problem + "\n",
                                      {{"Connection", "close"}},
                                      nullptr,
                                      {}});
    }
    if (!authenticated(state, connection)) return refuse_unauthenticated(connection);
    const char* encoding =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    const char* accept =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    return queue(connection, state.routes.handle({method ? method : "", url ? url : "",
                                                  encoding ? encoding : "", accept ? accept : ""}));
}

// libmicrohttpd's own messages: TLS handshakes that fail (a plain-HTTP client on
// an HTTPS port, a scanner) and the like, which are the client's problem, so debug.
void on_library_message(void* cls, const char* format, va_list args) {
    char text[512];
    std::vsnprintf(text, sizeof(text), format, args);
    std::string message(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    static_cast<State*>(cls)->log.debug("http: " + message);
}

Result<MHD_Daemon*> start_daemon(const ListenAddress& address, State& state) {
    auto fd = open_listen_socket(address);
    if (!fd) return fd.error();
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (address.is_ipv6()) flags |= MHD_USE_IPv6;
    std::vector<MHD_OptionItem> options = {
        {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&on_library_message), &state},
        {MHD_OPTION_LISTEN_SOCKET, fd.value().get(), nullptr},
        {MHD_OPTION_THREAD_POOL_SIZE, kHttpThreads, nullptr},
        {MHD_OPTION_CONNECTION_LIMIT, kMaxConnections, nullptr},
        {MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds, nullptr},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemoryBytes, nullptr}};
    if (state.tls) {
        flags |= MHD_USE_TLS;
        options.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, state.tls->cert_pem.data()});
        options.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, state.tls->key_pem.data()});
        options.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0, state.tls->priorities.data()});
        // A trust list makes libmicrohttpd ask clients for a certificate.
        if (!state.tls->client_ca_pem.empty())
            options.push_back({MHD_OPTION_HTTPS_MEM_TRUST, 0, state.tls->client_ca_pem.data()});
    }
    options.push_back({MHD_OPTION_END, 0, nullptr});
    MHD_Daemon* daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &on_request, &state,
                                          MHD_OPTION_ARRAY, options.data(), MHD_OPTION_END);
    if (!daemon)
        return Error{"cannot serve on " + address.to_string() +
                     ": libmicrohttpd refused to start (see the debug log)"};
    fd.value().release();  // the daemon closes its listening socket when stopped
    return daemon;
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::create(const HttpOptions& http, Exporter& exporter,
                                                       Logger& log) {
    std::unique_ptr<HttpServer> server(new HttpServer());
    server->state_ = std::make_unique<State>(exporter, http, log);
    if (http.web.tls) {
        auto material = load_tls_material(*http.web.tls);
        if (!material) return material.error();
        server->state_->tls = std::move(material).value();
    }
    const unsigned long open_files = raise_open_file_limit();
    std::string all;
    for (const auto& address : http.listen) {
        auto daemon = start_daemon(address, *server->state_);
        if (!daemon) return daemon.error();  // the destructor stops those already started
        server->daemons_.push_back(daemon.value());
        all += (all.empty() ? "" : ",") + address.to_string();
    }
    log.info("http server listening",
             {{"listen", all},
              {"metrics_path", http.metrics_path},
              {"tls", http.web.tls ? "true" : "false"},
              {"basic_auth", server->state_->auth.enabled() ? "true" : "false"},
              {"open_file_limit", std::to_string(open_files)}});
    return server;
}

HttpServer::~HttpServer() {
    for (MHD_Daemon* daemon : daemons_) MHD_stop_daemon(daemon);
}

}  // namespace agentmon
