#include "serve/exposition_format.h"

#include <algorithm>
#include <optional>

#include "serve/header_values.h"

namespace agentmon {

Exposition negotiate_exposition(std::string_view accept) {
    // The best q of each format the header accepts; text/plain also through
    // text/* and */*, which OpenMetrics never is (a wildcard keeps the old format).
    double om_1 = 0, om_0 = 0, text = 0;
    std::optional<double> text_exact;
    for_each_header_item(accept, [&](std::string_view media, std::string_view params) {
        const double q = header_quality(params);
        if (iequals(media, "application/openmetrics-text")) {
            const auto version = header_parameter(params, "version");
            if (!version || *version == "1.0.0")
                om_1 = std::max(om_1, q);
            else if (*version == "0.0.1")
                om_0 = std::max(om_0, q);
        } else if (iequals(media, "text/plain")) {
            text_exact = std::max(text_exact.value_or(0), q);
        } else if (iequals(media, "text/*") || media == "*/*") {
            text = std::max(text, q);
        }
    });
    // The most specific range decides (RFC 9110 12.5.1): text/plain;q=0 refuses
    // plain text even next to */*.
    if (text_exact) text = *text_exact;
    const double om = std::max(om_1, om_0);
    if (om <= 0 || om < text) return Exposition::text_0_0_4;
    return om_1 >= om_0 ? Exposition::openmetrics_1_0_0 : Exposition::openmetrics_0_0_1;
}

std::string_view content_type(Exposition format) {
    switch (format) {
        case Exposition::openmetrics_1_0_0:
            return "application/openmetrics-text; version=1.0.0; charset=utf-8";
        case Exposition::openmetrics_0_0_1:
            return "application/openmetrics-text; version=0.0.1; charset=utf-8";
        case Exposition::text_0_0_4:
            break;
    }
    return "text/plain; version=0.0.4; charset=utf-8";
}

}  // namespace agentmon
