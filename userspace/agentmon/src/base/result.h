#pragma once
// Error policy (one for all of agentmon):
//
//  * Recoverable errors come back as values: functions that can fail return
//    Result<T> (or Status for no value) whose Error carries a message written for
//    an operator: what failed, on which object (file, field, program), and the fix
//    when one is known. No exceptions cross our own interfaces; where a library
//    throws (nlohmann::json, CivetServer, std::stoul), the throw is caught at the
//    call site and turned into an Error.
//  * Startup and configuration errors stop the program: the command prints the
//    Error's message (naming the file, field and fix) and exits 1; usage errors
//    exit 2 (CLI11).
//  * Errors inside the collection loop never stop it: they are logged with the
//    collector's name and counted, and the previous snapshot keeps being served.
//  * errno-style failures keep the errno in Error::code for callers that branch on
//    it (e.g. EPERM versus ENOENT).
#include <string>
#include <utility>
#include <variant>

namespace agentmon {

struct Error {
    std::string message;
    int code = 0;  // errno where one applies, else 0
};

// A value or an Error. std::expected is C++23 and not in g++ 12.
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(state_); }
    const T& value() const& { return std::get<T>(state_); }
    T&& value() && { return std::get<T>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }

    const Error& error() const { return std::get<Error>(state_); }

  private:
    std::variant<T, Error> state_;
};

// Success or an Error, for operations without a value.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), failed_(true) {}
    static Status success() { return Status(); }

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return error_; }

  private:
    Error error_;
    bool failed_ = false;
};

// Error from an errno value: "<what>: <strerror(err)>".
Error errno_error(const std::string& what, int err);

}  // namespace agentmon
