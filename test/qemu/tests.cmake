# QEMU tests of the running system (included from test/CMakeLists.txt):
# the hypervisor shell on the default image, and the EL0 services of
# keel-test.img (IPC ping-pong, rogue service, priorities, budgets).
set(SHELL_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/shell_test.py)
set(SERVICES_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/services_test.py)
set(VIRT_QEMU ${QEMU_AARCH64} -M virt,virtualization=on -cpu cortex-a72 -smp 4 -m 1G -nographic)
# The tests that run Linux VMs' workloads (disk, network, streams) run
# QEMU's four CPUs on one host thread. With a thread per CPU on a 2-core
# host, as CI has, the host deschedules the CPU holding Keel's kernel lock
# while the others spin for it (a Keel wake-up took 6-17 ms to reach its
# CPU; pings between VMs 54 ms against 4.7, virtio.virt-blk-net 290 s
# against 81; docs/benchmarks.md, "One TCG thread"). The SMP guest tests,
# the hostile guest and the flood keep a thread per CPU, where the CPUs
# run in parallel as on a board.
set(TCG_ONE_THREAD -accel tcg,thread=single)

add_test(NAME shell.virt-gicv2 COMMAND Python3::Interpreter ${SHELL_TEST} --
  ${VIRT_QEMU} -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel.img)
add_test(NAME shell.virt-gicv3 COMMAND Python3::Interpreter ${SHELL_TEST} --
  ${QEMU_AARCH64} -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel.img)
add_test(NAME shell.rpi4-raspi4b COMMAND Python3::Interpreter ${SHELL_TEST} --
  ${QEMU_AARCH64} -M raspi4b -nographic -kernel ${KEEL_BUILD_ROOT}/rpi4/keel.img)

add_test(NAME services.virt-gicv2 COMMAND Python3::Interpreter ${SERVICES_TEST} --
  ${VIRT_QEMU} -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel-test.img)
add_test(NAME services.virt-gicv3 COMMAND Python3::Interpreter ${SERVICES_TEST} --
  ${QEMU_AARCH64} -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel-test.img)
add_test(NAME services.rpi4-raspi4b COMMAND Python3::Interpreter ${SERVICES_TEST} --
  ${QEMU_AARCH64} -M raspi4b -nographic -kernel ${KEEL_BUILD_ROOT}/rpi4/keel-test.img)
# Several QEMUs with busy CPUs at once would only measure the host.
set_tests_properties(services.virt-gicv2 services.virt-gicv3 services.rpi4-raspi4b
  PROPERTIES RUN_SERIAL TRUE TIMEOUT 240)

# Guest images (kernel from linux-image-cloud-arm64, busybox initramfs) and
# their reference boot on bare QEMU, the baseline of the guest issue.
set(GUEST_DIR ${KEEL_BUILD_ROOT}/guests)
add_custom_target(guest_images ALL
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/guest-images
  BYPRODUCTS ${GUEST_DIR}/Image ${GUEST_DIR}/initramfs.cpio.gz
  COMMENT "Guest images from Debian packages")
set(GUEST_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/guest_test.py)
add_test(NAME guest.bare-virt-smp2 COMMAND Python3::Interpreter ${GUEST_TEST} --cpus 2 --
  ${QEMU_AARCH64} -M virt -cpu cortex-a72 -smp 2 -m 256M -nographic
  -kernel ${GUEST_DIR}/Image -initrd ${GUEST_DIR}/initramfs.cpio.gz -append "console=ttyAMA0 quiet")
add_test(NAME guest.bare-virt-smp1 COMMAND Python3::Interpreter ${GUEST_TEST} --cpus 1 --
  ${QEMU_AARCH64} -M virt -cpu cortex-a72 -smp 1 -m 256M -nographic
  -kernel ${GUEST_DIR}/Image -initrd ${GUEST_DIR}/initramfs.cpio.gz -append "console=ttyAMA0 quiet")
set_tests_properties(guest.bare-virt-smp2 guest.bare-virt-smp1 PROPERTIES TIMEOUT 240)

# Debian's kernel, unmodified, as Keel's Linux GVM (keel.img, where the MVM has
# the terminal first): two vCPUs on
# virt and on the Raspberry Pi 4 model (GIC-400, 54 MHz timer), and one
# vCPU with 256 MiB (keel-gvm1.img).
add_test(NAME guest.keel-virt-smp2 COMMAND Python3::Interpreter ${GUEST_TEST} --cpus 2 --keel --switch --reboot --
  ${QEMU_AARCH64} -M virt,virtualization=on,gic-version=2 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel.img)
add_test(NAME guest.keel-virt-smp1 COMMAND Python3::Interpreter ${GUEST_TEST} --cpus 1 --keel --
  ${QEMU_AARCH64} -M virt,virtualization=on,gic-version=2 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel-gvm1.img)
add_test(NAME guest.keel-rpi4-raspi4b COMMAND Python3::Interpreter ${GUEST_TEST} --cpus 2 --keel --
  ${QEMU_AARCH64} -M raspi4b -nographic -kernel ${KEEL_BUILD_ROOT}/rpi4/keel.img)
set_tests_properties(guest.keel-virt-smp2 guest.keel-virt-smp1 guest.keel-rpi4-raspi4b
  PROPERTIES RUN_SERIAL TRUE TIMEOUT 900)

# The default system: MVM, GVM and RTVM; keelctl in the MVM manages them
# (create, console, pause, stop, destroy and memory reuse, refusals), the
# isolation guest, and the RTVM's latency under load.
set(MVM_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/mvm_test.py)
add_test(NAME mvm.virt-keelctl COMMAND Python3::Interpreter ${MVM_TEST} --
  ${QEMU_AARCH64} ${TCG_ONE_THREAD} -M virt,virtualization=on,gic-version=2 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel.img)
set_tests_properties(mvm.virt-keelctl PROPERTIES RUN_SERIAL TRUE TIMEOUT 1200)

# Passthrough (docs/guests.md): QEMU virt's second PL011 in the GVM, its
# interrupt forwarded by the kernel; the script adds the second serial.
set(PASSTHROUGH_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/passthrough_test.py)
add_test(NAME passthrough.virt-uart COMMAND Python3::Interpreter ${PASSTHROUGH_TEST} --
  ${QEMU_AARCH64} ${TCG_ONE_THREAD} -M virt,virtualization=on,gic-version=2 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel.img)
set_tests_properties(passthrough.virt-uart PROPERTIES RUN_SERIAL TRUE TIMEOUT 600)

# Live service swap (docs/live-update.md): bad images refused, crashing,
# rejecting and hanging versions rolled back, devemu swapped ten times under
# a stream of numbered lines, the console and the coordinator swapped.
set(LIVE_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/live_test.py)
add_test(NAME live.virt-swap COMMAND Python3::Interpreter ${LIVE_TEST} --
  ${QEMU_AARCH64} ${TCG_ONE_THREAD} -M virt,virtualization=on,gic-version=2 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel.img)
set_tests_properties(live.virt-swap PROPERTIES RUN_SERIAL TRUE TIMEOUT 1200)

# The guests' virtio devices (services/virtio): gvm and gvm2 make
# filesystems on their slices of the physical disk, ping each other and move
# a file over virtio-net; gvm2 destroyed and created again, then the
# hypervisor killed and booted again, and every file reads back the same.
set(VIRTIO_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/virtio_test.py)
add_test(NAME virtio.virt-blk-net COMMAND Python3::Interpreter ${VIRTIO_TEST} --
  ${QEMU_AARCH64} ${TCG_ONE_THREAD} -M virt,virtualization=on,gic-version=2 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel.img)
set_tests_properties(virtio.virt-blk-net PROPERTIES RUN_SERIAL TRUE TIMEOUT 1200)

# The hostile guest (test/guests/hostile, scripts/campaign-guest): two
# seeds of a few thousand random operations, on bare QEMU (the reference)
# and on Keel (keel-hostile.img: beside the witness VM, and on CPU 0 with
# the services); and the directed modes of issue 14's holes 1-3 (debug
# leak, vtimer loss, list-register drift), which bare QEMU passes.
set(HOSTILE_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/hostile_test.py)
set(HOSTILE_ELF ${KEEL_BUILD_ROOT}/qemu-virt/test/guests/hostile/hostile.elf)
set(HOSTILE_BARE ${QEMU_AARCH64} -M virt -cpu cortex-a72 -m 256M -nographic -kernel ${HOSTILE_ELF})
set(HOSTILE_KEEL ${QEMU_AARCH64} -M virt,virtualization=on,gic-version=2 -cpu cortex-a72 -smp 4
  -m 1G -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel-hostile.img)
set(HOSTILE_SVC ${KEEL_BUILD_ROOT}/qemu-virt/services)
set(HOSTILE_BP --bp ${HOSTILE_SVC}/devemu/devemu.elf:devemu_handle
  --bp ${HOSTILE_SVC}/devemu/devemu.elf:pl011_write --bp ${HOSTILE_SVC}/vmm/vmm.elf:psci_call
  --bp ${HOSTILE_SVC}/console/console.elf:main)
foreach(seed 1 2)
  add_test(NAME hostile.bare-seed${seed} COMMAND Python3::Interpreter ${HOSTILE_TEST}
    --seed ${seed} --ops 4000 -- ${HOSTILE_BARE})
  # --max-stalls: a WFI of 200 us that takes over 1 s while the CPU-0
  # instance runs beside the services is an open finding (docs/benchmarks.md,
  # "Hostile-guest campaign"); lost interrupts, silence, faults and the
  # witness still fail the test.
  add_test(NAME hostile.keel-seed${seed} COMMAND Python3::Interpreter ${HOSTILE_TEST} --keel
    --seed ${seed} --ops 4000 --hang 60 --limit 240 --max-stalls 5 -- ${HOSTILE_KEEL})
endforeach()
foreach(mode debug vtimer lr)
  add_test(NAME hostile.bare-${mode} COMMAND Python3::Interpreter ${HOSTILE_TEST}
    --mode ${mode} -- ${HOSTILE_BARE})
  add_test(NAME hostile.keel-${mode} COMMAND Python3::Interpreter ${HOSTILE_TEST} --keel
    --mode ${mode} --hang 40 --limit 120 ${HOSTILE_BP} -- ${HOSTILE_KEEL})
endforeach()
set_tests_properties(hostile.keel-seed1 hostile.keel-seed2 hostile.keel-debug
  hostile.keel-vtimer hostile.keel-lr PROPERTIES RUN_SERIAL TRUE TIMEOUT 300)

# A witness VM beside VMs that flood vmm with HVC calls and devemu with UART
# stores (issue 14, hole 8; keel-flood.img, test/guests/flood): in the
# first 10 s of the flood the witness must complete 50 rounds (HVC calls,
# console lines), 1 s of its schedule; without the services' fair share
# (keel/fairshare.h) it all but stops. On the plain TCG clock, where the
# vCPUs run in parallel as on a board (under -icount QEMU runs them in
# turn, and vmm is never swamped).
set(FLOOD_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/flood_test.py)
add_test(NAME flood.virt-witness COMMAND Python3::Interpreter ${FLOOD_TEST} --rounds 50
  --within-ms 10000 --limit 45 -- ${QEMU_AARCH64} -M virt,virtualization=on,gic-version=2
  -cpu cortex-a72 -smp 4 -m 1G -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel-flood.img)
set_tests_properties(flood.virt-witness PROPERTIES RUN_SERIAL TRUE TIMEOUT 120)

# Services restarted after a crash (docs/live-update.md): devemu made to
# fault three times under a stream of numbered lines (none lost), the
# console once, the counts in keelctl services, and a crash loop stopped.
set(RESTART_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/restart_test.py)
add_test(NAME live.virt-restart COMMAND Python3::Interpreter ${RESTART_TEST} --
  ${QEMU_AARCH64} ${TCG_ONE_THREAD} -M virt,virtualization=on,gic-version=2 -cpu cortex-a72 -smp 4 -m 1G
  -nographic -kernel ${KEEL_BUILD_ROOT}/qemu-virt/keel.img)
set_tests_properties(live.virt-restart PROPERTIES RUN_SERIAL TRUE TIMEOUT 600)
