#include "cli/capacity_prometheus_client.h"

#include <curl/curl.h>

#include <cstdio>
#include <memory>

namespace agentmon {

namespace {

size_t append_body(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

}  // namespace

Result<std::string> query_range(const std::string& base_url, const RangeQuery& query,
                                double timeout_seconds) {
    // curl_global_init is not thread-safe; the capacity command is one thread,
    // and curl_easy_init calls it on first use.
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Error{"libcurl could not start a request"};
    std::unique_ptr<char, decltype(&curl_free)> expr(
        curl_easy_escape(curl.get(), query.expr.c_str(), int(query.expr.size())), curl_free);
    std::string base = base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::string url = base + "/api/v1/query_range?query=" + expr.get() +
                      "&start=" + number(query.start) + "&end=" + number(query.end) +
                      "&step=" + number(query.step);
    std::string body;
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, long(timeout_seconds * 1000));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK) {
        return Error{"cannot reach Prometheus at " + base_url + ": " +
                     (error[0] ? error : curl_easy_strerror(rc))};
    }
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    // 400 (bad query) and 422 (cannot execute) carry Prometheus' JSON error.
    if (status != 200 && status != 400 && status != 422) {
        return Error{"Prometheus at " + base_url + " answered HTTP " + std::to_string(status) +
                     " to /api/v1/query_range (is this a Prometheus server?)"};
    }
    return body;
}

}  // namespace agentmon
