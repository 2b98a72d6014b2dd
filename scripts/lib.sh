# Shared by scripts/run and scripts/test (sourced, not run).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# scripts/setup is idempotent and returns in about a second when all is there.
ensure_setup() {
	bash "$top/scripts/setup"
}

# The guest kernel and initramfs that keel.img carries (cached, idempotent).
ensure_guest_images() {
	bash "$top/scripts/guest-images" >/dev/null
}

# Configure and build one preset; its output is shown only when it fails.
build_preset() {
	local preset=$1 log
	log=$(mktemp)
	if ! (cd "$top" && cmake --preset "$preset" && cmake --build --preset "$preset") >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "build of preset $preset failed" >&2
		return 1
	fi
	rm -f "$log"
}

# QEMU's TCG threading for `cpus` emulated CPUs: a thread per CPU only when
# the host has a core for each. On fewer cores the host deschedules the CPU
# that holds Keel's kernel lock while the others spin for it, and VMs crawl
# (docs/benchmarks.md, "One TCG thread"). KEEL_TCG_THREAD=single|multi
# chooses.
tcg_thread() {
	if [ -n "${KEEL_TCG_THREAD:-}" ]; then
		echo "$KEEL_TCG_THREAD"
	elif [ "$(nproc)" -ge "$1" ]; then
		echo multi
	else
		echo single
	fi
}

# Print the QEMU command line for booting `board`'s image, one word per line.
qemu_command() {
	local board=$1 conf="$top/bsp/$1/qemu.conf"
	if [ ! -f "$conf" ]; then
		echo "board '$board' has no QEMU model (no $conf)" >&2
		return 1
	fi
	QEMU_DISK="" QEMU_DEVICES=() # what a board without them gets
	# shellcheck disable=SC1090
	. "$conf"
	printf '%s\n' "$QEMU_SYSTEM" -M "$QEMU_MACHINE" -smp "$QEMU_SMP" -m "$QEMU_MEM" \
		-accel "tcg,thread=$(tcg_thread "$QEMU_SMP")" -nographic -kernel "$top/build/$board/keel.img"
	[ -z "$QEMU_CPU" ] || printf '%s\n' -cpu "$QEMU_CPU"
	# Here rather than in each caller (scripts/run, scripts/bench-rt), so a
	# fresh clone boots with its disk.
	[ -z "$QEMU_DISK" ] || ensure_disk_image "$QEMU_DISK"
	[ ${#QEMU_DEVICES[@]} -eq 0 ] || printf '%s\n' "${QEMU_DEVICES[@]}"
}

# A board's physical disk: raw, 256 MiB, sparse. Made once and never
# overwritten: what the hypervisor writes there must survive restarts.
ensure_disk_image() {
	local img=$1
	[ -e "$img" ] && return 0
	mkdir -p "$(dirname "$img")"
	truncate -s 256M "$img.tmp" && mv -n "$img.tmp" "$img"
	rm -f "$img.tmp"
}
