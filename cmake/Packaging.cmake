# What an operator installs: `cpack -G DEB` in the build directory makes
# agentmon_<version>_<arch>.deb with the collector, its systemd unit, its
# default config (a conffile, so local edits survive upgrades) and its docs.
# agentbus is not shipped: it is the project's reference workload and load
# generator (with fault injection), not part of a collector deployment.
# tests/integration/test_package_deb.py builds the package and runs it.
include(GNUInstallDirs)

install(TARGETS agentmon RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agentmon)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/agentmon.json DESTINATION /etc/agentmon COMPONENT agentmon)
# /lib, not /usr/lib: Debian 12 keeps systemd units there.
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/agentmon.service DESTINATION /lib/systemd/system
        COMPONENT agentmon)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/cli.md ${CMAKE_SOURCE_DIR}/docs/deploy.md
              ${CMAKE_SOURCE_DIR}/docs/metrics.md ${CMAKE_SOURCE_DIR}/docs/alerts.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT agentmon)
# Not in /etc: TLS and basic auth are opted into (docs/deploy.md).
install(FILES ${CMAKE_SOURCE_DIR}/deploy/web-config.yml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        COMPONENT agentmon)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME agentmon)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "agentmon maintainers <agentmon@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};agentmon;agentmon;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps computes Depends from the libraries the binary links, so the
# list follows the build instead of being kept by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles)
# The summary line comes from CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the body.
set(CPACK_PACKAGE_DESCRIPTION
    "Counts the frames of a message bus (Unix sockets, TCP and shared-memory rings)
in the kernel and serves them as Prometheus metrics on port 9465. Ships a
hardened systemd unit (not enabled on install) and its default config.")
# The build is RelWithDebInfo; the package carries the stripped binary.
set(CPACK_STRIP_FILES ON)
include(CPack)
