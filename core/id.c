#include "id.h"

#include <string.h>

bool id_digits(const char *s, size_t max_digits)
{
	size_t n, i;

	if (!s)
		return false;
	n = strnlen(s, max_digits + 1);
	if (n == 0 || n > max_digits)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool id_valid(const char *s)
{
	/* Equal lengths of digits compare as numbers do. */
	return id_digits(s, ID_MAX_DIGITS) &&
	       (strlen(s) < ID_MAX_DIGITS || strcmp(s, "9223372036854775807") <= 0);
}
