# keel_image(NAME <img> SYSTEM <system .dts> SERVICES <names...>
#            [FILES <bundle name>=<path>...] [GENERATED <bundle name>=<path>...])
#
# A bootable image: the kernel plus a boot bundle holding the named service
# ELFs, the compiled system configuration (as "system.dtb") and raw FILES
# under the given names (guest kernels and initrds, which the VM
# descriptions name), and GENERATED files, outputs of custom commands of
# the top-level directory (the MVM's initramfs). Writes ${CMAKE_BINARY_DIR}/<img>.img (raw arm64 Image)
# and <img>.elf. Called from the top-level CMakeLists.txt after services/,
# so every service target exists.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(KEEL_DTC dtc REQUIRED)

# Where scripts/guest-images leaves the guest kernel and initramfs.
set(KEEL_GUEST_DIR "${CMAKE_SOURCE_DIR}/build/guests" CACHE PATH
    "Guest images for the boot bundle (built by scripts/guest-images)")

function(keel_image)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;SYSTEM" "SERVICES;FILES;GENERATED")
  set(dtb ${CMAKE_BINARY_DIR}/${arg_NAME}-system.dtb)
  set(bundle ${CMAKE_BINARY_DIR}/${arg_NAME}-bundle.bin)
  get_filename_component(dts_dir ${arg_SYSTEM} DIRECTORY)
  file(GLOB dtsi CONFIGURE_DEPENDS ${dts_dir}/*.dtsi)
  add_custom_command(OUTPUT ${dtb}
    COMMAND ${KEEL_DTC} -q -I dts -O dtb -i ${dts_dir} -o ${dtb} ${arg_SYSTEM}
    DEPENDS ${arg_SYSTEM} ${dtsi} ${dts_dir}/${KEEL_BOARD}.dts
    COMMENT "System configuration ${arg_SYSTEM}")

  set(pairs)
  set(files)
  foreach(svc ${arg_SERVICES})
    if(NOT TARGET ${svc})
      message(FATAL_ERROR "keel_image(${arg_NAME}): no service target '${svc}'")
    endif()
    # A service with a version goes in as its image (header + ELF).
    get_target_property(image ${svc} KEEL_SVC_IMAGE)
    if(NOT image)
      set(image $<TARGET_FILE:${svc}>)
    endif()
    list(APPEND pairs ${svc}=${image})
    list(APPEND files ${image})
  endforeach()
  foreach(pair ${arg_FILES})
    string(REPLACE "=" ";" name_path ${pair})
    list(GET name_path 1 path)
    if(NOT EXISTS ${path})
      message(FATAL_ERROR "keel_image(${arg_NAME}): ${path} is missing; "
        "run scripts/guest-images to build the guest images (or set KEEL_GUEST_DIR)")
    endif()
    list(APPEND pairs ${pair})
    list(APPEND files ${path})
  endforeach()
  foreach(pair ${arg_GENERATED})
    string(REPLACE "=" ";" name_path ${pair})
    list(GET name_path 1 path)
    list(APPEND pairs ${pair})
    list(APPEND files ${path})
  endforeach()
  add_custom_command(OUTPUT ${bundle}
    COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/cmake/mkbundle.py ${bundle}
            ${pairs} system.dtb=${dtb}
    DEPENDS ${files} ${dtb} ${CMAKE_SOURCE_DIR}/cmake/mkbundle.py ${arg_SERVICES}
    COMMENT "Boot bundle for ${arg_NAME}")

  set(bundle_s ${CMAKE_BINARY_DIR}/${arg_NAME}-bundle.S)
  file(WRITE ${bundle_s}.in
    "\t.section .rodata.bundle, \"a\"\n\t.balign 4096\n\t.globl keel_bundle_start\n"
    "keel_bundle_start:\n\t.incbin \"${bundle}\"\n\t.balign 4096\n"
    "\t.globl keel_bundle_end\nkeel_bundle_end:\n")
  configure_file(${bundle_s}.in ${bundle_s} COPYONLY)
  set_source_files_properties(${bundle_s} PROPERTIES OBJECT_DEPENDS ${bundle})

  add_executable(${arg_NAME}.elf ${bundle_s})
  target_link_libraries(${arg_NAME}.elf PRIVATE keel_kernel keel_kernel_flags keel_bsp
    keel_libfdt keel_bsp gcc)
  target_link_options(${arg_NAME}.elf PRIVATE
    -nostdlib -static -no-pie -Wl,--whole-archive $<TARGET_FILE:keel_kernel>
    -Wl,--no-whole-archive -T ${KEEL_LINKER_SCRIPT}
    -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments)
  set_target_properties(${arg_NAME}.elf PROPERTIES LINK_DEPENDS ${KEEL_LINKER_SCRIPT}
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  add_custom_command(TARGET ${arg_NAME}.elf POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${arg_NAME}.elf>
            ${CMAKE_BINARY_DIR}/${arg_NAME}.img
    BYPRODUCTS ${CMAKE_BINARY_DIR}/${arg_NAME}.img
    COMMENT "${arg_NAME}.img: raw arm64 Image for ${KEEL_BOARD}")
endfunction()
