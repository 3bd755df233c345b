#pragma once
// Structured logging: one line per event, `level=info msg="..." key=value` (logfmt)
// or one JSON object per line. Thread-safe; the format and level are fixed at
// construction.
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentmon {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };
enum class LogFormat { text, json };

using LogFields = std::vector<std::pair<std::string, std::string>>;

std::optional<LogLevel> parse_log_level(std::string_view text);
std::optional<LogFormat> parse_log_format(std::string_view text);
std::string_view log_level_name(LogLevel level);

// Pure: renders one event as a line without the trailing newline; `ts` (RFC 3339)
// comes first when not empty.
std::string format_log_line(LogFormat format, LogLevel level, std::string_view msg,
                            const LogFields& fields, std::string_view ts = {});

class Logger {
  public:
    Logger(LogLevel level, LogFormat format, std::ostream& out)
        : level_(level), format_(format), out_(out) {}

    bool enabled(LogLevel level) const { return level >= level_; }
    void log(LogLevel level, std::string_view msg, const LogFields& fields = {});
    void debug(std::string_view msg, const LogFields& fields = {}) {
        log(LogLevel::debug, msg, fields);
    }
    void info(std::string_view msg, const LogFields& fields = {}) {
        log(LogLevel::info, msg, fields);
    }
    void warn(std::string_view msg, const LogFields& fields = {}) {
        log(LogLevel::warn, msg, fields);
    }
    void error(std::string_view msg, const LogFields& fields = {}) {
        log(LogLevel::error, msg, fields);
    }

  private:
    LogLevel level_;
    LogFormat format_;
    std::ostream& out_;
    std::mutex mutex_;
};

// Routes libbpf's messages into `logger` (component=libbpf). libbpf_set_print takes
// a plain function pointer without user data, so the target logger is the one
// process-wide pointer in agentmon; it is set once at start-up, before any libbpf
// call, and cleared by the guard's destructor. libbpf's info/debug chatter is logged
// at debug level (shown with --log-level debug / --verbose); its warnings at
// `warn_level` (`agentmon check` passes debug: a refused probe is its verdict line,
// and the verifier log would only bury it).
class LibbpfLogRoute {
  public:
    explicit LibbpfLogRoute(Logger& logger, LogLevel warn_level = LogLevel::warn);
    ~LibbpfLogRoute();
    LibbpfLogRoute(const LibbpfLogRoute&) = delete;
    LibbpfLogRoute& operator=(const LibbpfLogRoute&) = delete;
};

}  // namespace agentmon
