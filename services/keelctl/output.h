/* SPDX-License-Identifier: MIT */
/*
 * What keelctl prints: aligned tables and "label: value" lists for people,
 * JSON for programs. Pure C over stdio streams.
 */
#ifndef KEELCTL_OUTPUT_H
#define KEELCTL_OUTPUT_H

#include <stdio.h>

#include "proto.h"

#define CELL_MAX       48 /* one table cell or one value of a list, truncated past it */
#define TABLE_MAX_COLS 16

struct column {
	const char *head;
	int right; /* right-aligned (numbers) */
};

/*
 * Prints a header and `nrows` rows of `ncols` (at most TABLE_MAX_COLS)
 * cells (cells[row * ncols + col]), each column as wide as its widest
 * cell, two spaces apart, with no trailing blanks.
 */
void table_print(FILE *out, const struct column *cols, size_t ncols, const char (*cells)[CELL_MAX],
                 size_t nrows);

/* Prints "label:" padded to `width` + 2, then the value: aligned lists. */
void label_print(FILE *out, int width, const char *label, const char *value);

/* "123.456" from a count of microseconds in decimal, or "-" when it is not one. */
void fmt_seconds(char *buf, size_t size, const char *us);

/* A JSON string, with the escapes JSON requires. */
void json_string(FILE *out, const char *s);

/* A key as a JSON object key: '-' written '_' (cpu-time-us: "cpu_time_us"). */
void json_key(FILE *out, const char *key);

/*
 * A record's value as JSON: names, states, types and versions are strings;
 * `cpus` is an array of numbers; any other value that is a decimal number
 * is a number; everything else a string.
 */
void json_value(FILE *out, const char *key, const char *value);

/* A record as a JSON object of all its fields (unknown keys included). */
void json_record(FILE *out, const struct proto_record *rec);

#endif
