# keel_service(NAME <name> SOURCES <files...> [FDT]
#              [VERSION <x.y.z> STATE_VERSION <n> [LIVE] [IMAGE_NAME <service>]
#               [ABI <n>] [DEFINES <macros...>])
#
# Builds <name>.elf, an EL0 service: a static, non-PIE musl program for
# aarch64 linked at the default 0x400000, with libkeel (and libfdt if FDT).
# The target is called <name>; "<name>=<path of the elf>" is appended to the
# global property KEEL_SERVICE_ELFS for whatever bundles the services.
#
# With VERSION, the same target also makes <name>.ksvc, the service image
# (keel/svcimage.h: the stripped ELF behind a header with the service's
# name, IMAGE_NAME or <name>; its version; the state-format version; the
# ABI version, KEEL's unless ABI says otherwise; the linker's build id),
# which is what the boot bundle carries and what `keelctl service deploy`
# takes. LIVE: the service answers the live-update protocol. The
# compile definitions KEEL_SERVICE_VERSION and KEEL_STATE_VERSION tell the
# program its own version.
include_guard(GLOBAL)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

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
  cmake_parse_arguments(PARSE_ARGV 0 arg "FDT;LIVE" "NAME;VERSION;STATE_VERSION;IMAGE_NAME;ABI"
    "SOURCES;DEFINES;LIBS")
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
  set(libs ${arg_LIBS} keel_svc)
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
  target_compile_definitions(${name} PRIVATE ${arg_DEFINES})
  if(arg_VERSION)
    keel_service_image(${name})
  endif()
endfunction()

# The .ksvc of keel_service(... VERSION ...), made after every link.
function(keel_service_image name)
  if(NOT arg_STATE_VERSION)
    message(FATAL_ERROR "keel_service(${name}): VERSION needs STATE_VERSION")
  endif()
  set(image_name ${name})
  if(arg_IMAGE_NAME)
    set(image_name ${arg_IMAGE_NAME})
  endif()
  set(flags --name ${image_name} --version ${arg_VERSION} --state-version ${arg_STATE_VERSION})
  if(arg_ABI)
    list(APPEND flags --abi ${arg_ABI})
  endif()
  if(arg_LIVE)
    list(APPEND flags --live)
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR})
  target_compile_definitions(${name} PRIVATE KEEL_SERVICE_VERSION="${arg_VERSION}"
    KEEL_STATE_VERSION=${arg_STATE_VERSION})
  target_link_options(${name} PRIVATE -Wl,--build-id=sha1)
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} --strip-all ${dir}/${name}.elf ${dir}/${name}.stripped
    COMMAND python3 ${CMAKE_SOURCE_DIR}/cmake/mksvcimage.py ${flags}
            ${dir}/${name}.stripped ${dir}/${name}.ksvc
    BYPRODUCTS ${dir}/${name}.ksvc ${dir}/${name}.stripped
    COMMENT "Service image ${name}.ksvc (${image_name} ${arg_VERSION})"
    VERBATIM)
  set_target_properties(${name} PROPERTIES KEEL_SVC_IMAGE ${dir}/${name}.ksvc)
endfunction()
