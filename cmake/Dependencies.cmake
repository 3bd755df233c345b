# Finds every build dependency and fails early with the Debian package that
# provides it, so a missing piece is one `apt-get install` away.

function(agentmon_require_program VAR NAME PACKAGE)
  find_program(${VAR} NAMES ${NAME} PATHS /usr/sbin /usr/local/sbin)
  if(NOT ${VAR})
    message(FATAL_ERROR "${NAME} not found: install the Debian package '${PACKAGE}' "
                        "(apt-get install ${PACKAGE}), or run scripts/install-deps.sh")
  endif()
endfunction()

function(agentmon_require_package NAME PACKAGE)
  find_package(${NAME} ${ARGN} QUIET)
  if(NOT ${NAME}_FOUND)
    message(FATAL_ERROR "CMake package ${NAME} not found: install the Debian package "
                        "'${PACKAGE}' (apt-get install ${PACKAGE}), or run scripts/install-deps.sh")
  endif()
endfunction()

agentmon_require_program(CLANG_EXE clang clang)
agentmon_require_program(BPFTOOL_EXE bpftool bpftool)

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config'")
endif()
pkg_check_modules(LIBBPF QUIET IMPORTED_TARGET libbpf)
if(NOT LIBBPF_FOUND)
  message(FATAL_ERROR "libbpf not found: install the Debian package 'libbpf-dev'")
endif()
pkg_check_modules(LIBELF QUIET IMPORTED_TARGET libelf)
if(NOT LIBELF_FOUND)
  message(FATAL_ERROR "libelf not found: install the Debian package 'libelf-dev'")
endif()
pkg_check_modules(ZLIB QUIET IMPORTED_TARGET zlib)
if(NOT ZLIB_FOUND)
  message(FATAL_ERROR "zlib not found: install the Debian package 'zlib1g-dev'")
endif()

# The HTTP(S) server: libmicrohttpd, and GnuTLS (its TLS library) for checking
# certificates and client certificates.
pkg_check_modules(MICROHTTPD QUIET IMPORTED_TARGET libmicrohttpd)
if(NOT MICROHTTPD_FOUND)
  message(FATAL_ERROR "libmicrohttpd not found: install the Debian package 'libmicrohttpd-dev'")
endif()
pkg_check_modules(GNUTLS QUIET IMPORTED_TARGET gnutls)
if(NOT GNUTLS_FOUND)
  message(FATAL_ERROR "gnutls not found: install the Debian package 'libgnutls28-dev'")
endif()

agentmon_require_package(CLI11 libcli11-dev)
agentmon_require_package(nlohmann_json nlohmann-json3-dev)
agentmon_require_package(doctest doctest-dev)
agentmon_require_package(prometheus-cpp prometheus-cpp-dev)
agentmon_require_package(yaml-cpp libyaml-cpp-dev)
agentmon_require_package(CURL libcurl4-openssl-dev)
find_package(Threads REQUIRED)
