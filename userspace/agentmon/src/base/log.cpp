#include "base/log.h"

#include <bpf/libbpf.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <nlohmann/json.hpp>

#include "base/enum_names.h"

namespace agentmon {

std::optional<LogLevel> parse_log_level(std::string_view text) {
    if (text == "debug") return LogLevel::debug;
    if (text == "info") return LogLevel::info;
    if (text == "warn" || text == "warning") return LogLevel::warn;
    if (text == "error") return LogLevel::error;
    return std::nullopt;
}

std::optional<LogFormat> parse_log_format(std::string_view text) {
    if (text == "text" || text == "logfmt") return LogFormat::text;
    if (text == "json") return LogFormat::json;
    return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
    constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};
    static_assert(std::size(kNames) == static_cast<std::size_t>(LogLevel::error) + 1);
    return enum_name(level, kNames, "info");
}

namespace {

bool needs_quotes(std::string_view value) {
    if (value.empty()) return true;
    for (char c : value) {
        if (c == ' ' || c == '=' || c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
            return true;
    }
    return false;
}

void append_logfmt_value(std::string& out, std::string_view value) {
    if (!needs_quotes(value)) {
        out += value;
        return;
    }
    out += '"';
    for (char c : value) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += c;
        }
    }
    out += '"';
}

std::string timestamp_utc() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm utc{};
    gmtime_r(&ts.tv_sec, &utc);
    char buf[40];
    size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(buf + n, sizeof(buf) - n, ".%03ldZ", ts.tv_nsec / 1000000);
    return buf;
}

}  // namespace

std::string format_log_line(LogFormat format, LogLevel level, std::string_view msg,
                            const LogFields& fields, std::string_view ts) {
    if (format == LogFormat::json) {
        nlohmann::ordered_json line;
        if (!ts.empty()) line["ts"] = ts;
        line["level"] = log_level_name(level);
        line["msg"] = msg;
        for (const auto& [key, value] : fields) line[key] = value;
        return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    std::string out;
    if (!ts.empty()) {
        out += "ts=";
        out += ts;
        out += ' ';
    }
    out += "level=";
    out += log_level_name(level);
    out += " msg=";
    append_logfmt_value(out, msg);
    for (const auto& [key, value] : fields) {
        out += ' ';
        out += key;
        out += '=';
        append_logfmt_value(out, value);
    }
    return out;
}

void Logger::log(LogLevel level, std::string_view msg, const LogFields& fields) {
    if (!enabled(level)) return;
    std::string line = format_log_line(format_, level, msg, fields, timestamp_utc());
    std::lock_guard lock(mutex_);
    out_ << line << '\n';
    out_.flush();
}

namespace {

// The one process-wide pointer (see LibbpfLogRoute in log.h).
std::atomic<Logger*> libbpf_logger{nullptr};
std::atomic<LogLevel> libbpf_warn_level{LogLevel::warn};

int libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
    Logger* logger = libbpf_logger.load();
    if (!logger) return 0;
    LogLevel ours = level == LIBBPF_WARN ? libbpf_warn_level.load() : LogLevel::debug;
    if (!logger->enabled(ours)) return 0;
    // Sized to the message: a verifier log arrives as one message of many KiB, and
    // its reason for refusing a program is at the end.
    va_list again;
    va_copy(again, args);
    int n = std::vsnprintf(nullptr, 0, format, args);
    std::string text(n > 0 ? static_cast<size_t>(n) : 0, '\0');
    if (n > 0) std::vsnprintf(text.data(), text.size() + 1, format, again);
    va_end(again);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    constexpr std::string_view kPrefix = "libbpf: ";  // already said by component=libbpf
    if (text.rfind(kPrefix, 0) == 0) text.erase(0, kPrefix.size());
    logger->log(ours, text, {{"component", "libbpf"}});
    return n;
}

}  // namespace

LibbpfLogRoute::LibbpfLogRoute(Logger& logger, LogLevel warn_level) {
    libbpf_warn_level.store(warn_level);
    libbpf_logger.store(&logger);
    libbpf_set_print(libbpf_print);
}

LibbpfLogRoute::~LibbpfLogRoute() {
    libbpf_set_print(nullptr);
    libbpf_logger.store(nullptr);
}

}  // namespace agentmon
