/*
 * utf8.h — the one UTF-8 rule of the station: well-formed UTF-8 as RFC 3629 and
 * PostgreSQL define it.
 *
 * Refused: stray continuation bytes, overlong forms (C0 80, E0 80 80, F0 80 80 80),
 * surrogates (U+D800–DFFF, ED A0 80…), code points over U+10FFFF (F4 90 80 80…), and
 * sequences cut short. Text that passes here is text PostgreSQL stores; anything that
 * reads bytes from outside (query strings, bodies, JSON output) asks this file, never a
 * copy of the rule of its own.
 */
#ifndef STATION_UTF8_H
#define STATION_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1–4) of the well-formed sequence at s, of which avail bytes may be read; 0 when
 * the bytes there are not one (avail 0 included). */
size_t utf8_sequence_length(const unsigned char *s, size_t avail);
/* True when s[0..len) is well-formed UTF-8 throughout (NUL bytes are U+0000). */
bool utf8_valid(const char *s, size_t len);
/* Code points of the NUL-terminated s, which is valid UTF-8 (each leading byte counts). */
size_t utf8_codepoints(const char *s);

#endif
