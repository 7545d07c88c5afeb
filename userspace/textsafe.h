/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textsafe.h — make container-controlled text safe to show on an operator's
 * terminal.  Hostnames, comms, cmdlines and cgroup paths come from inside
 * containers: a raw ESC, an 8-bit CSI (0x9b), a CR or a newline written to a
 * terminal can clear the screen, retitle the window, move the cursor or forge
 * a table row.  Every text face passes such strings through here.
 */
#ifndef PW_TEXTSAFE_H
#define PW_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Decode one UTF-8 sequence at s (n bytes available): its length and code
 * point, or 0 when it is invalid (overlong, surrogate, > U+10FFFF, a stray
 * continuation byte) or truncated.  The one decoder of every face.
 */
size_t pw_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * Copy in[0..inlen) (stopping at a NUL) into out as display-safe UTF-8:
 * valid, printable UTF-8 is kept; each C0 control (< 0x20), DEL, C1 control
 * (U+0080..U+009F), invisible format or direction control (U+00AD, U+034F,
 * U+061C, U+115F/U+1160, U+17B4/5, U+180B..U+180F, U+200B..U+200F,
 * U+2028..U+202E, U+2060..U+206F, U+3164, U+FEFF, U+FFA0, U+FFF9..U+FFFB,
 * tags U+E0000..U+E007F), noncharacter (U+FDD0..U+FDEF, U+xFFFE/U+xFFFF)
 * and each byte of an invalid or truncated UTF-8 sequence (overlong,
 * surrogate, > U+10FFFF, a raw 0x80..0xFF such as 8-bit CSI 0x9b) becomes
 * '?'.  The output therefore contains no byte < 0x20, no 0x7f and no C1
 * control in any encoding, and is valid UTF-8.
 * Writes at most outlen-1 bytes and, when max_cols > 0, at most max_cols
 * terminal columns (wide East Asian characters take two, combining marks
 * none); a character that does not fit is left out whole, never cut.
 * Always NUL-terminates when outlen > 0.  Returns the columns written.
 * in may be NULL (empty).  Idempotent: a safe string comes out unchanged.
 */
int pw_text_safe(char *out, size_t outlen, const char *in, size_t inlen, int max_cols);

/* Columns a safe string takes on a terminal (after pw_text_safe); NULL: 0. */
int pw_text_cols(const char *safe);

/*
 * Print s made safe, cut to width columns and padded with spaces to exactly
 * width columns (right-aligned if right).  width <= 0: no cut, no padding
 * (at most 1023 bytes).  s may be NULL (empty).  Returns 0 or -1 on a
 * write error.
 */
int pw_text_field(FILE *f, const char *s, int width, bool right);

#endif /* PW_TEXTSAFE_H */
