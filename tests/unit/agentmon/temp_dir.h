#pragma once
// A directory of one test's own under /tmp, removed with all it holds at the end of the test.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

class TempDir {
  public:
    // /tmp/<prefix>-XXXXXX, the X's made unique by mkdtemp.
    explicit TempDir(const std::string& prefix) {
        std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace
