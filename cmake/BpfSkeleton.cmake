# add_bpf_skeleton(NAME SOURCES <file.bpf.c> HEADERS <h>...)
#
# Compiles one BPF object and generates its libbpf skeleton:
#   ${CMAKE_CURRENT_BINARY_DIR}/NAME.bpf.o   clang -g -O2 -target bpf (BTF kept, CO-RE relocations)
#   ${CMAKE_CURRENT_BINARY_DIR}/NAME.skel.h  bpftool gen skeleton (build directory only)
# and returns the INTERFACE target NAME_skel, which carries the skeleton's include
# directory and libbpf; link it and `#include "NAME.skel.h"`.
#
# Every header in HEADERS is a declared dependency: editing one rebuilds the object
# and the skeleton. The BPF side never sees the host's vmlinux.h: it includes the
# minimal CO-RE definitions in bpf/include (see vmlinux_min.bpf.h), the UAPI headers
# of linux-libc-dev and libbpf's bpf_helpers.h. <asm/types.h> lives in the Debian
# multiarch directory, which clang -target bpf does not search by itself.
#
# Modelled on libbpf-bootstrap tools/cmake/FindBpfObject.cmake (object + skeleton
# custom commands, INTERFACE target) and bpftrace cmake/BuildBPF.cmake (declared
# header dependencies).

if(CMAKE_LIBRARY_ARCHITECTURE)
  set(_agentmon_arch_include "/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}")
else()
  set(_agentmon_arch_include "/usr/include/x86_64-linux-gnu")
endif()
set(AGENTMON_BPF_ARCH_INCLUDE "${_agentmon_arch_include}"
    CACHE PATH "Multiarch include directory holding <asm/types.h> for clang -target bpf")
if(NOT EXISTS "${AGENTMON_BPF_ARCH_INCLUDE}/asm/types.h")
  message(FATAL_ERROR "<asm/types.h> not found in ${AGENTMON_BPF_ARCH_INCLUDE}: install the "
                      "Debian package 'linux-libc-dev' (apt-get install linux-libc-dev) or set "
                      "AGENTMON_BPF_ARCH_INCLUDE")
endif()

function(add_bpf_skeleton NAME)
  cmake_parse_arguments(BPF "" "" "SOURCES;HEADERS;INCLUDES" ${ARGN})
  if(NOT BPF_SOURCES)
    message(FATAL_ERROR "add_bpf_skeleton(${NAME}): SOURCES is required")
  endif()
  list(LENGTH BPF_SOURCES n_sources)
  if(NOT n_sources EQUAL 1)
    # One object per skeleton keeps the skeleton's program and map names unique;
    # link several objects with `bpftool gen object` if that is ever needed.
    message(FATAL_ERROR "add_bpf_skeleton(${NAME}): exactly one SOURCES file expected")
  endif()

  get_filename_component(source "${BPF_SOURCES}" ABSOLUTE)
  set(headers "")
  foreach(header ${BPF_HEADERS})
    get_filename_component(abs "${header}" ABSOLUTE)
    list(APPEND headers "${abs}")
  endforeach()
  set(include_flags "-I${CMAKE_CURRENT_SOURCE_DIR}" "-I${CMAKE_CURRENT_SOURCE_DIR}/include")
  foreach(dir ${BPF_INCLUDES})
    list(APPEND include_flags "-I${dir}")
  endforeach()

  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/${NAME}_skel")
  set(object "${out_dir}/${NAME}.bpf.o")
  set(skeleton "${out_dir}/${NAME}.skel.h")

  add_custom_command(
    OUTPUT "${object}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
    COMMAND ${CLANG_EXE} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror
            ${include_flags} -idirafter "${AGENTMON_BPF_ARCH_INCLUDE}"
            -c "${source}" -o "${object}"
    DEPENDS "${source}" ${headers}
    COMMENT "BPF ${NAME}: clang -target bpf ${source}"
    VERBATIM)

  # bpftool prints the skeleton on stdout; write it through a temporary file so a
  # failed run never leaves a truncated header that looks up to date.
  add_custom_command(
    OUTPUT "${skeleton}"
    COMMAND ${BPFTOOL_EXE} gen skeleton "${object}" name "${NAME}" > "${skeleton}.tmp"
    COMMAND ${CMAKE_COMMAND} -E rename "${skeleton}.tmp" "${skeleton}"
    DEPENDS "${object}"
    COMMENT "BPF ${NAME}: bpftool gen skeleton"
    VERBATIM)

  add_custom_target(${NAME}_skel_gen DEPENDS "${skeleton}")
  add_library(${NAME}_skel INTERFACE)
  add_dependencies(${NAME}_skel ${NAME}_skel_gen)
  # SYSTEM: the generated header is not ours to keep -Wextra clean.
  target_include_directories(${NAME}_skel SYSTEM INTERFACE "${out_dir}")
  target_link_libraries(${NAME}_skel INTERFACE PkgConfig::LIBBPF PkgConfig::LIBELF PkgConfig::ZLIB)
  set_target_properties(${NAME}_skel PROPERTIES BPF_OBJECT "${object}")
endfunction()
