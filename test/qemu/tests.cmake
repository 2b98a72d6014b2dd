# QEMU tests of the running system (included from test/CMakeLists.txt):
# the hypervisor shell on the default image, and the EL0 services of
# keel-test.img (IPC ping-pong, rogue service, priorities, budgets).
set(SHELL_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/shell_test.py)
set(SERVICES_TEST ${CMAKE_CURRENT_SOURCE_DIR}/qemu/services_test.py)
set(VIRT_QEMU ${QEMU_AARCH64} -M virt,virtualization=on -cpu cortex-a72 -smp 4 -m 1G -nographic)

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
