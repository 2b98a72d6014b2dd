#!/usr/bin/env bash
# cppcheck over the kernel, the board support and the tests' fakes, with the
# kernel's own include paths. Any finding fails the test.
set -euo pipefail
cd "$(dirname "$0")/../.."
cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,style,performance,portability \
	--inline-suppr --suppress=missingIncludeSystem --suppress=unusedFunction \
	--suppress=constParameterCallback \
	-D__aarch64__ -DKEEL_MAX_CPUS=8 -DKEEL_TEXT_OFFSET=0 -DKEEL_VERSION='"0"' \
	-I kernel/include -I kernel/arch/aarch64/include -I bsp/include \
	kernel bsp libs services
echo "cppcheck: clean"
