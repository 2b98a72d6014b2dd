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

struct keel_lu_ckpt_slot *keel_lu_ckpt_begin(struct keel_lu_ckpt *c, uint64_t seq)
{
	struct keel_lu_ckpt_slot *s = &c->slot[seq % 2];
	__atomic_store_n(&s->seq, 0, __ATOMIC_RELEASE);
	return s;
}

void keel_lu_ckpt_end(struct keel_lu_ckpt_slot *s, uint64_t seq, uint32_t format, size_t len)
{
	s->format = format;
	s->len = (uint32_t)len;
	__atomic_store_n(&s->seq, seq, __ATOMIC_RELEASE);
}

const struct keel_lu_ckpt_slot *keel_lu_ckpt_newest(const struct keel_lu_ckpt *c)
{
	const struct keel_lu_ckpt_slot *best = NULL;
	for (unsigned i = 0; i < 2; i++) {
		const struct keel_lu_ckpt_slot *s = &c->slot[i];
		uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		/* A slot is only ever written with seq of its parity; anything
		 * else, or a length past the slot, is not a checkpoint. */
		if (!seq || seq % 2 != i || s->len > KEEL_LU_CKPT_DATA_MAX)
			continue;
		if (!best || seq > best->seq)
			best = s;
	}
	return best;
}
