/*
 * utf8.c — well-formed UTF-8 (see utf8.h).
 *
 * The ranges are those of RFC 3629 §4: the second byte of E0 is A0–BF (no overlong
 * three-byte form), of ED 80–9F (no surrogate), of F0 90–BF (no overlong four-byte form),
 * of F4 80–8F (nothing over U+10FFFF); C0, C1 and F5–FF never start a sequence. Pure
 * code: no allocation, no locale, never reads past avail.
 */
#include "utf8.h"

/* The lead bytes of RFC 3629 §4's table, in order: the sequence's length and the allowed
 * range of its second byte (every later byte is 80–BF). */
static const struct utf8_lead {
	unsigned char last; /* the range runs from the previous row's last + 1 */
	unsigned char length, lo, hi;
} leads[] = {
	{ 0xC1, 0, 0, 0 },       /* 80–BF continuation, C0–C1 overlong: no sequence */
	{ 0xDF, 2, 0x80, 0xBF }, /* C2–DF */
	{ 0xE0, 3, 0xA0, 0xBF }, /* E0: no overlong three-byte form */
	{ 0xEC, 3, 0x80, 0xBF }, /* E1–EC */
	{ 0xED, 3, 0x80, 0x9F }, /* ED: no surrogate */
	{ 0xEF, 3, 0x80, 0xBF }, /* EE–EF */
	{ 0xF0, 4, 0x90, 0xBF }, /* F0: no overlong four-byte form */
	{ 0xF3, 4, 0x80, 0xBF }, /* F1–F3 */
	{ 0xF4, 4, 0x80, 0x8F }, /* F4: nothing over U+10FFFF */
	{ 0xFF, 0, 0, 0 },       /* F5–FF */
};

size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
	if (avail == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	const struct utf8_lead *lead = leads;
	while (s[0] > lead->last)
		lead++;
	size_t n = lead->length;
	if (n == 0 || avail < n || s[1] < lead->lo || s[1] > lead->hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_sequence_length(p + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

size_t utf8_codepoints(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}
