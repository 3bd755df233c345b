#include "base/result.h"

#include <cstring>

namespace agentmon {

Error errno_error(const std::string& what, int err) {
    return Error{what + ": " + std::strerror(err), err};
}

}  // namespace agentmon
