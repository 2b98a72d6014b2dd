/* SPDX-License-Identifier: MIT */
/* State records of the live-update protocol (keel/lifecycle.h). Pure code. */
#include <keel/lifecycle.h>
#include <keel/svcimage.h>
#include <keel/why.h>

#include <stdio.h>
#include <string.h>

size_t keel_lu_record_seal(void *buf, size_t cap, const char *service, uint32_t format,
                           size_t payload_len)
{
	struct keel_lu_record_hdr h = {.magic = KEEL_LU_RECORD_MAGIC, .format = format};
	if (cap < sizeof(h) || payload_len > cap - sizeof(h) || payload_len > UINT32_MAX)
		return 0;
	h.len = (uint32_t)payload_len;
	h.crc = keel_crc32(0, (const uint8_t *)buf + sizeof(h), payload_len);
	snprintf(h.service, sizeof(h.service), "%s", service);
	memcpy(buf, &h, sizeof(h));
	return sizeof(h) + payload_len;
}

int keel_lu_record_open(const void *buf, size_t len, const char *service, uint32_t max_format,
                        const void **payload, uint32_t *format, size_t *payload_len, char *why,
                        size_t why_size)
{
	struct keel_lu_record_hdr h;
	if (len < sizeof(h))
		return keel_why(why, why_size, "state record of %zu bytes, shorter than its header",
		                len);
	memcpy(&h, buf, sizeof(h));
	if (h.magic != KEEL_LU_RECORD_MAGIC)
		return keel_why(why, why_size, "no state record (bad magic 0x%08x)", h.magic);
	if (h.len > len - sizeof(h))
		return keel_why(why, why_size,
		                "state record truncated: %zu payload bytes, %u announced",
		                len - sizeof(h), h.len);
	if (strncmp(h.service, service, sizeof(h.service)))
		return keel_why(why, why_size, "state record of service '%.15s', not '%s'",
		                h.service, service);
	if (h.format == 0 || h.format > max_format)
		return keel_why(why, why_size, "state format %u, this version reads 1..%u",
		                h.format, max_format);
	if (keel_crc32(0, (const uint8_t *)buf + sizeof(h), h.len) != h.crc)
		return keel_why(why, why_size, "state record checksum mismatch");
	*payload = (const uint8_t *)buf + sizeof(h);
	*format = h.format;
	*payload_len = h.len;
	return 0;
}
