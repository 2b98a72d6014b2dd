# Cross toolchain for the EL2 kernel and (later) the EL0 services:
# Debian's gcc-aarch64-linux-gnu, used freestanding.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(KEEL_CROSS aarch64-linux-gnu-)
set(CMAKE_C_COMPILER ${KEEL_CROSS}gcc)
set(CMAKE_ASM_COMPILER ${KEEL_CROSS}gcc)
set(CMAKE_OBJCOPY ${KEEL_CROSS}objcopy CACHE FILEPATH "objcopy")
set(CMAKE_AR ${KEEL_CROSS}ar CACHE FILEPATH "ar")
set(CMAKE_RANLIB ${KEEL_CROSS}ranlib CACHE FILEPATH "ranlib")

# No host libc to link test programs against.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
