// Content negotiation of /metrics: which Accept headers get OpenMetrics, which
// keep the text format 0.0.4, and the Content-Type of each.
#include <doctest/doctest.h>

#include "serve/exposition_format.h"

using namespace agentmon;

TEST_CASE("negotiate_exposition: Prometheus's headers get OpenMetrics") {
    // Prometheus 2.x's default scrape header.
    CHECK(negotiate_exposition("application/openmetrics-text;version=1.0.0,application/"
                               "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
                               "q=0.5,*/*;q=0.1") == Exposition::openmetrics_1_0_0);
    // Prometheus 3.x's, which also offers PrometheusText1.0.0.
    CHECK(negotiate_exposition(
              "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
              "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;"
              "escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2") ==
          Exposition::openmetrics_1_0_0);
    CHECK(negotiate_exposition("application/openmetrics-text; version=0.0.1") ==
          Exposition::openmetrics_0_0_1);
    CHECK(negotiate_exposition("Application/OpenMetrics-Text") == Exposition::openmetrics_1_0_0);
    CHECK(negotiate_exposition("application/openmetrics-text;version=\"1.0.0\";q=0.9, "
                               "application/openmetrics-text;version=0.0.1") ==
          Exposition::openmetrics_0_0_1);  // the higher q wins
}

TEST_CASE("negotiate_exposition: everything else keeps the text format 0.0.4") {
    CHECK(negotiate_exposition("") == Exposition::text_0_0_4);
    CHECK(negotiate_exposition("*/*") == Exposition::text_0_0_4);  // curl
    CHECK(negotiate_exposition("text/html,application/xhtml+xml,*/*;q=0.8") ==
          Exposition::text_0_0_4);  // a browser
    CHECK(negotiate_exposition("text/plain;version=0.0.4") == Exposition::text_0_0_4);
    CHECK(negotiate_exposition("application/openmetrics-text;version=2.0.0") ==
          Exposition::text_0_0_4);  // a version this writer does not speak
    CHECK(negotiate_exposition("application/openmetrics-text;q=0") == Exposition::text_0_0_4);
    CHECK(negotiate_exposition("application/openmetrics-text;q=0.3,text/plain;q=0.5") ==
          Exposition::text_0_0_4);
    // A wildcard never outranks a format named explicitly, but text/plain;q=0 refuses
    // the wildcard's plain text.
    CHECK(negotiate_exposition("application/openmetrics-text;q=0.1,text/plain;q=0,*/*") ==
          Exposition::openmetrics_1_0_0);
}

TEST_CASE("content_type of each format") {
    CHECK(content_type(Exposition::text_0_0_4) == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(content_type(Exposition::openmetrics_1_0_0) ==
          "application/openmetrics-text; version=1.0.0; charset=utf-8");
    CHECK(content_type(Exposition::openmetrics_0_0_1) ==
          "application/openmetrics-text; version=0.0.1; charset=utf-8");
}
