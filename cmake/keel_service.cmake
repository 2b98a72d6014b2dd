# keel_service(NAME <name> SOURCES <files...> [FDT])
#
# Builds <name>.elf, an EL0 service: a static, non-PIE musl program for
# aarch64 linked at the default 0x400000, with libkeel (and libfdt if FDT).
# The target is called <name>; "<name>=<path of the elf>" is appended to the
# global property KEEL_SERVICE_ELFS for whatever bundles the services.
include_guard(GLOBAL)

set(KEEL_MUSL_INCLUDE "/usr/include/aarch64-linux-musl" CACHE PATH "musl headers for aarch64")
set(KEEL_MUSL_LIB "/usr/lib/aarch64-linux-musl" CACHE PATH "musl crt*.o and libc.a for aarch64")

foreach(f crt1.o crti.o crtn.o libc.a)
  if(NOT EXISTS "${KEEL_MUSL_LIB}/${f}")
    message(FATAL_ERROR "keel_service: no ${KEEL_MUSL_LIB}/${f} (install musl-dev:arm64)")
  endif()
endforeach()

# The cross gcc's own headers (arm_neon.h, ...) and its libgcc, which musl
# needs for the long double arithmetic in printf.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
  OUTPUT_VARIABLE KEEL_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-libgcc-file-name
  OUTPUT_VARIABLE KEEL_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)

# keel_service() runs in other directories' scopes (services/*), which do
# not see this file's variables; hand it what it needs in global properties.
set_property(GLOBAL PROPERTY KEEL_LIBGCC "${KEEL_LIBGCC}")

# Compile flags every service object (and libkeel) needs: musl's headers
# instead of the glibc ones the Debian cross gcc would pick.
add_library(keel_service_flags INTERFACE)
target_compile_features(keel_service_flags INTERFACE c_std_11)
# Spelled as options, not include directories: CMake drops the gcc one as an
# implicit include directory, which -nostdinc makes it no longer be.
target_compile_options(keel_service_flags INTERFACE
  -nostdinc "SHELL:-isystem ${KEEL_MUSL_INCLUDE}" "SHELL:-isystem ${KEEL_GCC_INCLUDE}"
  -fno-pie -O2 -Wall -Wextra -Werror)

function(keel_service)
  cmake_parse_arguments(PARSE_ARGV 0 arg "FDT" "NAME" "SOURCES")
  if(NOT arg_NAME OR NOT arg_SOURCES)
    message(FATAL_ERROR "keel_service: NAME and SOURCES are required")
  endif()
  set(name ${arg_NAME})
  get_property(libgcc GLOBAL PROPERTY KEEL_LIBGCC)
  set(libfdt "${KEEL_DEPS}/usr/lib/aarch64-linux-gnu/libfdt.a")

  add_executable(${name} ${arg_SOURCES})
  set_target_properties(${name} PROPERTIES
    SUFFIX ".elf"
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  target_link_libraries(${name} PRIVATE keel_service_flags)

  # Link options come before the objects on the command line and link
  # libraries after them, which gives the crt order musl needs:
  # crt1.o crti.o <objects> libkeel.a [libfdt.a] libc.a libgcc.a crtn.o
  target_link_options(${name} PRIVATE
    -static -nostdlib -nostartfiles -no-pie
    ${KEEL_MUSL_LIB}/crt1.o ${KEEL_MUSL_LIB}/crti.o)
  set(libs keel_svc)
  if(arg_FDT)
    if(NOT EXISTS "${libfdt}")
      message(FATAL_ERROR "keel_service(${name} FDT): no ${libfdt} (run scripts/setup)")
    endif()
    target_include_directories(${name} SYSTEM PRIVATE "${KEEL_DEPS}/usr/include")
    list(APPEND libs ${libfdt})
  endif()
  list(APPEND libs ${KEEL_MUSL_LIB}/libc.a ${libgcc} ${KEEL_MUSL_LIB}/crtn.o)
  target_link_libraries(${name} PRIVATE ${libs})

  set_property(GLOBAL APPEND PROPERTY KEEL_SERVICE_ELFS
    "${name}=${CMAKE_CURRENT_BINARY_DIR}/${name}.elf")
endfunction()
