/* SPDX-License-Identifier: MIT */
/* Service images (keel/svcimage.h): header checks. Pure code. */
#include <keel/svcimage.h>
#include <keel/why.h>

#include <stdio.h>
#include <string.h>

/* A byte at a time from a table: the state record's CRC is on the path of
 * a swap's pause, where the bitwise loop cost 36 us per kilobyte. */
static uint32_t crc_table[256];

static void crc_table_fill(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
		crc_table[i] = c;
	}
}

uint32_t keel_crc32(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;
	if (!crc_table[1])
		crc_table_fill();
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool keel_svcimg_is_image(const void *buf, size_t len)
{
	return len >= 8 && !memcmp(buf, KEEL_SVCIMG_MAGIC, 8);
}

/* A NUL-terminated string of printable characters filling at most n bytes. */
static bool text_field(const uint8_t *p, size_t n, char *out)
{
	size_t i;
	for (i = 0; i < n && p[i]; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return false;
	if (i == 0 || i == n)
		return false;
	memcpy(out, p, i + 1);
	return true;
}

int keel_svcimg_parse(const void *buf, size_t len, struct keel_svcimg *out, char *err,
                      size_t err_size)
{
	const uint8_t *p = buf;
	if (!keel_svcimg_is_image(buf, len))
		return keel_why(err, err_size, "not a Keel service image (no KEELSVC1 magic)");
	if (len < KEEL_SVCIMG_HDR_SIZE)
		return keel_why(err, err_size, "truncated image: %zu bytes, the header alone is %u",
		                len, KEEL_SVCIMG_HDR_SIZE);
	if (le32(p + 8) != KEEL_SVCIMG_HDR_SIZE)
		return keel_why(err, err_size, "header of %u bytes, expected %u", le32(p + 8),
		                KEEL_SVCIMG_HDR_SIZE);
	if (keel_crc32(0, p, KEEL_SVCIMG_HDR_SIZE - 4) != le32(p + 84))
		return keel_why(err, err_size, "corrupt image: header checksum mismatch");
	memset(out, 0, sizeof(*out));
	out->abi_version = le32(p + 12);
	out->state_version = le32(p + 16);
	uint32_t elf_size = le32(p + 20);
	out->flags = le32(p + 28);
	if (out->abi_version != KEEL_SVC_ABI_VERSION)
		return keel_why(err, err_size,
		                "ABI version %u, this hypervisor runs services of ABI version %u",
		                out->abi_version, KEEL_SVC_ABI_VERSION);
	if (len - KEEL_SVCIMG_HDR_SIZE < elf_size)
		return keel_why(err, err_size,
		                "truncated image: %zu bytes, the header announces %zu", len,
		                (size_t)elf_size + KEEL_SVCIMG_HDR_SIZE);
	if (len - KEEL_SVCIMG_HDR_SIZE > elf_size)
		return keel_why(err, err_size, "image of %zu bytes, the header announces %zu", len,
		                (size_t)elf_size + KEEL_SVCIMG_HDR_SIZE);
	if (keel_crc32(0, p + KEEL_SVCIMG_HDR_SIZE, elf_size) != le32(p + 24))
		return keel_why(err, err_size, "corrupt image: ELF checksum mismatch");
	if (!text_field(p + 32, KEEL_SVCIMG_NAME, out->name))
		return keel_why(err, err_size, "bad service name in the header");
	if (!text_field(p + 48, KEEL_SVCIMG_VERSION, out->version))
		return keel_why(err, err_size, "bad version string in the header");
	if (out->state_version == 0)
		return keel_why(err, err_size, "state-format version 0");
	memcpy(out->build_id, p + 64, KEEL_SVCIMG_BUILD_ID);
	out->elf = p + KEEL_SVCIMG_HDR_SIZE;
	out->elf_size = elf_size;
	return 0;
}

void keel_svcimg_build_hex(const struct keel_svcimg *img, char *hex)
{
	for (unsigned i = 0; i < KEEL_SVCIMG_BUILD_ID; i++)
		snprintf(hex + 2 * i, 3, "%02x", img->build_id[i]);
}
