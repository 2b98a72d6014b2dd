# The management VM's initramfs: the guest initramfs of scripts/guest-images
# plus keelctl (/usr/bin), service images (/lib/keel) and the VM
# configurations of vmconfigs/mgmt/,
# compiled to /etc/keel/<name>.dtb for `keelctl create`. Sets
# KEEL_MVM_INITRAMFS (an output of the top-level directory, for keel_image
# GENERATED) and KEEL_DEFAULT_GUESTS (the bare-metal guests keel.img carries
# for the RTVM and for configurations the MVM creates).
set(KEEL_DEFAULT_GUESTS latprobe intruder)
set(KEEL_MVM_INITRAMFS ${CMAKE_BINARY_DIR}/initramfs-mvm.cpio.gz)

file(GLOB mgmt_dts CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/vmconfigs/mgmt/*.dts)
set(mvm_files /usr/bin/keelctl=$<TARGET_FILE:keelctl>)
set(mvm_deps keelctl ${CMAKE_SOURCE_DIR}/cmake/mkcpio.py
    ${KEEL_GUEST_DIR}/initramfs.cpio.gz)
# Service images to deploy and swap from the MVM (docs/live-update.md):
# /lib/keel/<target>.ksvc, the versions the images boot and rebuilt ones.
set(KEEL_MVM_SERVICE_IMAGES devemu devemu-v2 devemu-crash devemu-reject devemu-hang
    devemu-abi9 liveupdate liveupdate-next console console-next)
foreach(svc ${KEEL_MVM_SERVICE_IMAGES})
  get_target_property(image ${svc} KEEL_SVC_IMAGE)
  list(APPEND mvm_files /lib/keel/${svc}.ksvc=${image})
  list(APPEND mvm_deps ${svc})
endforeach()
foreach(dts ${mgmt_dts})
  get_filename_component(name ${dts} NAME_WE)
  set(dtb ${CMAKE_BINARY_DIR}/mgmt/${name}.dtb)
  add_custom_command(OUTPUT ${dtb}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/mgmt
    COMMAND ${KEEL_DTC} -q -I dts -O dtb -o ${dtb} ${dts}
    DEPENDS ${dts}
    COMMENT "VM configuration ${name}.dtb for the MVM")
  list(APPEND mvm_files /etc/keel/${name}.dtb=${dtb})
  list(APPEND mvm_deps ${dtb})
endforeach()

add_custom_command(OUTPUT ${KEEL_MVM_INITRAMFS}
  COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/cmake/mkcpio.py ${KEEL_MVM_INITRAMFS}
          ${KEEL_GUEST_DIR}/initramfs.cpio.gz ${mvm_files}
  DEPENDS ${mvm_deps}
  COMMENT "MVM initramfs with keelctl")
