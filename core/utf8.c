#include "utf8.h"

static bool continuation(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

size_t utf8_sequence(const unsigned char *p, size_t avail)
{
	if (avail == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	/* C0, C1 and F5..FF never start a sequence (overlong or too large). */
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		return avail >= 2 && continuation(p[1]) ? 2 : 0;
	if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		if (avail < 3 || !continuation(p[1]) || !continuation(p[2]))
			return 0;
		/* E0 80..9F is overlong; ED A0..BF is a surrogate. */
		if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F))
			return 0;
		return 3;
	}
	if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		if (avail < 4 || !continuation(p[1]) || !continuation(p[2]) || !continuation(p[3]))
			return 0;
		/* F0 80..8F is overlong; F4 90.. is past U+10FFFF. */
		if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_sequence(p + i, len - i);

		if (n == 0 || p[i] == 0)
			return false;
		i += n;
	}
	return true;
}

size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (!continuation((unsigned char)*s))
			n++;
	return n;
}
