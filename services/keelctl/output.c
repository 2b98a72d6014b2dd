/* SPDX-License-Identifier: MIT */
/*
 * Tables, aligned lists and JSON. The JSON is one compact document; every
 * string goes through json_string(), so whatever vmm sends stays valid
 * JSON (the response parser has already limited records to printable
 * ASCII).
 */
#include "output.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

void table_print(FILE *out, const struct column *cols, size_t ncols, const char (*cells)[CELL_MAX],
                 size_t nrows)
{
	size_t width[TABLE_MAX_COLS] = {0};
	if (ncols > TABLE_MAX_COLS)
		return; /* a bug of the caller: every table here is fixed */
	for (size_t c = 0; c < ncols; c++) {
		width[c] = strlen(cols[c].head);
		for (size_t r = 0; r < nrows; r++) {
			size_t n = strlen(cells[r * ncols + c]);
			if (n > width[c])
				width[c] = n;
		}
	}
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *s = r == 0 ? cols[c].head : cells[(r - 1) * ncols + c];
			int w = (int)width[c];
			const char *sep = c + 1 < ncols ? "  " : "\n";
			if (cols[c].right)
				fprintf(out, "%*s%s", w, s, sep);
			else if (c + 1 < ncols)
				fprintf(out, "%-*s%s", w, s, sep);
			else
				fprintf(out, "%s%s", s, sep); /* no trailing blanks */
		}
	}
}

void label_print(FILE *out, int width, const char *label, const char *value)
{
	int pad = width + 1 - (int)strlen(label);
	fprintf(out, "%s:%*s%s\n", label, pad > 1 ? pad : 1, "", value);
}

/* The value of a decimal number that fits in 64 bits: 0, else -1. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

void fmt_seconds(char *buf, size_t size, const char *us)
{
	uint64_t v;
	if (!us || parse_u64(us, &v)) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, v / 1000000, v % 1000000 / 1000);
}

static void json_chars(FILE *out, const char *s, int dash_to_underscore)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '-': fputc(dash_to_underscore ? '_' : '-', out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

void json_string(FILE *out, const char *s)
{
	json_chars(out, s, 0);
}

void json_key(FILE *out, const char *key)
{
	json_chars(out, key, 1);
	fputc(':', out);
}

/* A JSON number: decimal digits, no leading zero. */
static int is_number(const char *s, size_t n)
{
	if (n == 0 || (s[0] == '0' && n > 1))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

/* "0,2,3" or "": every item a number. */
static int is_number_list(const char *s)
{
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		if (!is_number(s, n))
			return 0;
		s += n + (comma != NULL);
		if (comma && !*s)
			return 0; /* trailing comma */
	}
	return 1;
}

static const char *const string_keys[] = {"name", "vm", "type", "state", "version"};

void json_value(FILE *out, const char *key, const char *value)
{
	for (size_t i = 0; i < sizeof(string_keys) / sizeof(string_keys[0]); i++) {
		if (!strcmp(key, string_keys[i])) {
			json_string(out, value);
			return;
		}
	}
	if (!strcmp(key, "cpus") && is_number_list(value)) {
		fprintf(out, "[%s]", value); /* "0,2" is already JSON's "[0,2]" */
		return;
	}
	if (is_number(value, strlen(value)))
		fputs(value, out);
	else
		json_string(out, value);
}

void json_record(FILE *out, const struct proto_record *rec)
{
	fputc('{', out);
	for (size_t i = 0; i < rec->nfields; i++) {
		if (i)
			fputc(',', out);
		json_key(out, rec->fields[i].key);
		json_value(out, rec->fields[i].key, rec->fields[i].value);
	}
	fputc('}', out);
}
