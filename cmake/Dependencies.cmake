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

# A pkg-config module as the imported target PkgConfig::PREFIX. A macro, so that the
# PREFIX_* variables pkg_check_modules sets stay visible to the caller.
macro(agentmon_require_module PREFIX MODULE PACKAGE)
  pkg_check_modules(${PREFIX} QUIET IMPORTED_TARGET ${MODULE})
  if(NOT ${PREFIX}_FOUND)
    message(FATAL_ERROR "${MODULE} not found: install the Debian package '${PACKAGE}' "
                        "(apt-get install ${PACKAGE}), or run scripts/install-deps.sh")
  endif()
endmacro()

agentmon_require_program(CLANG_EXE clang clang)
agentmon_require_program(BPFTOOL_EXE bpftool bpftool)

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config'")
endif()
agentmon_require_module(LIBBPF libbpf libbpf-dev)
agentmon_require_module(LIBELF libelf libelf-dev)
agentmon_require_module(ZLIB zlib zlib1g-dev)

# The HTTP(S) server: libmicrohttpd, and GnuTLS (its TLS library) for checking
# certificates and client certificates.
agentmon_require_module(MICROHTTPD libmicrohttpd libmicrohttpd-dev)
agentmon_require_module(GNUTLS gnutls libgnutls28-dev)

agentmon_require_package(CLI11 libcli11-dev)
agentmon_require_package(nlohmann_json nlohmann-json3-dev)
agentmon_require_package(doctest doctest-dev)
agentmon_require_package(prometheus-cpp prometheus-cpp-dev)
agentmon_require_package(yaml-cpp libyaml-cpp-dev)
agentmon_require_package(CURL libcurl4-openssl-dev)
find_package(Threads REQUIRED)
